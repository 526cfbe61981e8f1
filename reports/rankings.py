"""Reads for the league tables: who ranks where, by which figure, against whom.

Every figure is summed in the database over MPTT ranges (funds.selectors.subtree_totals); Python
only orders the handful of rows that come back and numbers them.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Tier, ancestors_q
from funds import catalogue
from funds.selectors import Totals, subtree_totals


class Metric:
    """What a ranking orders by: each value is an attribute of funds.selectors.Totals.

    Every figure of funds/catalogue.py that ranks is a metric, read when asked, so that a figure
    added there is offered here with no other edit; beside them, the change on the previous year
    and the listed scholarships, which are not catalogue figures.
    """

    PER_INHABITANT = "per_inhabitant"
    MOBILISED = "mobilised"
    CHANGE = "per_inhabitant_change"
    CHANGE_PCT = "per_inhabitant_change_pct"
    FUND_BALANCE = "fund_balance"
    SCHOLARSHIPS = "scholarship_value"

    OTHERS = {
        CHANGE: _("Tăng/giảm bình quân đầu người so với năm trước (đồng)"),
        CHANGE_PCT: _("Tăng/giảm bình quân đầu người so với năm trước (%)"),
        SCHOLARSHIPS: _("Học bổng đã trao (giá trị)"),
    }
    # The money metrics first, in the order the page has always offered them.
    FIRST = [PER_INHABITANT, MOBILISED, CHANGE, CHANGE_PCT, FUND_BALANCE, SCHOLARSHIPS]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) of every metric, the money ones first, then the catalogue's order."""
        labels = {f.name: capfirst(f.label) for f in catalogue.figures(ranks=True)} | cls.OTHERS
        order = cls.FIRST + [name for name in labels if name not in cls.FIRST]
        return [(name, labels[name]) for name in order if name in labels]

    @classmethod
    def values(cls) -> list[str]:
        return [value for value, _label in cls.choices()]

    @classmethod
    def label(cls, metric: str) -> str:
        return dict(cls.choices())[metric]


class ScopeKind:
    PROVINCES = "provinces"
    CLUSTERS = "clusters"
    CLUSTER = "cluster"  # the provinces of one cluster
    PROVINCE = "province"  # the districts and communes of one province


@dataclass(frozen=True)
class Scope:
    """Which nodes are ranked against each other; `node` is the cluster or province for the last two."""

    kind: str
    node: Association | None = None

    @property
    def key(self) -> str:
        """The value of ?pham_vi= that selects this scope."""
        prefix = {ScopeKind.CLUSTER: "cum-", ScopeKind.PROVINCE: "tinh-"}.get(self.kind)
        return f"{prefix}{self.node.pk}" if prefix else self.kind

    @property
    def within_province(self) -> bool:
        return self.kind == ScopeKind.PROVINCE

    def nodes(self, year: int) -> QuerySet:
        """The ranked nodes active in `year`, each annotated with `cluster_name` (one query)."""
        active = Association.objects.active_in(year)
        if self.kind == ScopeKind.CLUSTERS:
            qs = active.of_tier(Tier.CLUSTER)
        elif self.kind == ScopeKind.PROVINCES:
            qs = active.of_tier(Tier.PROVINCE)
        elif self.kind == ScopeKind.CLUSTER:
            qs = active.of_tier(Tier.PROVINCE).filter(parent=self.node)
        else:
            qs = active.of_tier(Tier.DISTRICT, Tier.COMMUNE).filter(parent=self.node)
        cluster = Association.objects.filter(ancestors_q(""), tier=Tier.CLUSTER).values("short_name")[:1]
        return qs.annotate(cluster_name=Subquery(cluster)).order_by("sort_key", "pk")


@dataclass
class RankingRow:
    association: Association
    totals: Totals
    value: int | Decimal | None
    rank: int | None


@dataclass
class Ranking:
    year: int
    scope: Scope
    metric: str
    rows: list[RankingRow]

    @property
    def ranked(self) -> list[RankingRow]:
        return [row for row in self.rows if row.rank is not None]


def competition_ranks(values: list) -> list[int | None]:
    """Ranks for `values`, highest first, ties sharing a rank (1, 2, 2, 4); None for a missing value."""
    present = sorted((v for v in values if v is not None), reverse=True)
    first_at = {}
    for position, value in enumerate(present, start=1):
        first_at.setdefault(value, position)
    return [None if v is None else first_at[v] for v in values]


def ranking(*, year: int, scope: Scope, metric: str) -> Ranking:
    """The nodes of `scope` in rank order for `metric` in `year`; unranked (missing data) rows last.

    Three queries whatever the number of nodes: the nodes, then subtree_totals' two; four in a year
    when some nodes began after last year (subtree_totals reads their predecessors first), so that
    their change compares with their predecessors' sum.
    """
    if metric not in Metric.values():
        raise ValueError(metric)
    nodes = list(scope.nodes(year))
    totals = subtree_totals(year=year, nodes=nodes)
    values = [getattr(totals[node.pk], metric) for node in nodes]
    rows = [
        RankingRow(association=node, totals=totals[node.pk], value=value, rank=rank)
        for node, value, rank in zip(nodes, values, competition_ranks(values), strict=True)
    ]
    # `nodes` is already in sort-key order, and the sort is stable: ties and the unranked stay alphabetical.
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return Ranking(year=year, scope=scope, metric=metric, rows=rows)

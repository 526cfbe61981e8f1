"""Reads for the league tables, the completeness of reporting and the province trends.

Every figure is summed in the database over MPTT ranges (funds.selectors.subtree_totals or one
grouped query here); Python only orders the handful of rows that come back and numbers them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Tier
from funds import sql
from funds.models import AnnualReturn
from funds.selectors import Totals, subtree_totals, yearly_totals


class Metric(models.TextChoices):
    """What a ranking orders by; each value is an attribute of funds.selectors.Totals."""

    PER_INHABITANT = "per_inhabitant", _("Bình quân đầu người")
    MOBILISED = "mobilised", _("Tổng vận động")
    CHANGE = "per_inhabitant_change", _("Tăng/giảm bình quân đầu người so với năm trước (đồng)")
    CHANGE_PCT = "per_inhabitant_change_pct", _("Tăng/giảm bình quân đầu người so với năm trước (%)")
    FUND_BALANCE = "fund_balance", _("Số dư quỹ cuối năm")
    SCHOLARSHIPS = "scholarship_value", _("Học bổng đã trao (giá trị)")


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
        cluster = Association.objects.filter(
            tier=Tier.CLUSTER,
            tree_id=OuterRef("tree_id"),
            lft__lte=OuterRef("lft"),
            rght__gte=OuterRef("rght"),
        ).values("short_name")[:1]
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

    Three queries whatever the number of nodes: the nodes, then subtree_totals' two.
    """
    if metric not in Metric.values:
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


@dataclass
class Completeness:
    """One province's reporting for a year; counts cover the associations of its subtree active then."""

    province: Association
    associations: int = 0
    returns: int = 0
    submitted: int = 0
    approved: int = 0
    last_change: datetime.datetime | None = None

    @property
    def missing(self) -> int:
        return self.associations - self.returns

    @property
    def drafts(self) -> int:
        return self.returns - self.submitted - self.approved


def _aware(value) -> datetime.datetime | None:
    # SQLite hands raw SQL datetimes back as text in UTC; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def completeness(*, year: int, provinces: QuerySet) -> list[Completeness]:
    """One Completeness per province of `provinces` active in `year`, by cluster code then name.

    Two queries whatever the size of the tree: the provinces, then the counts over their subtrees.
    """
    nodes = list(
        provinces.of_tier(Tier.PROVINCE)
        .active_in(year)
        .select_related("parent")
        .order_by("parent__code", "sort_key", "pk")
    )
    result = {node.pk: Completeness(province=node) for node in nodes}
    if not nodes:
        return []
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(nodes)))
    params = {
        "y": year,
        "submitted": AnnualReturn.Status.SUBMITTED,
        "approved": AnnualReturn.Status.APPROVED,
        **{f"n{i}": node.pk for i, node in enumerate(nodes)},
    }
    # One return at most per association and year, so the LEFT JOIN keeps one row per association.
    query = f"""
        SELECT n.id,
               COUNT(a.id),
               COUNT(r.id),
               COUNT(CASE WHEN r.status = %(submitted)s THEN 1 END),
               COUNT(CASE WHEN r.status = %(approved)s THEN 1 END),
               MAX(r.updated_at)
          FROM {sql.ASSOCIATIONS} n
          JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
          LEFT JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year = %(y)s
         WHERE n.id IN ({placeholders}) AND {sql.active("a", "%(y)s")}
         GROUP BY n.id
    """
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for pk, associations, returns, submitted, approved, last_change in cursor.fetchall():
            row = result[pk]
            row.associations, row.returns = associations, returns
            row.submitted, row.approved = submitted, approved
            row.last_change = _aware(last_change)
    return list(result.values())


def _submitted(year: int):
    """The submitted returns of `year` from associations active then."""
    return AnnualReturn.objects.for_year(year).filter(
        status=AnnualReturn.Status.SUBMITTED, association__in=Association.objects.active_in(year)
    )


def submitted_return_ids(*, year: int, province: Association) -> list[int]:
    """Ids of the submitted returns of `year` in the province's subtree, from associations active then."""
    return list(_submitted(year).in_subtree_of(province).values_list("pk", flat=True))


def submitted_versions(*, year: int, provinces: list[Association]) -> dict[int, list[tuple[int, int]]]:
    """{province id: [(return id, version)]} of the submitted returns of `year` in each province's subtree.

    One query for all the provinces (none without provinces); their subtrees do not overlap.
    """
    out = {province.pk: [] for province in provinces}
    if not provinces:
        return out
    subtrees = Q()
    for p in provinces:
        subtrees |= Q(
            association__tree_id=p.tree_id, association__lft__gte=p.lft, association__rght__lte=p.rght
        )
    rows = _submitted(year).filter(subtrees).order_by("pk")
    for pk, version, tree_id, lft in rows.values_list(
        "pk", "version", "association__tree_id", "association__lft"
    ):
        province = next(p for p in provinces if p.tree_id == tree_id and p.lft <= lft <= p.rght)
        out[province.pk].append((pk, version))
    return out


def trend(*, node: Association, first_year: int, last_year: int) -> list[Totals]:
    """The node's Totals for each year from the first to the last year with a return, within the bounds given.

    funds.selectors.yearly_totals: one query (two for a cluster or the centre).
    """
    points = yearly_totals(node=node, first_year=first_year, last_year=last_year)
    reported = [i for i, p in enumerate(points) if p.has_data]
    if not reported:
        return []
    return points[reported[0] : reported[-1] + 1]

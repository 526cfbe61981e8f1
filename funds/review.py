"""Reads for the review queue: a year's returns in a reviewer's care, filtered by cluster, province, tier
and status, each beside last year's figures with the outlier rule of funds.services."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Perm, Tier, active_in_q, ancestors_q

from .models import AnnualReturn
from .progress import Progress, province_progress
from .services import figure_outliers

ALL = "all"
STATUS_CHOICES = [
    (AnnualReturn.Status.SUBMITTED.value, _("Đã gửi, chờ duyệt")),
    (AnnualReturn.Status.DRAFT.value, _("Nháp")),
    (AnnualReturn.Status.APPROVED.value, _("Đã duyệt")),
    (ALL, _("Tất cả")),
]
# Figures shown beside last year's; the flag is raised by any outlying field behind them.
SHOWN = {
    "population": ["population"],
    "mobilised": ["mobilised_cash", "mobilised_in_kind"],
    "fund_balance": ["fund_balance"],
}


@dataclass
class ReviewFilter:
    """What the queue shows: a year, and optionally a cluster, a province, a tier and a status."""

    year: int
    cluster: Association | None = None
    province: Association | None = None
    tier: str = ""
    status: str = AnnualReturn.Status.SUBMITTED
    # Query values that named nothing the reviewer may choose this year, and so were left out.
    dropped: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier else ""

    def query(self, **changes) -> str:
        """The filter as a query string (no leading "?"), with `changes` applied; empty values left out."""
        values = {
            "nam": self.year,
            "cum": self.cluster.pk if self.cluster else "",
            "tinh": self.province.pk if self.province else "",
            "cap": self.tier,
            "trang_thai": self.status,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def filter_options(*, user, year: int) -> list[Association]:
    """The clusters and provinces active in `year` on which the user reviews, in tree order (one query)."""
    return list(
        Association.objects.with_perm(user, Perm.REVIEW)
        .active_in(year)
        .of_tier(Tier.CLUSTER, Tier.PROVINCE)
        .order_by("tree_id", "lft")
    )


def read_filter(params, *, year: int, options: list[Association]) -> ReviewFilter:
    """The filter of a query (`cum`, `tinh`, `cap`, `trang_thai`); a value that is not one of the
    choices is dropped and named in `dropped`, so an old bookmark still opens the queue."""
    chosen = ReviewFilter(year=year)
    by_id = {str(node.pk): node for node in options}
    for name, tier in (("cum", Tier.CLUSTER), ("tinh", Tier.PROVINCE)):
        raw = params.get(name, "")
        node = by_id.get(raw)
        if node is not None and node.tier == tier:
            setattr(chosen, "cluster" if tier == Tier.CLUSTER else "province", node)
        elif raw:
            chosen.dropped.append(name)
    tier = params.get("cap", "")
    if tier in Tier.values:
        chosen.tier = tier
    elif tier:
        chosen.dropped.append("cap")
    status = params.get("trang_thai", "")
    if status in dict(STATUS_CHOICES):
        chosen.status = status
    elif status:
        chosen.dropped.append("trang_thai")
    return chosen


def in_filter(*, user, chosen: ReviewFilter) -> QuerySet:
    """The returns of the filter's year, cluster, province and tier in the user's review care, from
    associations active that year, whatever their status."""
    returns = (
        AnnualReturn.objects.in_review_scope_of(user)
        .for_year(chosen.year)
        .filter(active_in_q(chosen.year, prefix="association__"))
    )
    for node in (chosen.cluster, chosen.province):
        if node is not None:
            returns = returns.in_subtree_of(node)
    if chosen.tier:
        returns = returns.filter(association__tier=chosen.tier)
    return returns


def status_counts(returns: QuerySet) -> dict[str, int]:
    """{status: number of returns} of `returns`, every status present, and ALL (one query)."""
    counts = dict.fromkeys(AnnualReturn.Status.values, 0)
    for status, number in returns.values_list("status").annotate(n=Count("pk")).order_by():
        counts[status] = number
    counts[ALL] = sum(counts.values())
    return counts


def listed(returns: QuerySet, *, status: str) -> QuerySet:
    """`returns` of `status` (or all) in tree order, with their association, its parent, the submitter
    and `province_name`, the short name of the province the association is in."""
    if status != ALL:
        returns = returns.filter(status=status)
    province = Association.objects.filter(ancestors_q("association__"), tier=Tier.PROVINCE)
    return (
        returns.select_related("association", "association__parent", "submitted_by")
        .annotate(province_name=Subquery(province.values("short_name")[:1]))
        .order_by("association__tree_id", "association__lft")
    )


@dataclass
class ReviewRow:
    """A return of the queue with last year's return and the figures that outlie it."""

    annual_return: AnnualReturn
    previous: AnnualReturn | None
    flagged: set[str]

    @property
    def flags(self) -> dict[str, bool]:
        """{shown figure: raised} for the cells of the queue."""
        return {shown: bool(self.flagged.intersection(fields)) for shown, fields in SHOWN.items()}


def with_last_year(returns: list[AnnualReturn]) -> list[ReviewRow]:
    """Each return with its association's return of the year before and its outliers (one query)."""
    if not returns:
        return []
    years = {r.year for r in returns}
    previous = {
        (p.association_id, p.year + 1): p
        for p in AnnualReturn.objects.filter(
            association_id__in=[r.association_id for r in returns], year__in=[y - 1 for y in years]
        )
    }
    rows = []
    for annual_return in returns:
        before = previous.get((annual_return.association_id, annual_return.year))
        figures = {name: getattr(annual_return, name) for name in AnnualReturn.FIGURE_FIELDS}
        outliers = figure_outliers(previous=before, current=None, figures=figures)
        rows.append(ReviewRow(annual_return, before, {o.field for o in outliers}))
    return rows


def progress_of(*, chosen: ReviewFilter, options: list[Association]) -> list[Progress]:
    """The reporting of each province of the filter (of its tier, when one is chosen); one query."""
    provinces = [node for node in options if node.tier == Tier.PROVINCE]
    if chosen.province is not None:
        provinces = [chosen.province]
    elif chosen.cluster is not None:
        provinces = [p for p in provinces if p.parent_id == chosen.cluster.pk]
    return list(province_progress(year=chosen.year, provinces=provinces, tier=chosen.tier or None).values())


def province_groups(options: list[Association]) -> list[tuple[Association | None, list[Association]]]:
    """The provinces of `options` under their cluster (None where the cluster is not among them)."""
    clusters = {node.pk: node for node in options if node.tier == Tier.CLUSTER}
    groups: list[tuple[Association | None, list[Association]]] = []
    for node in options:
        if node.tier != Tier.PROVINCE:
            continue
        cluster = clusters.get(node.parent_id)
        if groups and groups[-1][0] == cluster:
            groups[-1][1].append(node)
        else:
            groups.append((cluster, [node]))
    return groups

"""Reads for the cluster conference summary."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F

from associations.access import report_clusters
from associations.models import Association, Tier, active_in_q, subtree_q
from core.years import reporting_year
from funds import sql
from funds.models import AnnualReturn, FundBalance, Scholarship, Transfer
from funds.selectors import Totals, subtree_totals
from funds.society import commune_counts

from .charts import BarChart, bar_chart
from .models import ClusterConference
from .rankings import competition_ranks


@dataclass
class MemberRow:
    association: Association
    totals: Totals
    own_return: AnnualReturn | None
    rank: int | None = None
    communes: int = 0


@dataclass
class ClusterReport:
    cluster: Association
    year: int
    conference: ClusterConference | None
    members: list[MemberRow]
    total: Totals
    funds: list[FundBalance] = field(default_factory=list)
    local_funds: list[AnnualReturn] = field(default_factory=list)
    scholarships: list[Scholarship] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    communes: int = 0

    @property
    def ranked(self) -> list[MemberRow]:
        return sorted(
            (m for m in self.members if m.rank is not None), key=lambda m: (m.rank, m.association.sort_key)
        )

    @property
    def chart(self) -> BarChart:
        return bar_chart(
            [(f"{m.rank}. {m.association.short_name}", m.totals.per_inhabitant) for m in self.ranked]
        )


def cluster_report(
    *, cluster: Association, year: int, conference: ClusterConference | None = None
) -> ClusterReport:
    """Everything the cluster report shows for `year`, in a fixed number of queries (ten, nine with `conference`).

    The tree is the one of `year`: the provinces under the cluster then, and the figures of the
    associations active then (as in the totals).

    1 conference (the year's latest unless given), 2 member provinces, 3-4 subtree totals (the
    returns, with the provinces' own sums for per inhabitant; the scholarships), 5 the members' own
    returns, 6 fund balances, 7 the ten largest local fund balances below the provinces, 8
    scholarships, 9 transfers received in the cluster, 10 the commune associations of each member,
    counted from the tree. One more the year after the reform
    (the members' predecessors, whose sum last year is the members' change: see
    funds.selectors.Lineage).
    """
    if conference is None:
        conference = (
            ClusterConference.objects.filter(cluster=cluster, year=year)
            .select_related("host", "next_host")
            .first()
        )
    members = list(cluster.get_children().active_in(year).of_tier(Tier.PROVINCE).order_by("sort_key"))
    totals = subtree_totals(year=year, nodes=[*members, cluster])
    own = {r.association_id: r for r in AnnualReturn.objects.filter(association__in=members, year=year)}
    communes = commune_counts(year=year, nodes=[*members, cluster])
    rows = [MemberRow(m, totals[m.pk], own.get(m.pk), communes=communes[m.pk]) for m in members]
    for row, rank in zip(rows, competition_ranks([r.totals.per_inhabitant for r in rows]), strict=True):
        row.rank = rank

    funds = list(
        FundBalance.objects.filter(
            subtree_q(cluster, prefix="fund__association__"),
            active_in_q(year, prefix="fund__association__"),
            year=year,
        )
        .select_related("fund", "fund__association")
        .order_by("fund__association__sort_key", F("balance").desc(nulls_last=True), "fund__name")
    )
    local_funds = list(
        AnnualReturn.objects.filter(active_in_q(year, prefix="association__"), year=year, fund_balance__gt=0)
        .in_subtree_of(cluster)
        .exclude(association__tier=Tier.PROVINCE)
        .select_related("association", "association__parent")
        .order_by("-fund_balance")[:10]
    )
    scholarships = list(
        Scholarship.objects.filter(
            subtree_q(cluster, prefix="association__"), active_in_q(year, prefix="association__"), year=year
        )
        .select_related("association")
        .order_by("association__sort_key", "programme")
    )
    transfers = Transfer.objects.filter(
        subtree_q(cluster, prefix="recipient__"), active_in_q(year, prefix="recipient__"), year=year
    )
    if conference is not None and conference.date is not None:
        transfers = transfers.filter(date=conference.date)
    transfers = list(transfers.select_related("giver", "recipient").order_by("date", "pk"))
    return ClusterReport(
        cluster=cluster,
        year=year,
        conference=conference,
        members=rows,
        total=totals[cluster.pk],
        funds=funds,
        local_funds=local_funds,
        scholarships=scholarships,
        transfers=transfers,
        communes=communes[cluster.pk],
    )


# The home page's report years are the cluster's conference years; besides, a year with returns but
# no conference record yet (one being prepared) is offered, but only among the last RECENT_YEARS up to
# the reporting year, each checked with an EXISTS that stops at its first return. So the page reads a
# handful of (cluster, year) probes, never every return of every year.
RECENT_YEARS = 3


def zip_clusters(*, user, year: int):
    """The clusters active in `year` whose report the user reads, by code: those a year's ZIP holds."""
    return report_clusters(user).active_in(year).order_by("code")


def cluster_report_index(*, user) -> list[tuple[Association, list[int]]]:
    """[(cluster, years newest first)] for every cluster whose report the user may read (three queries).

    The years are those of the cluster's conferences, and the last RECENT_YEARS in which some
    association of the cluster has a return.
    """
    clusters = list(report_clusters(user).order_by("code"))
    if not clusters:
        return []
    years: dict[int, set[int]] = {c.pk: set() for c in clusters}
    for pk, year in ClusterConference.objects.filter(cluster__in=clusters).values_list("cluster_id", "year"):
        years[pk].add(year)
    last = reporting_year()
    recent = list(range(last - RECENT_YEARS + 1, last + 1))
    placeholders = ", ".join(["%s"] * len(clusters))
    recent_sql = " UNION ALL ".join(["SELECT %s AS year"] * len(recent))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, y.year FROM {sql.ASSOCIATIONS} c CROSS JOIN ({recent_sql}) y
             WHERE c.id IN ({placeholders}) AND EXISTS (
                SELECT 1 FROM {sql.ASSOCIATIONS} a
                  JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year = y.year
                 WHERE {sql.in_subtree("a", "c")})
            """,
            [*recent, *(c.pk for c in clusters)],
        )
        for pk, year in cursor.fetchall():
            years[pk].add(year)
    return [(c, sorted(years[c.pk], reverse=True)) for c in clusters]

"""Reads over the yearly figures. Totals are summed in the database over MPTT ranges."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from associations.models import Association, Tier

from .models import AnnualReturn, Scholarship, mobilised_total

SUMMED = ["mobilised_cash", "mobilised_in_kind", "fund_balance", "awards_paid", "facilities"]


def per_head(amount: int | None, population: int | None) -> int | None:
    """Whole đồng per inhabitant, rounded half up; None without a population."""
    if amount is None or not population:
        return None
    return (2 * amount + population) // (2 * population)


def pct_change(new: int | None, old: int | None) -> Decimal | None:
    if new is None or not old:
        return None
    return (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Totals:
    """One node's subtree figures for a year, with the previous year for comparison."""

    node_id: int
    year: int
    returns: int = 0
    mobilised_cash: int | None = None
    mobilised_in_kind: int | None = None
    fund_balance: int | None = None
    awards_paid: int | None = None
    facilities: int | None = None
    population: int | None = None
    prev_mobilised: int | None = None
    prev_population: int | None = None
    # Clusters and the central node: the mobilised of the provinces that reported a population,
    # so that per inhabitant divides like by like.
    aggregate: bool = False
    comparable: bool = True
    mobilised_with_population: int | None = None
    prev_mobilised_with_population: int | None = None
    scholarship_awards: int | None = None
    scholarship_value: int | None = None

    @property
    def has_data(self) -> bool:
        return self.returns > 0

    @property
    def mobilised(self) -> int | None:
        return mobilised_total(self.mobilised_cash, self.mobilised_in_kind)

    @property
    def per_inhabitant(self) -> int | None:
        numerator = self.mobilised_with_population if self.aggregate else self.mobilised
        return per_head(numerator, self.population)

    @property
    def prev_per_inhabitant(self) -> int | None:
        numerator = self.prev_mobilised_with_population if self.aggregate else self.prev_mobilised
        return per_head(numerator, self.prev_population)

    @property
    def per_inhabitant_change(self) -> int | None:
        if not self.comparable or self.per_inhabitant is None or self.prev_per_inhabitant is None:
            return None
        return self.per_inhabitant - self.prev_per_inhabitant

    @property
    def per_inhabitant_change_pct(self) -> Decimal | None:
        if not self.comparable:
            return None
        return pct_change(self.per_inhabitant, self.prev_per_inhabitant)

    @property
    def mobilised_change(self) -> int | None:
        if self.mobilised is None or self.prev_mobilised is None:
            return None
        return self.mobilised - self.prev_mobilised

    @property
    def mobilised_change_pct(self) -> Decimal | None:
        return pct_change(self.mobilised, self.prev_mobilised)


def _sql(node_count: int) -> str:
    a = Association._meta.db_table
    r = AnnualReturn._meta.db_table
    current = ",\n".join(f"SUM(CASE WHEN r.year = %(y)s THEN r.{f} END) AS {f}" for f in SUMMED)
    placeholders = ", ".join(f"%(n{i})s" for i in range(node_count))
    # Population: the node's own return; clusters and the central node report none, so theirs is
    # the sum over the provinces of their subtree.
    return f"""
        SELECT n.id,
               COUNT(CASE WHEN r.year = %(y)s THEN 1 END) AS returns,
               {current},
               SUM(CASE WHEN r.year = %(p)s
                         AND (r.mobilised_cash IS NOT NULL OR r.mobilised_in_kind IS NOT NULL)
                        THEN COALESCE(r.mobilised_cash, 0) + COALESCE(r.mobilised_in_kind, 0)
                   END) AS prev_mobilised,
               MAX(CASE WHEN r.year = %(y)s AND a.id = n.id THEN r.population END) AS own_pop,
               MAX(CASE WHEN r.year = %(p)s AND a.id = n.id THEN r.population END) AS own_prev_pop,
               SUM(CASE WHEN r.year = %(y)s AND a.tier = %(province)s THEN r.population END) AS prov_pop,
               SUM(CASE WHEN r.year = %(p)s AND a.tier = %(province)s THEN r.population END) AS prov_prev_pop,
               n.tier
          FROM {a} n
          JOIN {a} a ON a.tree_id = n.tree_id AND a.lft >= n.lft AND a.lft <= n.rght
          JOIN {r} r ON r.association_id = a.id AND r.year IN (%(y)s, %(p)s)
         WHERE n.id IN ({placeholders})
           AND (a.active_from IS NULL OR a.active_from <= r.year)
           AND (a.active_until IS NULL OR a.active_until >= r.year)
         GROUP BY n.id, n.tier
    """


def subtree_totals(*, year: int, nodes: Iterable[Association | int]) -> dict[int, Totals]:
    """{node id: Totals} for every node given, summing each node's subtree in one query per table.

    Two queries whatever the size of the tree (the returns, the scholarships), and a third when a
    cluster or the central node is among `nodes` (mobilised of the provinces with a population).
    """
    ids = [n.pk if isinstance(n, Association) else int(n) for n in nodes]
    result = {pk: Totals(node_id=pk, year=year) for pk in ids}
    if not ids:
        return result
    params = {"y": year, "p": year - 1, "province": Tier.PROVINCE}
    params.update({f"n{i}": pk for i, pk in enumerate(ids)})
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(ids)), params)
        for row in cursor.fetchall():
            (pk, returns, *sums, prev, own_pop, own_prev_pop, prov_pop, prov_prev_pop, tier) = row
            totals = result[pk]
            totals.returns = returns
            for name, value in zip(SUMMED, sums, strict=True):
                setattr(totals, name, int(value) if value is not None else None)
            aggregate_pop = tier in (Tier.CLUSTER, Tier.CENTRAL)
            totals.aggregate = aggregate_pop
            totals.population = int(prov_pop) if aggregate_pop and prov_pop else own_pop
            totals.prev_population = int(prov_prev_pop) if aggregate_pop and prov_prev_pop else own_prev_pop
            totals.prev_mobilised = int(prev) if prev is not None else None
        _add_scholarships(year, ids, result)
    aggregates = [pk for pk, t in result.items() if t.aggregate]
    if aggregates:
        _add_mobilised_with_population(year, aggregates, result)
    return result


def _add_mobilised_with_population(year: int, ids: list[int], result: dict[int, Totals]) -> None:
    a = Association._meta.db_table
    r = AnnualReturn._meta.db_table
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(ids)))
    params = {
        "y": year,
        "p": year - 1,
        "province": Tier.PROVINCE,
        **{f"n{i}": pk for i, pk in enumerate(ids)},
    }
    # Blank amounts are "not reported": a sum over none of them stays NULL (shown "—"), never 0.
    reported = "AND (r.mobilised_cash IS NOT NULL OR r.mobilised_in_kind IS NOT NULL)"
    amount = "COALESCE(r.mobilised_cash, 0) + COALESCE(r.mobilised_in_kind, 0)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id,
                   SUM(CASE WHEN r.year = %(y)s {reported} THEN {amount} END),
                   SUM(CASE WHEN r.year = %(p)s {reported} THEN {amount} END),
                   COUNT(DISTINCT CASE WHEN pr.year = %(y)s THEN p.id END),
                   COUNT(DISTINCT CASE WHEN pr.year = %(p)s THEN p.id END),
                   COUNT(DISTINCT p.id)
              FROM {a} n
              JOIN {a} p ON p.tree_id = n.tree_id AND p.lft > n.lft AND p.rght < n.rght AND p.tier = %(province)s
              JOIN {r} pr ON pr.association_id = p.id AND pr.year IN (%(y)s, %(p)s) AND pr.population IS NOT NULL
              JOIN {a} a ON a.tree_id = p.tree_id AND a.lft >= p.lft AND a.lft <= p.rght
              JOIN {r} r ON r.association_id = a.id AND r.year = pr.year
             WHERE n.id IN ({placeholders})
               AND (a.active_from IS NULL OR a.active_from <= r.year)
               AND (a.active_until IS NULL OR a.active_until >= r.year)
               AND (p.active_from IS NULL OR p.active_from <= r.year)
               AND (p.active_until IS NULL OR p.active_until >= r.year)
             GROUP BY n.id
            """,
            params,
        )
        for pk, current, previous, now_count, prev_count, either_count in cursor.fetchall():
            totals = result[pk]
            totals.mobilised_with_population = int(current) if current is not None else None
            totals.prev_mobilised_with_population = int(previous) if previous is not None else None
            # The same provinces both years, or the change compares different populations.
            totals.comparable = now_count == prev_count == either_count


def _add_scholarships(year: int, ids: list[int], result: dict[int, Totals]) -> None:
    a = Association._meta.db_table
    s = Scholarship._meta.db_table
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(ids)))
    params = {"y": year, **{f"n{i}": pk for i, pk in enumerate(ids)}}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id, SUM(s.awards), SUM(s.total_value)
              FROM {a} n
              JOIN {a} a ON a.tree_id = n.tree_id AND a.lft >= n.lft AND a.lft <= n.rght
              JOIN {s} s ON s.association_id = a.id AND s.year = %(y)s
             WHERE n.id IN ({placeholders})
               AND (a.active_from IS NULL OR a.active_from <= %(y)s)
               AND (a.active_until IS NULL OR a.active_until >= %(y)s)
             GROUP BY n.id
            """,
            params,
        )
        for pk, awards, value in cursor.fetchall():
            result[pk].scholarship_awards = int(awards) if awards is not None else None
            result[pk].scholarship_value = int(value) if value is not None else None


def funds_with_balance(*, association: Association, year: int):
    """The association's funds, each annotated with `balance` and `balance_id` for `year` (one query)."""
    from django.db.models import OuterRef, Subquery

    from .models import Fund, FundBalance

    this_year = FundBalance.objects.filter(fund=OuterRef("pk"), year=year)
    return (
        Fund.objects.filter(association=association)
        .annotate(
            balance=Subquery(this_year.values("balance")[:1]),
            balance_id=Subquery(this_year.values("pk")[:1]),
        )
        .order_by("name")
    )


def transfers_received(*, association: Association, year: int):
    """Transfers received by the association in `year`, with the giving association (one query)."""
    from .models import Transfer

    return (
        Transfer.objects.filter(recipient=association, year=year)
        .select_related("giver")
        .order_by("date", "pk")
    )

"""Reads over the yearly figures. Totals are summed in the database over MPTT ranges."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from associations.models import Association, Tier

from . import catalogue, sql
from .models import Scholarship, mobilised_total

# The typed figures a total adds up (funds/catalogue.py); read again by each query, so that a figure
# added to the catalogue is summed with no other edit.
SUMMED = catalogue.summed()


def summed_columns() -> list[tuple[str, str]]:
    """(name, SQL over the return `r`) of every sum a total reads: the catalogue's summed figures,
    then the two paired sums of each share (catalogue.paired())."""
    columns = [(name, f"r.{name}") for name in catalogue.summed()]
    columns += [(alias, sql.paired("r", value, other)) for alias, value, other in catalogue.paired()]
    return columns


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
    # An all-levels return, and what the returns below it add up to (reconciliation).
    all_levels: bool = False
    below_mobilised: int | None = None
    # Clusters and the central node: each ratio's numerator (catalogue.RATIO) summed over the
    # provinces that reported a population.
    with_population: dict = field(default_factory=dict)
    # An all-levels return: every sum of the returns below it (reconciliation), by summed name.
    below: dict = field(default_factory=dict)

    def below_share(self, name: str) -> Decimal | None:
        """What the returns below an all-levels return add up to for the share `name`; None otherwise."""
        return catalogue.percent_of(self.below.get(f"{name}__num"), self.below.get(f"{name}__den"))

    def below_progress(self, name: str) -> Decimal | None:
        """The progress on its target of below_share(name)."""
        target = catalogue.get(name).target_for(self.year)
        return catalogue.progress(self.below.get(f"{name}__num"), self.below.get(f"{name}__den"), target)

    def __getattr__(self, name: str):
        """A catalogue figure not set by the query (None), or derived from those that are."""
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            figure = catalogue.get(name.partition("__")[0])
        except KeyError:
            raise AttributeError(name) from None
        if figure.column or "__" in name:
            return None  # summed, but no return gave it
        return self.value(figure)

    def value(self, figure: catalogue.Figure):
        """The value of a derived figure of the catalogue (a sum of parts, a ratio, a share, a progress)."""
        if figure.parts:
            values = [getattr(self, part) for part in figure.parts]
            return None if all(v is None for v in values) else sum(v or 0 for v in values)
        if figure.adds_up == catalogue.RATIO:
            if self.aggregate:
                numerator = self.with_population.get(figure.numerator)
            else:
                numerator = getattr(self, figure.numerator)
            if figure.unit == catalogue.PER_PERSON:
                return per_head(numerator, self.population)
            return catalogue.percent_of(numerator, self.population)
        if figure.adds_up == catalogue.SHARE:
            return catalogue.percent_of(
                getattr(self, f"{figure.name}__num"), getattr(self, f"{figure.name}__den")
            )
        if figure.adds_up == catalogue.PROGRESS:
            share = figure.numerator
            return catalogue.progress(
                getattr(self, f"{share}__num"), getattr(self, f"{share}__den"), figure.target_for(self.year)
            )
        return getattr(self, figure.name)

    def target(self, name: str) -> catalogue.Target | None:
        """The national target the share `name` is measured against in this year."""
        return catalogue.get(name).target_for(self.year)

    @property
    def below_share_pct(self) -> Decimal | None:
        """The part of an all-levels mobilised figure that the returns below account for, in %."""
        if not self.all_levels or self.below_mobilised is None or not self.mobilised:
            return None
        return (Decimal(self.below_mobilised) * 100 / Decimal(self.mobilised)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def below_exceeds(self) -> bool:
        """The returns below add up to more than the all-levels figure that should include them."""
        return (
            self.all_levels
            and self.below_mobilised is not None
            and (self.mobilised is None or self.below_mobilised > self.mobilised)
        )

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


@dataclass
class YearSums:
    """What one statement reads for one node and year: its own return, and what lies below it.

    `own` holds the node's own return's figures and `below` the sum of the returns below it that no
    all-levels return in between already counts (DESIGN.md "What a return covers").
    """

    node_id: int
    year: int
    tier: str
    tree_id: int
    lft: int
    rght: int
    returns: int = 0
    all_levels: bool = False
    own_population: int | None = None
    province_population: int | None = None
    own: dict = field(default_factory=dict)
    below: dict = field(default_factory=dict)

    def total(self, name: str) -> int | None:
        """The node's total: its all-levels return where it has one, else its own plus what lies below."""
        if self.all_levels:
            return self.own.get(name)
        own, below = self.own.get(name), self.below.get(name)
        if own is None and below is None:
            return None
        return (own or 0) + (below or 0)

    @property
    def mobilised(self) -> int | None:
        return mobilised_total(self.total("mobilised_cash"), self.total("mobilised_in_kind"))

    def value(self, name: str) -> int | None:
        """The node's total of a summed figure, or of a derived sum of them (the mobilised)."""
        parts = catalogue.get(name).parts
        if not parts:
            return self.total(name)
        values = [self.total(part) for part in parts]
        return None if all(v is None for v in values) else sum(v or 0 for v in values)


def _as_int(value) -> int | None:
    return int(value) if value is not None else None


def _year_sums(*, years: list[int], nodes_sql: str, params: dict) -> dict[tuple[int, int], YearSums]:
    """{(node id, year): YearSums} for the nodes that `nodes_sql` (a condition on `n`) selects; one query."""
    year_params = {f"y{i}": y for i, y in enumerate(years)}
    in_years = ", ".join(f"%({k})s" for k in year_params)
    summed = summed_columns()
    names = [name for name, _expr in summed]
    own = ",\n".join(f"MAX(CASE WHEN x.is_self = 1 THEN x.{name} END)" for name in names)
    below = ",\n".join(f"SUM(CASE WHEN x.is_self = 0 AND x.covered = 0 THEN x.{name} END)" for name in names)
    columns = ", ".join(f"{expr} AS {name}" for name, expr in summed)
    query = f"""
        WITH {sql.covers(in_years)}
        SELECT x.node_id, x.year, x.tier_n, x.tree_id, x.lft, x.rght,
               COUNT(*),
               MAX(CASE WHEN x.is_self = 1 AND x.coverage = '{sql.ALL_LEVELS}' THEN 1 ELSE 0 END),
               MAX(CASE WHEN x.is_self = 1 THEN x.population END),
               SUM(CASE WHEN x.tier = %(province)s THEN x.population END),
               {own},
               {below}
          FROM (
            SELECT n.id AS node_id, n.tier AS tier_n, n.tree_id, n.lft, n.rght, r.year, a.tier, r.coverage, r.population,
                   {columns},
                   CASE WHEN a.id = n.id THEN 1 ELSE 0 END AS is_self,
                   CASE WHEN {sql.covered_below("a", "r", "n")} THEN 1 ELSE 0 END AS covered
              FROM {sql.ASSOCIATIONS} n
              JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
              JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year IN ({in_years})
             WHERE ({nodes_sql}) AND {sql.active("a", "r.year")}
          ) x
         GROUP BY x.node_id, x.year, x.tier_n, x.tree_id, x.lft, x.rght
    """
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(query, {**params, **year_params, "province": Tier.PROVINCE})
        rows = cursor.fetchall()
    n = len(names)
    for pk, year, tier, tree_id, lft, rght, count, all_levels, own_pop, prov_pop, *values in rows:
        result[pk, year] = YearSums(
            node_id=pk,
            year=year,
            tier=tier,
            tree_id=tree_id,
            lft=lft,
            rght=rght,
            returns=count,
            all_levels=bool(all_levels),
            own_population=_as_int(own_pop),
            province_population=_as_int(prov_pop),
            own=dict(zip(names, map(_as_int, values[:n]), strict=True)),
            below=dict(zip(names, map(_as_int, values[n:]), strict=True)),
        )
    return result


def _ids_sql(ids: list[int]) -> tuple[str, dict]:
    params = {f"n{i}": pk for i, pk in enumerate(ids)}
    return "n.id IN (" + ", ".join(f"%({k})s" for k in params) + ")", params


def _provinces_sums(*, years: list[int], aggregate_ids: list[int]) -> dict[tuple[int, int], YearSums]:
    """YearSums of every province below the given clusters or central node, for `years` (one query)."""
    ids_sql, params = _ids_sql(aggregate_ids)
    provinces = f"""n.tier = %(province)s AND n.id IN (
        SELECT p.id FROM {sql.ASSOCIATIONS} p JOIN {sql.ASSOCIATIONS} n ON {sql.in_subtree("p", "n")}
         WHERE {ids_sql})"""
    return _year_sums(years=years, nodes_sql=provinces, params=params)


def _ratio_numerators() -> list[str]:
    return [f.numerator for f in catalogue.FIGURES if f.adds_up == catalogue.RATIO]


def _with_population(aggregate: YearSums, provinces: list[YearSums]) -> tuple[dict, set[int]]:
    """Each ratio's numerator summed over the provinces under `aggregate` that gave a population
    ({name: sum or None}), and which provinces they are."""
    inside = [
        p
        for p in provinces
        if p.year == aggregate.year
        and p.tree_id == aggregate.tree_id
        and aggregate.lft < p.lft < aggregate.rght
        and p.own_population
    ]
    sums = {}
    for name in _ratio_numerators():
        amounts = [v for p in inside if (v := p.value(name)) is not None]
        sums[name] = sum(amounts) if amounts else None
    return sums, {p.node_id for p in inside}


def _fill(totals: Totals, now: YearSums | None, before: YearSums | None) -> bool:
    """Set `totals` from the sums of its year and the year before; True for a cluster or the central node."""
    if now is not None:
        totals.returns = now.returns
        for name, _expr in summed_columns():
            setattr(totals, name, now.total(name))
        totals.all_levels = now.all_levels
        if now.all_levels:
            totals.below_mobilised = mobilised_total(
                now.below.get("mobilised_cash"), now.below.get("mobilised_in_kind")
            )
            totals.below = dict(now.below)
    if before is not None:
        totals.prev_mobilised = before.mobilised
    either = now or before
    if either is not None and either.tier in (Tier.CLUSTER, Tier.CENTRAL):
        # Clusters and the central node report no population: theirs is their provinces'.
        totals.aggregate = True
        totals.population = now.province_population if now else None
        totals.prev_population = before.province_population if before else None
        return True
    totals.population = now.own_population if now else None
    totals.prev_population = before.own_population if before else None
    return False


def _fill_aggregate(totals: Totals, now: YearSums | None, before: YearSums | None, provinces: list[YearSums]):
    reported_now = reported_before = set()
    if now is not None:
        totals.with_population, reported_now = _with_population(now, provinces)
        totals.mobilised_with_population = totals.with_population.get("mobilised")
    if before is not None:
        previous, reported_before = _with_population(before, provinces)
        totals.prev_mobilised_with_population = previous.get("mobilised")
    # The same provinces both years, or the change compares different populations.
    totals.comparable = reported_now == reported_before


def subtree_totals(*, year: int, nodes: Iterable[Association | int]) -> dict[int, Totals]:
    """{node id: Totals} for every node given, each by the all-levels rule, in a fixed number of queries.

    Two queries whatever the size of the tree (the returns of this year and the last, the
    scholarships), and a third when a cluster or the central node is among `nodes` (the totals of
    their provinces, so that per inhabitant divides only the money of provinces with a population).
    """
    ids = [n.pk if isinstance(n, Association) else int(n) for n in nodes]
    result = {pk: Totals(node_id=pk, year=year) for pk in ids}
    if not ids:
        return result
    ids_sql, params = _ids_sql(ids)
    sums = _year_sums(years=[year, year - 1], nodes_sql=ids_sql, params=params)
    aggregates = [
        (totals, sums.get((pk, year)), sums.get((pk, year - 1)))
        for pk, totals in result.items()
        if _fill(totals, sums.get((pk, year)), sums.get((pk, year - 1)))
    ]
    _add_scholarships(year, ids_sql, params, result)
    if aggregates:
        aggregate_ids = [t.node_id for t, _, _ in aggregates]
        provinces = list(_provinces_sums(years=[year, year - 1], aggregate_ids=aggregate_ids).values())
        for totals, now, before in aggregates:
            _fill_aggregate(totals, now, before, provinces)
    return result


def yearly_totals(*, node: Association, first_year: int, last_year: int) -> list[Totals]:
    """The node's Totals for each year from `first_year` to `last_year`, by the rule of subtree_totals.

    Scholarships aside. One query, and a second for a cluster or the central node.
    """
    ids_sql, params = _ids_sql([node.pk])
    years = list(range(first_year - 1, last_year + 1))
    sums = _year_sums(years=years, nodes_sql=ids_sql, params=params)
    points = []
    for year in years[1:]:
        totals = Totals(node_id=node.pk, year=year)
        now, before = sums.get((node.pk, year)), sums.get((node.pk, year - 1))
        _fill(totals, now, before)
        points.append((totals, now, before))
    if node.tier in (Tier.CLUSTER, Tier.CENTRAL) and sums:
        provinces = list(_provinces_sums(years=years, aggregate_ids=[node.pk]).values())
        for totals, now, before in points:
            if totals.aggregate:
                _fill_aggregate(totals, now, before, provinces)
    return [totals for totals, _, _ in points]


def _add_scholarships(year: int, ids_sql: str, params: dict, result: dict[int, Totals]) -> None:
    """Scholarships are listed programmes, not aggregates: each counts once, at whatever tier it is listed."""
    s = Scholarship._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id, SUM(s.awards), SUM(s.total_value)
              FROM {sql.ASSOCIATIONS} n
              JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
              JOIN {s} s ON s.association_id = a.id AND s.year = %(y)s
             WHERE {ids_sql} AND {sql.active("a", "%(y)s")}
             GROUP BY n.id
            """,
            {**params, "y": year},
        )
        for pk, awards, value in cursor.fetchall():
            result[pk].scholarship_awards = _as_int(awards)
            result[pk].scholarship_value = _as_int(value)


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


def commune_counts(*, year: int, nodes: Iterable[Association | int]) -> dict[int, int]:
    """{node id: the commune associations active in `year` in its subtree, itself included} (one query).

    Counted from the tree, never typed: the reports' "hội cấp xã".
    """
    ids = [n.pk if isinstance(n, Association) else int(n) for n in nodes]
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    ids_sql, params = _ids_sql(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id, COUNT(a.id)
              FROM {sql.ASSOCIATIONS} n
              JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
             WHERE {ids_sql} AND a.tier = %(commune)s AND {sql.active("a", "%(y)s")}
             GROUP BY n.id
            """,
            {**params, "y": year, "commune": Tier.COMMUNE},
        )
        for pk, count in cursor.fetchall():
            result[pk] = count
    return result


@dataclass
class TitleProgress:
    """One share of the catalogue in a node's totals: the counts, the share and the progress on its target."""

    figure: catalogue.Figure
    registered: int | None
    recognised: int | None
    denominator: int | None
    share: Decimal | None
    target: catalogue.Target | None
    progress: Decimal | None
    # Beside an all-levels return: what the returns below it add up to (reconciliation).
    below_share: Decimal | None = None
    below_progress: Decimal | None = None

    @property
    def recognised_label(self) -> str:
        return catalogue.get(self.figure.numerator).label

    @property
    def denominator_label(self) -> str:
        return catalogue.get(self.figure.denominator).label


def title_progress(totals: Totals) -> list[TitleProgress]:
    """One TitleProgress per share of the catalogue, in its order; no query."""
    rows = []
    for figure in catalogue.shares():
        share = getattr(totals, figure.name)
        target = figure.target_for(totals.year)
        rows.append(
            TitleProgress(
                figure=figure,
                registered=getattr(totals, figure.registered) if figure.registered else None,
                recognised=getattr(totals, figure.numerator),
                denominator=getattr(totals, figure.denominator),
                share=share,
                target=target,
                progress=getattr(totals, f"{figure.name}_progress", None) if target else None,
                below_share=totals.below_share(figure.name),
                below_progress=totals.below_progress(figure.name),
            )
        )
    return rows


def group_values(totals: Totals, group: str) -> list[tuple[catalogue.Figure, int | Decimal | None]]:
    """(figure, value) of each figure of one catalogue group in a node's totals, shares aside; no query."""
    return [
        (f, getattr(totals, f.name))
        for f in catalogue.figures(group=group)
        if f.adds_up in (catalogue.SUM, catalogue.RATIO)
    ]

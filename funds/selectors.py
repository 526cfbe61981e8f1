"""Reads over the yearly figures. Totals are summed in the database over MPTT ranges."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from associations.models import Association, Succession, Tier

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


@dataclass(frozen=True)
class Derivation:
    """A year before the node existed, read from its predecessors (the 2025 reform).

    `names` are every predecessor's short name in sort-key order; `missing` those with no return that
    year; `split` those that other nodes succeed too. A split predecessor's figures belong to several
    successors and nobody knows the shares, so with any split nothing is summed.
    """

    names: tuple[str, ...]
    missing: tuple[str, ...] = ()
    split: tuple[str, ...] = ()

    @property
    def summed(self) -> bool:
        return not self.split


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
    # The year (or the year before) predates the node: its figures are its predecessors' (or none).
    derived: Derivation | None = None
    prev_derived: Derivation | None = None

    @property
    def from_predecessors(self) -> list[str]:
        """The predecessors whose totals make this year's figures; empty when the node's own."""
        return list(self.derived.names) if self.derived and self.derived.summed else []

    @property
    def prev_from_predecessors(self) -> list[str]:
        """The predecessors whose totals make the previous year's figures; empty when the node's own."""
        return list(self.prev_derived.names) if self.prev_derived and self.prev_derived.summed else []

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
            # A sum of predecessors divides like a cluster: the numerators of those with a population.
            if self.aggregate or self.derived is not None:
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
        # A sum of predecessors divides like a cluster: the money of those that gave a population.
        by_parts = self.aggregate or self.derived is not None
        numerator = self.mobilised_with_population if by_parts else self.mobilised
        return per_head(numerator, self.population)

    @property
    def prev_per_inhabitant(self) -> int | None:
        by_parts = self.aggregate or self.prev_derived is not None
        numerator = self.prev_mobilised_with_population if by_parts else self.prev_mobilised
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
    # `x` is materialised: inlined, PostgreSQL evaluates the `covered` EXISTS once for each column
    # that reads it (some sixty subplans a row, seconds on the national tree), not once a row.
    query = f"""
        WITH {sql.covers(in_years)},
        x AS MATERIALIZED (
            SELECT n.id AS node_id, n.tier AS tier_n, n.tree_id, n.lft, n.rght, r.year, a.tier, r.coverage, r.population,
                   {columns},
                   CASE WHEN a.id = n.id THEN 1 ELSE 0 END AS is_self,
                   CASE WHEN {sql.covered_below("a", "r", "n")} THEN 1 ELSE 0 END AS covered
              FROM {sql.ASSOCIATIONS} n
              JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
              JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year IN ({in_years})
             WHERE ({nodes_sql}) AND {sql.active("a", "r.year")}
        )
        SELECT x.node_id, x.year, x.tier_n, x.tree_id, x.lft, x.rght,
               COUNT(*),
               MAX(CASE WHEN x.is_self = 1 AND x.coverage = '{sql.ALL_LEVELS}' THEN 1 ELSE 0 END),
               MAX(CASE WHEN x.is_self = 1 THEN x.population END),
               SUM(CASE WHEN x.tier = %(province)s THEN x.population END),
               {own},
               {below}
          FROM x
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


def _sum(values: Iterable[int | None]) -> int | None:
    """The sum of the values given; None when none was (blank means not reported, not zero)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@dataclass(frozen=True)
class Predecessor:
    """A node the reform replaced, and the other nodes that succeed it too (a split when any)."""

    pk: int
    name: str
    short_name: str
    others: tuple[str, ...] = ()


@dataclass
class Derived:
    """A node's year summed from its predecessors' sums; _fill() reads it like a YearSums."""

    derivation: Derivation
    tier: str
    returns: int = 0
    figures: dict = field(default_factory=dict)
    own_population: int | None = None
    # Each ratio's numerator summed over the predecessors that gave a population, and which those are.
    with_population: dict = field(default_factory=dict)
    ground: frozenset[int] = frozenset()
    all_levels: bool = False
    below: dict = field(default_factory=dict)

    def total(self, name: str) -> int | None:
        return self.figures.get(name)

    @property
    def mobilised(self) -> int | None:
        return mobilised_total(self.total("mobilised_cash"), self.total("mobilised_in_kind"))

    def value(self, name: str) -> int | None:
        return YearSums.value(self, name)


@dataclass(frozen=True)
class Lineage:
    """A node active from `active_from` and its predecessors, in sort-key order (one reform, not transitive).

    The rule: for a year before `active_from` the node's figures are the sum of its predecessors'
    totals for that year, each by the all-levels rule, unless a predecessor also has another
    successor (a commune split across new ones). Its figures are then whole in every successor's
    history and no share is known, so nothing is summed: the year stays empty, marked as not summed,
    and the predecessors are shown side by side instead (predecessor_table). Per inhabitant of a
    summed year divides the money of the predecessors that gave a population by their population;
    a change per inhabitant is shown only between years over the same ground (every predecessor
    with a population in a summed year, as the node's own year covers them all).
    """

    node_id: int
    tier: str
    active_from: int
    predecessors: tuple[Predecessor, ...]

    def covers(self, year: int) -> bool:
        """`year` predates the node, so its figures are read from the predecessors."""
        return year < self.active_from

    @property
    def split(self) -> tuple[str, ...]:
        return tuple(p.short_name for p in self.predecessors if p.others)

    def derive(self, year: int, sums: dict[tuple[int, int], YearSums]) -> Derived:
        """The node's `year` from its predecessors' sums (given for that year)."""
        found = [sums[p.pk, year] for p in self.predecessors if (p.pk, year) in sums]
        derivation = Derivation(
            names=tuple(p.short_name for p in self.predecessors),
            missing=tuple(p.short_name for p in self.predecessors if (p.pk, year) not in sums),
            split=self.split,
        )
        if not derivation.summed:
            return Derived(derivation=derivation, tier=self.tier)
        # Like a cluster: the population of the predecessors that gave one, and only their money over it.
        counted = [s for s in found if s.own_population]
        return Derived(
            derivation=derivation,
            tier=self.tier,
            returns=sum(s.returns for s in found),
            figures={name: _sum(s.total(name) for s in found) for name, _expr in summed_columns()},
            own_population=_sum(s.own_population for s in counted),
            with_population={name: _sum(s.value(name) for s in counted) for name in _ratio_numerators()},
            ground=frozenset(s.node_id for s in counted),
        )


def lineages(ids: list[int]) -> dict[int, Lineage]:
    """{node id: Lineage} for those of the nodes given that have predecessors and a first year (one query).

    Clusters and the central node are the same nodes across the reform and have none.
    """
    direct = Succession.objects.filter(successor__in=ids).values("predecessor")
    rows = Succession.objects.filter(predecessor__in=direct).values_list(
        "predecessor_id",
        "predecessor__name",
        "predecessor__short_name",
        "predecessor__sort_key",
        "successor_id",
        "successor__short_name",
        "successor__sort_key",
        "successor__tier",
        "successor__active_from",
    )
    successors: dict[int, list[tuple[str, int, str]]] = {}
    predecessors: dict[int, list[tuple[str, int, str, str]]] = {}
    nodes: dict[int, tuple[str, int | None]] = {}
    for pred, name, short, key, succ, succ_short, succ_key, tier, active_from in rows:
        successors.setdefault(pred, []).append((succ_key, succ, succ_short))
        predecessors.setdefault(succ, []).append((key, pred, name, short))
        nodes[succ] = (tier, active_from)
    result = {}
    for pk in ids:
        tier, active_from = nodes.get(pk, (None, None))
        if active_from is None or tier in (Tier.CLUSTER, Tier.CENTRAL):
            continue
        chosen = [
            Predecessor(
                pk=pred,
                name=name,
                short_name=short,
                others=tuple(s for _key, other, s in sorted(successors[pred]) if other != pk),
            )
            for _key, pred, name, short in sorted(predecessors[pk])
        ]
        result[pk] = Lineage(node_id=pk, tier=tier, active_from=active_from, predecessors=tuple(chosen))
    return result


def _may_derive(nodes: list[Association | int], first_year: int) -> bool:
    """Some node may have begun after `first_year`; a bare id may, as far as is known without a query."""
    return any(
        not isinstance(n, Association) or (n.active_from is not None and n.active_from > first_year)
        for n in nodes
    )


def _year(pk: int, year: int, sums: dict, lineage: Lineage | None) -> YearSums | Derived | None:
    """What the node's figures for `year` are read from: its own sums, or its predecessors'."""
    if lineage is not None and lineage.covers(year):
        return lineage.derive(year, sums)
    return sums.get((pk, year))


def _fill(totals: Totals, now: YearSums | Derived | None, before: YearSums | Derived | None) -> bool:
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


def _fill_derived(totals: Totals, now, before, lineage: Lineage | None) -> None:
    """Mark the years read from predecessors, and compare per inhabitant only over the same ground."""
    if lineage is None:
        return
    if isinstance(now, Derived):
        totals.derived = now.derivation
        totals.with_population = now.with_population
        totals.mobilised_with_population = now.with_population.get("mobilised")
    if isinstance(before, Derived):
        totals.prev_derived = before.derivation
        totals.prev_mobilised_with_population = before.with_population.get("mobilised")
    if totals.derived or totals.prev_derived:
        # The node's own year covers all its predecessors' ground; a derived one, those with a population.
        everything = frozenset(p.pk for p in lineage.predecessors)
        ground = [x.ground if isinstance(x, Derived) else everything for x in (now, before)]
        totals.comparable = ground[0] == ground[1]


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

    Two queries whatever the size of the tree or the nodes asked: the returns of this year and the
    last (with, for a cluster or the central node among `nodes`, the totals of their provinces, so
    that per inhabitant divides only the money of provinces with a population), the scholarships;
    a third when a cluster or the central node is given by its bare id (its provinces, read after);
    and one first when a node began after last year (its predecessors, whose sums the other
    queries read with the nodes': see Lineage for the rule).
    """
    nodes = list(nodes)
    ids = [n.pk if isinstance(n, Association) else int(n) for n in nodes]
    result = {pk: Totals(node_id=pk, year=year) for pk in ids}
    if not ids:
        return result
    lineage_of = lineages(ids) if _may_derive(nodes, year - 1) else {}
    ids_sql, params = _ids_sql([*ids, *(p.pk for lin in lineage_of.values() for p in lin.predecessors)])
    # The provinces under a cluster or the central node given are summed in the same statement (per
    # inhabitant of an aggregate divides only the money of provinces with a population), each
    # selected by its MPTT range so that the planner reads them off the (tree_id, lft) index.
    known = [n for n in nodes if isinstance(n, Association) and n.tier in (Tier.CLUSTER, Tier.CENTRAL)]
    nodes_sql = ids_sql
    if known:
        ranges = []
        for i, node in enumerate(known):
            ranges.append(f"(n.tree_id = %(t{i})s AND n.lft > %(l{i})s AND n.lft < %(r{i})s)")
            params |= {f"t{i}": node.tree_id, f"l{i}": node.lft, f"r{i}": node.rght}
        nodes_sql = f"{ids_sql} OR (n.tier = %(province)s AND ({' OR '.join(ranges)}))"
    sums = _year_sums(years=[year, year - 1], nodes_sql=nodes_sql, params=params)
    aggregates = []
    for pk, totals in result.items():
        lineage = lineage_of.get(pk)
        now, before = _year(pk, year, sums, lineage), _year(pk, year - 1, sums, lineage)
        if _fill(totals, now, before):
            aggregates.append((totals, now, before))
        _fill_derived(totals, now, before, lineage)
    _add_scholarships(year, ids_sql, params, result, lineage_of)
    if aggregates:
        provinces = [s for s in sums.values() if s.tier == Tier.PROVINCE]
        # An aggregate given by its id alone: its provinces were not known to the first statement.
        unknown = [t.node_id for t, _, _ in aggregates if t.node_id not in {n.pk for n in known}]
        if unknown:
            provinces += _provinces_sums(years=[year, year - 1], aggregate_ids=unknown).values()
        for totals, now, before in aggregates:
            _fill_aggregate(totals, now, before, provinces)
    return result


def yearly_totals(*, node: Association, first_year: int, last_year: int) -> list[Totals]:
    """The node's Totals for each year from `first_year` to `last_year`, by the rule of subtree_totals.

    Years before the node began are its predecessors' sums (see Lineage). Scholarships aside. One
    query; a second for a cluster or the central node, or first for a node that began after `first_year` - 1
    (its predecessors).
    """
    years = list(range(first_year - 1, last_year + 1))
    lineage = lineages([node.pk]).get(node.pk) if _may_derive([node], years[0]) else None
    ids_sql, params = _ids_sql([node.pk, *(p.pk for p in (lineage.predecessors if lineage else ()))])
    sums = _year_sums(years=years, nodes_sql=ids_sql, params=params)
    points = []
    for year in years[1:]:
        totals = Totals(node_id=node.pk, year=year)
        now, before = _year(node.pk, year, sums, lineage), _year(node.pk, year - 1, sums, lineage)
        _fill(totals, now, before)
        _fill_derived(totals, now, before, lineage)
        points.append((totals, now, before))
    if node.tier in (Tier.CLUSTER, Tier.CENTRAL) and sums:
        provinces = list(_provinces_sums(years=years, aggregate_ids=[node.pk]).values())
        for totals, now, before in points:
            if totals.aggregate:
                _fill_aggregate(totals, now, before, provinces)
    return [totals for totals, _, _ in points]


def _add_scholarships(
    year: int, ids_sql: str, params: dict, result: dict[int, Totals], lineage_of: dict[int, Lineage]
) -> None:
    """Scholarships are listed programmes, not aggregates: each counts once, at whatever tier it is listed.

    A node's year before it began lists its predecessors' (none when one was split, as for the money).
    """
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
        found = {pk: (_as_int(awards), _as_int(value)) for pk, awards, value in cursor.fetchall()}
    for pk, totals in result.items():
        lineage = lineage_of.get(pk)
        if lineage is None or not lineage.covers(year):
            totals.scholarship_awards, totals.scholarship_value = found.get(pk, (None, None))
        elif not lineage.split:
            listed = [found[p.pk] for p in lineage.predecessors if p.pk in found]
            totals.scholarship_awards = _sum(awards for awards, _value in listed)
            totals.scholarship_value = _sum(value for _awards, value in listed)


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

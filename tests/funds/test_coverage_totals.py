"""Totals by what a return covers (DESIGN.md "What a return covers"), against a reference that walks
the tree in Python: total(node) = its all-levels return if it has one, else its own return plus
the totals of its children; only the returns of nodes active in the year count."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from associations.models import Association, Tier
from associations.services import association_create
from funds.models import AnnualReturn
from funds.selectors import subtree_totals, yearly_totals

from .conftest import YEAR

PREV = YEAR - 1
FIRST = YEAR - 2
YEARS = [FIRST, PREV, YEAR]
TY = 1_000_000_000
AMOUNTS = ["mobilised_cash", "mobilised_in_kind", "fund_balance", "awards_paid", "facilities"]
ALL, OWN = AnnualReturn.Coverage.ALL, AnnualReturn.Coverage.OWN
AGGREGATE = (Tier.CLUSTER, Tier.CENTRAL)
# Every tier: central → cluster → province → district → commune, C3 a commune right under its
# province (as after 2025); C5 closed after PREV, C6 (right under P3) opened in YEAR.
NAMES = [
    "central",
    "cluster_a",
    "cluster_b",
    "p1",
    "p2",
    "p3",
    "d1",
    "d2",
    "c1",
    "c2",
    "c3",
    "c4",
    "c5",
    "c6",
]
PROVINCES = ["p1", "p2", "p3"]


@pytest.fixture
def nodes(tree) -> dict[str, Association]:
    tree.c5 = association_create(
        tier=Tier.COMMUNE, name="Xã Cũ", short_name="Cũ", code="C5", parent=tree.d1, active_until=PREV
    )
    tree.c6 = association_create(
        tier=Tier.COMMUNE, name="Xã Mới", short_name="Mới", code="C6", parent=tree.p3, active_from=YEAR
    )
    tree.refresh()
    return {name: getattr(tree, name) for name in NAMES}


def put(*rows: tuple) -> None:
    """Write (node, year, coverage, values) returns in one statement; test setup only."""
    AnnualReturn.objects.bulk_create(
        [
            AnnualReturn(association=node, year=year, coverage=coverage, **values)
            for node, year, coverage, values in rows
        ]
    )


# --- the reference ----------------------------------------------------------------------------


def _sum(values) -> int | None:
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _per_head(amount: int | None, population: int | None) -> int | None:
    if amount is None or not population:
        return None
    return int((Decimal(amount) / Decimal(population)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pct(new: int | None, old: int | None) -> Decimal | None:
    if new is None or not old:
        return None
    return (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Reference:
    """The rule, recursively, over the parent links and the returns read back one by one."""

    def __init__(self):
        self.nodes = {a.pk: a for a in Association.objects.all()}
        self.children: dict[int | None, list[Association]] = {}
        for a in self.nodes.values():
            self.children.setdefault(a.parent_id, []).append(a)
        self.returns = {(r.association_id, r.year): r for r in AnnualReturn.objects.all()}
        self._totals: dict[tuple[int, int], dict] = {}

    def own(self, node: Association, year: int) -> AnnualReturn | None:
        active = (node.active_from is None or node.active_from <= year) and (
            node.active_until is None or node.active_until >= year
        )
        return self.returns.get((node.pk, year)) if active else None

    def subtree(self, node: Association) -> list[Association]:
        return [node, *(a for child in self.children.get(node.pk, []) for a in self.subtree(child))]

    def total(self, node: Association, year: int) -> dict:
        key = (node.pk, year)
        if key not in self._totals:
            r = self.own(node, year)
            if r is not None and r.coverage == ALL:
                values = {f: getattr(r, f) for f in AMOUNTS}
            else:
                parts = [self.total(child, year) for child in self.children.get(node.pk, [])]
                if r is not None:
                    parts.append({f: getattr(r, f) for f in AMOUNTS})
                values = {f: _sum(p[f] for p in parts) for f in AMOUNTS}
            values["mobilised"] = _sum([values["mobilised_cash"], values["mobilised_in_kind"]])
            self._totals[key] = values
        return self._totals[key]

    def provinces_with_population(self, node: Association, year: int) -> list[Association]:
        return [
            a
            for a in self.subtree(node)
            if a.tier == Tier.PROVINCE and (r := self.own(a, year)) is not None and r.population
        ]

    def population_and_numerator(self, node: Association, year: int) -> tuple[int | None, int | None]:
        if node.tier in AGGREGATE:
            provinces = self.provinces_with_population(node, year)
            population = _sum(self.own(p, year).population for p in provinces)
            return population, _sum(self.total(p, year)["mobilised"] for p in provinces)
        r = self.own(node, year)
        return (r.population if r else None), self.total(node, year)["mobilised"]

    def expected(self, node: Association, year: int) -> dict:
        total = self.total(node, year)
        r = self.own(node, year)
        all_levels = r is not None and r.coverage == ALL
        population, numerator = self.population_and_numerator(node, year)
        prev_population, prev_numerator = self.population_and_numerator(node, year - 1)
        per_inhabitant = _per_head(numerator, population)
        prev_per_inhabitant = _per_head(prev_numerator, prev_population)
        # A cluster compares like with like: the same provinces gave a population both years.
        comparable = node.tier not in AGGREGATE or {
            p.pk for p in self.provinces_with_population(node, year)
        } == {p.pk for p in self.provinces_with_population(node, year - 1)}
        change = None
        if comparable and per_inhabitant is not None and prev_per_inhabitant is not None:
            change = per_inhabitant - prev_per_inhabitant
        prev_mobilised = self.total(node, year - 1)["mobilised"]
        mobilised_change = None
        if total["mobilised"] is not None and prev_mobilised is not None:
            mobilised_change = total["mobilised"] - prev_mobilised
        below = None
        if all_levels:
            below = _sum(self.total(child, year)["mobilised"] for child in self.children.get(node.pk, []))
        return {
            **total,
            "returns": sum(1 for a in self.subtree(node) if self.own(a, year) is not None),
            "population": population,
            "per_inhabitant": per_inhabitant,
            "per_inhabitant_change": change,
            "per_inhabitant_change_pct": _pct(per_inhabitant, prev_per_inhabitant) if comparable else None,
            "prev_mobilised": prev_mobilised,
            "mobilised_change": mobilised_change,
            "mobilised_change_pct": _pct(total["mobilised"], prev_mobilised),
            "all_levels": all_levels,
            "below_mobilised": below,
            "below_share_pct": (
                (Decimal(below) * 100 / Decimal(total["mobilised"])).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if all_levels and below is not None and total["mobilised"]
                else None
            ),
            "below_exceeds": all_levels
            and below is not None
            and (total["mobilised"] is None or below > total["mobilised"]),
        }


FIELDS = [
    *AMOUNTS,
    "mobilised",
    "returns",
    "population",
    "per_inhabitant",
    "per_inhabitant_change",
    "per_inhabitant_change_pct",
    "prev_mobilised",
    "mobilised_change",
    "mobilised_change_pct",
    "all_levels",
    "below_mobilised",
    "below_share_pct",
    "below_exceeds",
]


def observed(totals) -> dict:
    return {key: getattr(totals, key) for key in FIELDS}


# --- the sweep ----------------------------------------------------------------------------------


def random_returns(nodes: dict[str, Association], seed: int) -> list[tuple]:
    """Every node, every year: no return, an own-level or an all-levels one, figures some blank."""
    rng = random.Random(seed)
    rows = []
    for year in YEARS:
        for node in nodes.values():
            coverage = rng.choice([None, None, OWN, OWN, ALL])
            if coverage is None:
                continue
            values = {f: rng.choice([None, 0, rng.randrange(1, 60) * 100_000_000]) for f in AMOUNTS}
            # Clusters and the central node may type a population; their totals must ignore it.
            values["population"] = rng.choice([None, rng.randrange(1_000, 3_000_000)])
            rows.append((node, year, coverage, values))
    return rows


@pytest.mark.parametrize("seed", range(30))
def test_it_gives_every_node_the_total_of_the_rule(seed, nodes):
    put(*random_returns(nodes, seed))
    reference = Reference()
    for year in (PREV, YEAR):
        totals = subtree_totals(year=year, nodes=nodes.values())
        for name, node in nodes.items():
            assert (name, year, observed(totals[node.pk])) == (name, year, reference.expected(node, year))


@pytest.mark.parametrize("seed", range(0, 30, 3))
def test_it_gives_the_yearly_totals_of_the_rule(seed, nodes):
    put(*random_returns(nodes, seed))
    reference = Reference()
    for name, node in nodes.items():
        points = yearly_totals(node=node, first_year=PREV, last_year=YEAR)
        assert [(name, t.year, observed(t)) for t in points] == [
            (name, year, reference.expected(node, year)) for year in (PREV, YEAR)
        ]


# --- the cases by name --------------------------------------------------------------------------


def test_it_keeps_a_provinces_all_levels_figure_when_a_district_reports_below(nodes):
    """Hà Giang: 10.939.000.000 đ for the whole province; a district then enters 2 tỷ of its own."""
    put(
        (nodes["p1"], YEAR, ALL, dict(population=900_000, mobilised_cash=10_939_000_000)),
        (nodes["d1"], YEAR, OWN, dict(mobilised_cash=2 * TY)),
    )
    p1 = subtree_totals(year=YEAR, nodes=[nodes["p1"]])[nodes["p1"].pk]
    assert (p1.mobilised, p1.all_levels, p1.below_mobilised) == (10_939_000_000, True, 2 * TY)
    assert (p1.below_share_pct, p1.below_exceeds) == (Decimal("18.3"), False)
    assert p1.per_inhabitant == _per_head(10_939_000_000, 900_000)


def test_it_flags_returns_below_that_add_up_to_more_than_the_all_levels_figure(nodes):
    put(
        (nodes["p1"], YEAR, ALL, dict(mobilised_cash=3 * TY)),
        (nodes["d1"], YEAR, OWN, dict(mobilised_cash=2 * TY)),
        (nodes["c3"], YEAR, OWN, dict(mobilised_in_kind=2 * TY)),
    )
    p1 = subtree_totals(year=YEAR, nodes=[nodes["p1"]])[nodes["p1"].pk]
    assert (p1.mobilised, p1.below_mobilised, p1.below_exceeds) == (3 * TY, 4 * TY, True)


def test_it_counts_a_nested_all_levels_return_once(nodes):
    put(
        (nodes["p1"], YEAR, ALL, dict(mobilised_cash=20 * TY)),
        (nodes["d1"], YEAR, ALL, dict(mobilised_cash=5 * TY)),
        (nodes["c1"], YEAR, OWN, dict(mobilised_cash=TY)),
        (nodes["c3"], YEAR, OWN, dict(mobilised_cash=2 * TY)),
    )
    totals = subtree_totals(year=YEAR, nodes=[nodes["cluster_a"], nodes["p1"], nodes["d1"]])
    p1, d1, cluster = totals[nodes["p1"].pk], totals[nodes["d1"].pk], totals[nodes["cluster_a"].pk]
    # D1's commune is inside D1's all-levels figure, so P1's returns below are D1's 5 and C3's 2.
    assert (p1.mobilised, p1.below_mobilised) == (20 * TY, 5 * TY + 2 * TY)
    assert (d1.mobilised, d1.below_mobilised) == (5 * TY, TY)
    assert (cluster.mobilised, cluster.all_levels, cluster.below_mobilised) == (20 * TY, False, None)


def test_it_adds_own_level_returns_at_every_tier(nodes):
    put(
        (nodes["central"], YEAR, OWN, dict(mobilised_cash=1)),
        (nodes["cluster_a"], YEAR, OWN, dict(mobilised_cash=10)),
        (nodes["p1"], YEAR, OWN, dict(mobilised_cash=100)),
        (nodes["d1"], YEAR, OWN, dict(mobilised_cash=1_000)),
        (nodes["c1"], YEAR, OWN, dict(mobilised_cash=10_000)),
        (nodes["c3"], YEAR, OWN, dict(mobilised_cash=100_000)),
    )
    totals = subtree_totals(year=YEAR, nodes=nodes.values())
    assert [totals[nodes[n].pk].mobilised for n in ("central", "cluster_a", "p1", "d1", "c1", "c3")] == [
        111_111,
        111_110,
        111_100,
        11_000,
        10_000,
        100_000,
    ]


def test_it_ignores_the_return_of_a_node_not_active_in_the_year(nodes):
    # C5 closed after PREV: its return for YEAR, all-levels or not, neither counts nor covers.
    put(
        (nodes["d1"], YEAR, OWN, dict(mobilised_cash=TY)),
        (nodes["c5"], YEAR, ALL, dict(mobilised_cash=7 * TY)),
        (nodes["c6"], PREV, OWN, dict(mobilised_cash=9 * TY)),
        (nodes["p3"], PREV, ALL, dict(mobilised_cash=TY)),
    )
    totals = subtree_totals(year=YEAR, nodes=[nodes["d1"], nodes["c5"], nodes["p3"]])
    assert (totals[nodes["d1"].pk].mobilised, totals[nodes["d1"].pk].returns) == (TY, 1)
    assert totals[nodes["c5"].pk].has_data is False
    # C6 opened in YEAR: its PREV return is not part of P3's PREV total.
    p3_prev = subtree_totals(year=PREV, nodes=[nodes["p3"]])[nodes["p3"].pk]
    assert (p3_prev.mobilised, p3_prev.below_mobilised) == (TY, None)


def test_it_divides_a_clusters_money_only_by_the_provinces_with_a_population(nodes):
    put(
        (nodes["p1"], YEAR, ALL, dict(population=1_000_000, mobilised_cash=30 * TY)),
        (nodes["d1"], YEAR, OWN, dict(mobilised_cash=4 * TY)),
        (nodes["p2"], YEAR, ALL, dict(mobilised_cash=9 * TY)),  # no population
        (nodes["cluster_a"], YEAR, OWN, dict(population=5, mobilised_cash=TY)),
    )
    totals = subtree_totals(year=YEAR, nodes=[nodes["cluster_a"], nodes["central"]])
    for node in ("cluster_a", "central"):
        t = totals[nodes[node].pk]
        assert (t.mobilised, t.population, t.per_inhabitant) == (40 * TY, 1_000_000, 30_000)


# --- queries ------------------------------------------------------------------------------------

# subtree_totals: 1 the sums of the returns of both years for every node given (own and below, with
# the all-levels returns as a CTE; with a cluster or the central node, the sums of their provinces
# too, for per inhabitant), 2 the scholarships. yearly_totals: 1, and 2 for a cluster.
TOTALS_QUERIES = 2
AGGREGATE_TOTALS_QUERIES = 2


def _grow(nodes: dict[str, Association], n: int, start: int) -> None:
    communes = [
        association_create(
            tier=Tier.COMMUNE, name=f"Xã số {i}", short_name=f"Xã số {i}", code=f"X{i}", parent=nodes["d1"]
        )
        for i in range(start, start + n)
    ]
    put(
        *[
            (c, year, ALL if i % 3 == 0 else OWN, dict(mobilised_cash=TY + i))
            for i, c in enumerate(communes)
            for year in (PREV, YEAR)
        ]
    )
    fresh = Association.objects.in_bulk([a.pk for a in nodes.values()])
    nodes.update({name: fresh[a.pk] for name, a in nodes.items()})


@pytest.mark.parametrize("grown", [0, 25])
def test_it_pins_the_queries_of_coverage_totals(grown, nodes, django_assert_num_queries):
    put(*random_returns(nodes, 7))
    _grow(nodes, grown, 0)
    provinces = [nodes[n] for n in ("p1", "p2", "p3", "d1", "c1", "c3")]
    with django_assert_num_queries(TOTALS_QUERIES):
        subtree_totals(year=YEAR, nodes=provinces)
    with django_assert_num_queries(AGGREGATE_TOTALS_QUERIES):
        totals = subtree_totals(year=YEAR, nodes=[nodes["central"], nodes["cluster_a"], *provinces])
    with django_assert_num_queries(1):
        yearly_totals(node=nodes["p1"], first_year=FIRST + 1, last_year=YEAR)
    with django_assert_num_queries(2):
        yearly_totals(node=nodes["cluster_a"], first_year=FIRST + 1, last_year=YEAR)
    reference = Reference()
    assert observed(totals[nodes["central"].pk]) == reference.expected(nodes["central"], YEAR)

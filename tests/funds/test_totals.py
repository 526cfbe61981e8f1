"""Subtree totals and per inhabitant, checked against sums computed here by walking parent links."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from associations.models import Association, Tier
from associations.services import association_create
from funds.models import AnnualReturn, Scholarship
from funds.selectors import subtree_totals

from .conftest import YEAR

PREV = YEAR - 1
TY = 1_000_000_000
AMOUNTS = ["mobilised_cash", "mobilised_in_kind", "fund_balance", "awards_paid", "facilities"]

# Figures at every tier, some blank; C5 closed before YEAR and C6 opens after it, yet both hold a
# return for YEAR (as an import might leave them) that the totals must leave out.
FIGURES = {
    ("p1", YEAR): dict(
        population=1_000_000,
        mobilised_cash=30 * TY,
        mobilised_in_kind=5 * TY,
        fund_balance=2 * TY,
        awards_paid=TY,
        facilities=3 * TY,
    ),
    ("d1", YEAR): dict(population=300_000, mobilised_cash=4 * TY, fund_balance=500_000_000),
    ("c1", YEAR): dict(population=10_000, mobilised_cash=100_000_000, mobilised_in_kind=20_000_000),
    ("c2", YEAR): dict(mobilised_cash=50_000_000),
    ("c3", YEAR): dict(population=8_000, mobilised_cash=30_000_000, facilities=10_000_000),
    ("p2", YEAR): dict(population=600_000, mobilised_cash=9 * TY, awards_paid=200_000_000),
    ("d2", YEAR): dict(mobilised_cash=700_000_000),
    ("c4", YEAR): dict(population=5_000, mobilised_in_kind=6_000_000),
    ("p3", YEAR): dict(mobilised_cash=2 * TY),
    ("c5", YEAR): dict(population=4_000, mobilised_cash=11 * TY, fund_balance=TY),
    ("c6", YEAR): dict(population=3_000, mobilised_cash=13 * TY),
    ("p1", PREV): dict(population=990_000, mobilised_cash=28 * TY, mobilised_in_kind=4 * TY),
    ("d1", PREV): dict(population=310_000, mobilised_cash=3 * TY),
    ("c5", PREV): dict(population=4_100, mobilised_cash=500_000_000),
    ("p2", PREV): dict(population=590_000, mobilised_cash=10 * TY),
    ("p3", PREV): dict(population=700_000, mobilised_cash=TY),
}
SCHOLARSHIPS = {"p1": (3, 30_000_000), "c1": (2, 5_000_000), "c5": (7, 70_000_000), "c6": (1, 1_000_000)}
NODES = ["central", "cluster_a", "cluster_b", "p1", "p2", "p3", "d1", "d2", "c1", "c2", "c3", "c4"]


@pytest.fixture
def figures(tree, make_return):
    """The tree with C5 (closed after PREV) and C6 (opened after YEAR) and every figure above."""
    tree.c5 = association_create(
        tier=Tier.COMMUNE, name="Xã Cũ", short_name="Cũ", code="C5", parent=tree.d1, active_until=PREV
    )
    tree.c6 = association_create(
        tier=Tier.COMMUNE, name="Xã Mới", short_name="Mới", code="C6", parent=tree.d2, active_from=YEAR + 1
    )
    tree.refresh()
    for (name, year), values in FIGURES.items():
        make_return(getattr(tree, name), year, **values)
    for name, (awards, value) in SCHOLARSHIPS.items():
        Scholarship.objects.create(
            association=getattr(tree, name), year=YEAR, programme="Học bổng", awards=awards, total_value=value
        )
    return tree


# The independent computation: the subtree by parent links, the active years, sums in Python.


def _subtree(node: Association) -> list[Association]:
    children: dict[int | None, list[Association]] = {}
    for a in Association.objects.all():
        children.setdefault(a.parent_id, []).append(a)
    out, todo = [], [node]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current.pk, []))
    return out


def _active(a: Association, year: int) -> bool:
    return (a.active_from is None or a.active_from <= year) and (
        a.active_until is None or a.active_until >= year
    )


def _sum(values) -> int | None:
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _mobilised(r: AnnualReturn) -> int | None:
    return _sum([r.mobilised_cash, r.mobilised_in_kind])


def _half_up(amount: int, population: int) -> int:
    return int((Decimal(amount) / Decimal(population)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected(node: Association, year: int) -> dict:
    """What the totals of `node` for `year` must be, from the returns read one by one."""
    members = {a.pk: a for a in _subtree(node) if _active(a, year)}
    returns = [r for r in AnnualReturn.objects.filter(year=year) if r.association_id in members]
    out = {name: _sum(getattr(r, name) for r in returns) for name in AMOUNTS}
    out["returns"] = len(returns)
    out["mobilised"] = _sum(_mobilised(r) for r in returns)
    if node.tier in (Tier.CLUSTER, Tier.CENTRAL):
        # Like by like: the provinces that gave a population, with everything below them.
        provinces = [
            r for r in returns if members[r.association_id].tier == Tier.PROVINCE and r.population is not None
        ]
        out["population"] = _sum(r.population for r in provinces)
        out["provinces"] = {r.association_id for r in provinces}
        below = {a.pk for p in provinces for a in _subtree(members[p.association_id]) if _active(a, year)}
        numerator = _sum(_mobilised(r) for r in returns if r.association_id in below)
    else:
        out["population"] = next((r.population for r in returns if r.association_id == node.pk), None)
        numerator = out["mobilised"]
    out["per_inhabitant"] = (
        _half_up(numerator, out["population"]) if numerator is not None and out["population"] else None
    )
    return out


@pytest.mark.parametrize("name", NODES)
def test_it_sums_every_figure_over_the_subtree(name, figures):
    node = getattr(figures, name)
    totals = subtree_totals(year=YEAR, nodes=[node])[node.pk]
    want = expected(node, YEAR)
    got = {field: getattr(totals, field) for field in [*AMOUNTS, "returns", "mobilised"]}
    assert got == {field: want[field] for field in got}


@pytest.mark.parametrize("name", NODES)
def test_it_gives_the_population_rule_of_the_node(name, figures):
    node = getattr(figures, name)
    assert subtree_totals(year=YEAR, nodes=[node])[node.pk].population == expected(node, YEAR)["population"]


@pytest.mark.parametrize("name", NODES)
def test_it_gives_per_inhabitant_rounded_half_up(name, figures):
    node = getattr(figures, name)
    totals = subtree_totals(year=YEAR, nodes=[node])[node.pk]
    assert totals.per_inhabitant == expected(node, YEAR)["per_inhabitant"]


@pytest.mark.parametrize("name", NODES)
def test_it_gives_the_change_on_last_year_in_dong_and_percent(name, figures):
    node = getattr(figures, name)
    totals = subtree_totals(year=YEAR, nodes=[node])[node.pk]
    now, before = expected(node, YEAR), expected(node, PREV)
    change = None
    # A cluster's change compares like with like: the same provinces gave a population both years.
    same = now.get("provinces") == before.get("provinces")
    if same and now["per_inhabitant"] is not None and before["per_inhabitant"] is not None:
        change = now["per_inhabitant"] - before["per_inhabitant"]
    pct = None
    if change is not None and before["per_inhabitant"]:
        pct = (Decimal(change) * 100 / before["per_inhabitant"]).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    assert (totals.per_inhabitant_change, totals.per_inhabitant_change_pct) == (change, pct)


@pytest.mark.parametrize("name", NODES)
def test_it_gives_the_change_of_the_amount_mobilised(name, figures):
    node = getattr(figures, name)
    totals = subtree_totals(year=YEAR, nodes=[node])[node.pk]
    now, before = expected(node, YEAR)["mobilised"], expected(node, PREV)["mobilised"]
    change = now - before if now is not None and before is not None else None
    pct = None
    if change is not None and before:
        pct = (Decimal(change) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert (totals.mobilised_change, totals.mobilised_change_pct) == (change, pct)


def test_it_gives_every_node_asked_in_one_call_the_same_as_one_by_one(figures):
    nodes = [getattr(figures, name) for name in NODES]
    together = subtree_totals(year=YEAR, nodes=nodes)
    for node in nodes:
        alone = subtree_totals(year=YEAR, nodes=[node])[node.pk]
        assert (together[node.pk].mobilised, together[node.pk].per_inhabitant) == (
            alone.mobilised,
            alone.per_inhabitant,
        )


# The rules one at a time, on figures small enough to check by eye.


def test_it_leaves_out_a_node_closed_before_the_year(figures):
    d1 = subtree_totals(year=YEAR, nodes=[figures.d1])[figures.d1.pk]
    # D1, C1, C2 reported; C5 (closed after PREV) did too but must not count.
    assert d1.returns == 3
    assert d1.mobilised_cash == 4 * TY + 100_000_000 + 50_000_000


def test_it_counts_a_closed_node_in_the_years_it_was_active(figures):
    d1 = subtree_totals(year=PREV, nodes=[figures.d1])[figures.d1.pk]
    assert d1.mobilised_cash == 3 * TY + 500_000_000


def test_it_leaves_out_a_node_not_yet_open(figures):
    d2 = subtree_totals(year=YEAR, nodes=[figures.d2])[figures.d2.pk]
    assert (d2.returns, d2.mobilised_cash) == (2, 700_000_000)


def test_it_leaves_out_scholarships_of_inactive_nodes(figures):
    p1 = subtree_totals(year=YEAR, nodes=[figures.p1])[figures.p1.pk]
    assert (p1.scholarship_awards, p1.scholarship_value) == (3 + 2, 30_000_000 + 5_000_000)


def test_it_sums_a_clusters_population_over_its_provinces_only(figures):
    cluster = subtree_totals(year=YEAR, nodes=[figures.cluster_a])[figures.cluster_a.pk]
    assert cluster.population == 1_000_000 + 600_000


def test_it_gives_no_per_inhabitant_without_population(figures):
    totals = subtree_totals(year=YEAR, nodes=[figures.d2, figures.p3, figures.cluster_b])
    assert [totals[n.pk].per_inhabitant for n in (figures.d2, figures.p3, figures.cluster_b)] == [None] * 3
    assert totals[figures.p3.pk].per_inhabitant_change is None


def test_it_gives_empty_totals_for_a_node_without_returns(tree):
    totals = subtree_totals(year=YEAR, nodes=[tree.p3])[tree.p3.pk]
    assert (totals.has_data, totals.mobilised, totals.population, totals.per_inhabitant) == (
        False,
        None,
        None,
        None,
    )


def test_it_rounds_half_up(tree, make_return):
    make_return(tree.p3, population=200_000, mobilised_cash=100_100_000)  # 500,5 đồng per inhabitant
    assert subtree_totals(year=YEAR, nodes=[tree.p3])[tree.p3.pk].per_inhabitant == 501


def test_it_rounds_the_percentage_half_up(tree, make_return):
    make_return(tree.p3, PREV, population=1, mobilised_cash=2_000)
    make_return(tree.p3, population=1, mobilised_cash=2_001)  # +0,05 %
    totals = subtree_totals(year=YEAR, nodes=[tree.p3])[tree.p3.pk]
    assert (totals.per_inhabitant_change, totals.per_inhabitant_change_pct) == (1, Decimal("0.1"))


def test_it_keeps_separate_trees_apart(tree, make_return):
    other = association_create(tier=Tier.CENTRAL, name="Cây khác", short_name="Khác", code="TW2")
    make_return(other, mobilised_cash=999)
    make_return(tree.central, mobilised_cash=1)
    totals = subtree_totals(year=YEAR, nodes=[tree.central, other])
    assert (totals[tree.central.pk].mobilised_cash, totals[other.pk].mobilised_cash) == (1, 999)

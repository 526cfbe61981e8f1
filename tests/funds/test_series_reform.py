"""Series across the 2025 reform: a node's years before it began are its predecessors' sums, marked."""

import pytest

from funds.predecessors import predecessor_table
from funds.selectors import subtree_totals, yearly_totals

from .reform import (
    FIGURES,
    NEW,
    OLD,
    build_era,
    expected_from_predecessors,
    expected_total,
    per_head,
    save_figures,
)

MONEY = ["mobilised_cash", "mobilised_in_kind", "fund_balance", "awards_paid", "facilities", "mobilised"]


@pytest.fixture
def era(db):
    era = build_era()
    save_figures(era)
    return era


def _assert_sums(totals, expected: dict) -> None:
    for name in MONEY:
        assert getattr(totals, name) == expected[name], name
    assert totals.returns == expected["returns"]
    assert totals.population == expected["population"]


def test_it_sums_the_predecessors_for_a_year_before_the_node_began(era):
    totals = subtree_totals(year=OLD, nodes=[era.moi])[era.moi.pk]
    expected = expected_from_predecessors(era.moi, OLD)
    _assert_sums(totals, expected)
    # Hai's all-levels return already counts Cát's: the sum does not add it twice.
    assert (
        totals.mobilised == expected_total(era.mot, OLD)["mobilised"] + FIGURES["hai", OLD]["mobilised_cash"]
    )
    assert totals.per_inhabitant == per_head(expected["mobilised_with_population"], expected["population"])
    assert totals.from_predecessors == ["Hai", "Một"]
    assert totals.has_data


def test_it_reads_the_node_itself_from_the_year_it_began(era):
    totals = subtree_totals(year=NEW, nodes=[era.moi])[era.moi.pk]
    _assert_sums(totals, expected_total(era.moi, NEW))
    assert totals.from_predecessors == []
    assert totals.derived is None


def test_it_compares_2025_with_the_predecessors_2024_sum(era):
    totals = subtree_totals(year=NEW, nodes=[era.moi, era.ba])
    moi, ba = totals[era.moi.pk], totals[era.ba.pk]
    before = expected_from_predecessors(era.moi, OLD)
    now = expected_total(era.moi, NEW)
    assert moi.prev_mobilised == before["mobilised"]
    assert moi.prev_population == before["population"]
    assert moi.prev_from_predecessors == ["Hai", "Một"]
    assert moi.mobilised_change == now["mobilised"] - before["mobilised"]
    expected_change = per_head(now["mobilised"], now["population"]) - per_head(
        before["mobilised_with_population"], before["population"]
    )
    assert moi.per_inhabitant_change == expected_change
    # An unchanged province has one predecessor: itself before the reform.
    assert ba.prev_from_predecessors == ["Ba"]
    assert ba.prev_mobilised == expected_total(era.ba_old, OLD)["mobilised"]


def test_it_divides_an_earlier_year_only_by_the_predecessors_that_gave_a_population(db):
    era = build_era()
    figures = dict(FIGURES)
    figures["hai", OLD] = {k: v for k, v in FIGURES["hai", OLD].items() if k != "population"}
    save_figures(era, figures)
    totals = subtree_totals(year=NEW, nodes=[era.moi])[era.moi.pk]
    mot = expected_total(era.mot, OLD)
    assert totals.prev_population == mot["population"]
    assert totals.prev_per_inhabitant == per_head(mot["mobilised"], mot["population"])
    # 2025 covers Hai's ground and 2024's per inhabitant does not: no change per inhabitant.
    assert not totals.comparable
    assert totals.per_inhabitant_change is None
    assert totals.mobilised_change is not None


def test_it_gives_the_series_of_a_merged_province_with_the_earlier_years_marked(era):
    points = {t.year: t for t in yearly_totals(node=era.moi, first_year=2020, last_year=2026)}
    assert sorted(points) == list(range(2020, 2027))
    for year in (2023, OLD):
        _assert_sums(points[year], expected_from_predecessors(era.moi, year))
        assert points[year].from_predecessors == ["Hai", "Một"]
    assert points[2023].prev_from_predecessors == ["Hai", "Một"]
    _assert_sums(points[NEW], expected_total(era.moi, NEW))
    assert points[NEW].from_predecessors == [] and points[NEW].prev_from_predecessors == ["Hai", "Một"]
    assert points[NEW].prev_mobilised == expected_from_predecessors(era.moi, OLD)["mobilised"]
    assert not points[2022].has_data and not points[2026].has_data
    assert points[2026].derived is None and points[2026].prev_derived is None


def test_it_keeps_the_same_per_inhabitant_between_the_series_and_the_year(era):
    points = {t.year: t for t in yearly_totals(node=era.moi, first_year=2023, last_year=NEW)}
    year = subtree_totals(year=NEW, nodes=[era.moi])[era.moi.pk]
    assert points[NEW].per_inhabitant_change == year.per_inhabitant_change
    assert points[OLD].per_inhabitant == year.prev_per_inhabitant


def test_it_counts_the_predecessors_scholarships_in_an_earlier_year(era):
    totals = subtree_totals(year=OLD, nodes=[era.moi])[era.moi.pk]
    # Mới's 2025 scholarships are not 2024's, and Cát's count although Hai reported all levels.
    assert (totals.scholarship_awards, totals.scholarship_value) == (4 + 1, 40_000_000 + 5_000_000)


def test_it_follows_each_years_tree_for_a_cluster(era):
    totals = {year: subtree_totals(year=year, nodes=[era.cluster])[era.cluster.pk] for year in (OLD, NEW)}
    for year, provinces in ((OLD, [era.mot, era.hai, era.ba_old]), (NEW, [era.moi, era.ba])):
        parts = [expected_total(p, year) for p in provinces]
        assert totals[year].mobilised == sum(p["mobilised"] for p in parts)
        assert totals[year].population == sum(p["population"] for p in parts)
        assert totals[year].derived is None
    assert totals[NEW].prev_mobilised == totals[OLD].mobilised
    # Not the same provinces: the per inhabitant of 2025 is not compared with 2024's.
    assert totals[NEW].per_inhabitant_change is None


def test_it_sums_a_commune_that_took_over_whole_communes(era):
    tam = subtree_totals(year=NEW, nodes=[era.tam])[era.tam.pk]
    assert tam.prev_from_predecessors == ["Cát"]
    assert tam.prev_mobilised == expected_total(era.cat, OLD)["mobilised"]


def test_it_does_not_sum_the_predecessors_when_one_was_split(era):
    totals = subtree_totals(year=NEW, nodes=[era.nhat, era.nhi])
    for node in (era.nhat, era.nhi):
        t = totals[node.pk]
        assert t.prev_derived is not None and t.prev_derived.split == ("Bình",)
        assert t.prev_from_predecessors == []
        assert t.prev_mobilised is None and t.prev_population is None
        assert t.per_inhabitant_change is None
    earlier = subtree_totals(year=OLD, nodes=[era.nhat])[era.nhat.pk]
    assert not earlier.has_data and earlier.mobilised is None and earlier.scholarship_value is None
    assert earlier.derived.names == ("An", "Bình") and not earlier.derived.summed


def test_it_lists_a_split_predecessor_in_full_beside_the_others(era):
    table = predecessor_table(node=era.nhat)
    assert [y.year for y in table.years] == [OLD]
    rows = {row.predecessor.short_name: row for row in table.years[0].rows}
    assert list(rows) == ["An", "Bình"]
    assert rows["Bình"].totals.mobilised == expected_total(era.binh, OLD)["mobilised"]
    assert rows["Bình"].predecessor.others == ("Nhì",)
    assert rows["An"].predecessor.others == ()
    assert [p.short_name for p in table.split] == ["Bình"]
    assert not table.years[0].summed.has_data


def test_it_adds_up_the_table_of_whole_predecessors(era):
    table = predecessor_table(node=era.moi)
    assert [y.year for y in table.years] == [2023, OLD]
    for year in table.years:
        _assert_sums(year.summed, expected_from_predecessors(era.moi, year.year))
        assert year.summed.from_predecessors == ["Hai", "Một"]
        for row, node in zip(year.rows, [era.hai, era.mot], strict=True):
            assert row.totals.mobilised == expected_total(node, year.year)["mobilised"]
    assert table.split == []


def test_it_has_no_table_for_a_node_without_predecessors(era, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert predecessor_table(node=era.mot) is None
        assert predecessor_table(node=era.cluster) is None


def test_it_lists_the_predecessors_without_a_return(db):
    era = build_era(extra_predecessors=2)
    save_figures(era)
    totals = subtree_totals(year=NEW, nodes=[era.moi])[era.moi.pk]
    assert totals.prev_from_predecessors == ["Hai", "Một", "Thêm 0", "Thêm 1"]
    assert totals.prev_derived.missing == ("Thêm 0", "Thêm 1")
    # Their ground is not in 2024's per inhabitant.
    assert totals.per_inhabitant_change is None


# Query counts: fixed, whatever the number of predecessors.


@pytest.fixture(params=[0, 4], ids=["one-reform", "more-predecessors"])
def grown(request, db):
    era = build_era(extra_predecessors=request.param)
    save_figures(era)
    return era


def test_it_reads_the_totals_across_the_reform_in_fixed_queries(grown, django_assert_num_queries):
    # 1 the predecessors of the nodes, 2 the returns of both years (nodes and predecessors), 3 scholarships
    with django_assert_num_queries(3):
        subtree_totals(year=NEW, nodes=[grown.moi, grown.ba, grown.nhat, grown.tam])
    # the same three with the cluster: its provinces are summed in the statement of the returns
    with django_assert_num_queries(3):
        subtree_totals(year=NEW, nodes=[grown.moi, grown.ba, grown.cluster])
    # A year after the reform's: nobody began after last year, so no predecessors are read.
    with django_assert_num_queries(2):
        subtree_totals(year=NEW + 1, nodes=[grown.moi, grown.ba])


def test_it_reads_the_series_across_the_reform_in_fixed_queries(grown, django_assert_num_queries):
    # 1 the predecessors, 2 the returns of every year
    with django_assert_num_queries(2):
        yearly_totals(node=grown.moi, first_year=2015, last_year=2026)
    # 1 the returns of every year, 2 the cluster's provinces
    with django_assert_num_queries(2):
        yearly_totals(node=grown.cluster, first_year=2015, last_year=2026)


def test_it_reads_the_predecessor_table_in_two_queries(grown, django_assert_num_queries):
    # 1 the predecessors and the other successors of each, 2 their returns
    with django_assert_num_queries(2):
        predecessor_table(node=grown.moi)
    with django_assert_num_queries(2):
        predecessor_table(node=grown.nhat)

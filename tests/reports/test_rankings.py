from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from associations.models import Association, Tier
from associations.services import association_create
from reports.exports import ranking_table
from reports.rankings import Metric, Scope, ScopeKind, competition_ranks, ranking

from .conftest import grow, html_rows, put_return

URL = reverse("rankings")


def _rows(r):
    return [(row.rank, row.association.short_name, row.value) for row in r.rows]


def test_it_shares_ranks_between_ties():
    assert competition_ranks([30, 20, 20, 10]) == [1, 2, 2, 4]
    assert competition_ranks([10, None, 20, 20]) == [3, None, 1, 1]
    assert competition_ranks([Decimal("-1.5"), Decimal("2.0"), Decimal("2")]) == [3, 1, 1]
    assert competition_ranks([]) == []


def test_it_ranks_provinces_with_ties_and_missing_data_last(figures):
    tree = figures
    p4 = association_create(
        tier=Tier.PROVINCE, name="Tỉnh Bốn", short_name="Bốn", code="P4", parent=tree.cluster_b
    )
    p5 = association_create(
        tier=Tier.PROVINCE, name="Tỉnh Năm", short_name="Năm", code="P5", parent=tree.cluster_b
    )
    put_return(p4, 2022, population=500, mobilised_cash=500_000)  # 1.000 đ/người, as P2
    put_return(p5, 2022, population=100, mobilised_cash=10_000)  # 100 đ/người
    result = ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT)
    assert _rows(result) == [
        (1, "Một", 2000),
        (2, "Bốn", 1000),  # ties keep Vietnamese alphabetical order: Bốn before Hai
        (2, "Hai", 1000),
        (4, "Năm", 100),
        (None, "Ba", None),
    ]
    assert [row.association.cluster_name for row in result.rows] == [
        "Cụm A",
        "Cụm B",
        "Cụm A",
        "Cụm B",
        "Cụm B",
    ]


def test_it_gives_no_rank_without_a_population(figures):
    put_return(figures.p3, 2022, mobilised_cash=9_000_000)  # money but no population
    result = ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT)
    assert _rows(result)[-1] == (None, "Ba", None)
    by_total = ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.MOBILISED)
    assert _rows(by_total)[0] == (1, "Ba", 9_000_000)


def test_it_ranks_by_change_in_dong_and_percent(figures):
    scope = Scope(ScopeKind.PROVINCES)
    assert _rows(ranking(year=2022, scope=scope, metric=Metric.CHANGE)) == [
        (1, "Hai", 500),
        (1, "Một", 500),
        (None, "Ba", None),
    ]
    assert _rows(ranking(year=2022, scope=scope, metric=Metric.CHANGE_PCT)) == [
        (1, "Hai", Decimal("100.0")),
        (2, "Một", Decimal("33.3")),
        (None, "Ba", None),
    ]


def test_it_ranks_fund_balance_and_scholarships(figures):
    from funds.models import Scholarship

    Scholarship.objects.create(association=figures.c2, year=2022, programme="HB", awards=3, total_value=900)
    scope = Scope(ScopeKind.PROVINCES)
    assert _rows(ranking(year=2022, scope=scope, metric=Metric.FUND_BALANCE))[0] == (1, "Một", 5_000_000)
    assert _rows(ranking(year=2022, scope=scope, metric=Metric.SCHOLARSHIPS)) == [
        (1, "Một", 900),
        (None, "Ba", None),
        (None, "Hai", None),
    ]


def test_it_ranks_the_provinces_of_one_cluster(figures):
    result = ranking(
        year=2022, scope=Scope(ScopeKind.CLUSTER, figures.cluster_a), metric=Metric.PER_INHABITANT
    )
    assert [name for _r, name, _v in _rows(result)] == ["Một", "Hai"]


def test_it_ranks_the_clusters(figures):
    result = ranking(year=2022, scope=Scope(ScopeKind.CLUSTERS), metric=Metric.MOBILISED)
    assert _rows(result) == [(1, "Cụm A", 4_000_000), (None, "Cụm B", None)]


def test_it_ranks_districts_and_communes_directly_under_a_province(figures):
    result = ranking(year=2022, scope=Scope(ScopeKind.PROVINCE, figures.p1), metric=Metric.MOBILISED)
    # D1 sums its own return and C1's; C3 sits directly under the province.
    assert _rows(result) == [(1, "Đông", 600_000), (2, "Trung", 200_000)]
    assert {row.association.cluster_name for row in result.rows} == {"Cụm A"}


def test_it_leaves_out_nodes_inactive_in_the_year(figures):
    Association.objects.filter(pk=figures.p2.pk).update(active_until=2021)
    result = ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT)
    assert "Hai" not in [name for _r, name, _v in _rows(result)]


def test_it_refuses_an_unknown_metric(figures):
    with pytest.raises(ValueError):
        ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric="population")


def test_it_ranks_in_three_queries_whatever_the_tree(figures, django_assert_num_queries):
    scopes = [Scope(ScopeKind.PROVINCES), Scope(ScopeKind.PROVINCE, figures.p1)]
    # 1 the ranked nodes with their cluster, 2 subtree totals of returns, 3 of scholarships
    for scope in scopes:
        with django_assert_num_queries(3):
            ranking(year=2022, scope=scope, metric=Metric.PER_INHABITANT)
    grow(figures, provinces=6)
    scopes = [Scope(ScopeKind.PROVINCES), Scope(ScopeKind.PROVINCE, figures.p1)]
    for scope in scopes:
        with django_assert_num_queries(3):
            result = ranking(year=2022, scope=scope, metric=Metric.PER_INHABITANT)
    assert len(result.rows) == 5  # D1, C3 and the three communes added under P1


def test_it_sorts_by_a_column_with_missing_values_last(figures):
    result = ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT)
    names = lambda table: [row.cells[1].value for row in table.rows]  # noqa: E731
    assert names(ranking_table(result, sort="name")) == ["Ba", "Hai", "Một"]
    assert names(ranking_table(result, sort="-name")) == ["Một", "Hai", "Ba"]
    assert names(ranking_table(result, sort="population")) == ["Một", "Hai", "Ba"]
    assert names(ranking_table(result, sort="-population")) == ["Hai", "Một", "Ba"]
    assert names(ranking_table(result, sort="nonsense")) == ["Một", "Hai", "Ba"]


# Views


def test_it_sends_anonymous_users_to_login(client, tree):
    r = client.get(URL)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_shows_provinces_to_any_signed_in_user(client, outsider, figures):
    client.force_login(outsider)
    r = client.get(URL, {"nam": 2022})
    body = r.content.decode()
    assert r.status_code == 200
    assert [row.cells[0].value for row in r.context["table"].rows] == [1, 2, None]
    assert html_rows(body, "ranking") == [
        ["1", "Một", "P1", "Cụm A", "2.000.000", "1.000", "2.000"],
        ["2", "Hai", "P2", "Cụm A", "2.000.000", "2.000", "1.000"],
        ["—", "Ba", "P3", "Cụm B", "—", "—", "—"],
    ]


def test_it_shows_the_provinces_of_any_cluster_to_any_signed_in_user(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022, "pham_vi": f"cum-{figures.cluster_b.pk}"})
    assert r.status_code == 200
    assert [row.cells[1].value for row in r.context["table"].rows] == ["Ba"]


def test_it_shows_the_inside_of_the_users_province(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022, "pham_vi": f"tinh-{figures.p1.pk}", "chi_so": "mobilised"})
    assert r.status_code == 200
    assert "Đông" in r.content.decode()


def test_it_is_404_inside_another_province(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022, "pham_vi": f"tinh-{figures.p2.pk}"})
    assert r.status_code == 404


def test_it_is_404_for_a_scope_that_is_not_a_province_or_cluster(client, reviewer, figures):
    client.force_login(reviewer)
    for value in [f"tinh-{figures.d1.pk}", f"cum-{figures.p1.pk}", "tinh-x", "huyen-1"]:
        assert client.get(URL, {"pham_vi": value}).status_code == 404, value


def test_it_falls_back_to_per_inhabitant_for_an_unknown_metric(client, viewer, figures):
    client.force_login(viewer)
    r = client.get(URL, {"nam": 2022, "chi_so": "nonsense"})
    assert r.status_code == 200 and r.context["ranking"].metric == Metric.PER_INHABITANT


def test_it_lists_in_the_scope_picker_only_the_provinces_the_user_sees(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022})
    assert list(r.context["provinces"]) == [figures.p1]
    assert len(r.context["clusters"]) == 2


def test_it_draws_a_bar_per_ranked_row(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022, "chi_so": Metric.CHANGE})
    body = r.content.decode()
    assert body.count("<rect ") == 2
    assert 'font-family="Noto Sans' in body
    assert "1. Hai" in body and "1. Một" in body and "+500" in body


def test_it_renders_the_page_in_a_fixed_number_of_queries(
    client, reviewer, figures, django_assert_num_queries
):
    client.force_login(reviewer)
    provinces = {"nam": 2022}
    inside = {"nam": 2022, "pham_vi": f"tinh-{figures.p1.pk}"}
    # 1 session, 2 user, 3 the data version (the cache key), 4 ranked nodes, 5 totals of returns,
    # 6 of scholarships, 7 clusters for the scope picker, 8 provinces the user sees for the picker;
    # the inside of a province adds 9 the province through get_association_for_user.
    with django_assert_num_queries(8):
        client.get(URL, provinces)
    with django_assert_num_queries(9):
        client.get(URL, inside)
    grow(figures, provinces=6)
    # grow() writes past the services, bumping no version: start again from an empty cache.
    cache.clear()
    with django_assert_num_queries(8):
        r = client.get(URL, provinces)
    assert len(r.context["table"].rows) == 9
    with django_assert_num_queries(9):
        client.get(URL, inside)


def test_it_shows_hoa_binh_first_in_tay_bac_and_tuyen_quang_unranked(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="trunguong"))
    r = client.get(URL, {"nam": 2022, "chi_so": "per_inhabitant"})
    assert r.status_code == 200
    rows = [row.values for row in r.context["table"].rows]
    tay_bac = [row for row in rows if row[3] == "Tây Bắc"]
    assert len(tay_bac) == 9
    assert tay_bac[0][:2] == [1, "Hòa Bình"] and tay_bac[0][-1] == 51_733
    tuyen_quang = next(row for row in rows if row[1] == "Tuyên Quang")
    assert tuyen_quang[0] is None and tuyen_quang[-1] is None
    shown = html_rows(r.content.decode(), "ranking")
    shown_tay_bac = [row for row in shown if row[3] == "Tây Bắc"]
    assert shown_tay_bac[0] == ["1", "Hòa Bình", "17", "Tây Bắc", "43.200.000.000", "835.057", "51.733"]
    assert next(row for row in shown if row[1] == "Tuyên Quang") == [
        "—",
        "Tuyên Quang",
        "08",
        "Tây Bắc",
        "—",
        "—",
        "—",
    ]

    r = client.get(URL, {"nam": 2022, "pham_vi": f"cum-{_tay_bac_pk()}"})
    ranked = [row.values[:2] for row in r.context["table"].rows]
    assert ranked[:5] == [[1, "Hòa Bình"], [2, "Điện Biên"], [3, "Lào Cai"], [4, "Hà Giang"], [5, "Lai Châu"]]
    assert [rank for rank, _name in ranked[5:]] == [None] * 4


def _tay_bac_pk() -> int:
    return Association.objects.get(tier=Tier.CLUSTER, code="CUM01").pk


@pytest.mark.parametrize("value", ["tinh-²", "cum-²", "tinh-٣", f"cum-{10**20}", "tinh--1"])
def test_it_is_404_for_a_scope_id_that_is_not_an_ascii_number(client, reviewer, figures, value):
    client.raise_request_exception = False
    client.force_login(reviewer)
    assert client.get(URL, {"pham_vi": value}).status_code == 404
    assert client.get(reverse("rankings_export", args=["csv"]), {"pham_vi": value}).status_code == 404

from django.urls import reverse

from associations.models import Association, Tier
from funds.selectors import subtree_totals
from reports.trends import trend

from .conftest import grow, html_rows, put_return


def _url(node):
    return reverse("province_trends", args=[node.pk])


def test_it_follows_subtree_totals_year_by_year(figures):
    put_return(figures.p1, 2019, population=900, mobilised_cash=450_000)
    put_return(figures.c1, 2019, mobilised_in_kind=50_000)
    points = trend(node=figures.p1, first_year=2010, last_year=2030)
    assert [p.year for p in points] == [2019, 2020, 2021, 2022]  # trimmed to the years with returns
    for point in points:
        totals = subtree_totals(year=point.year, nodes=[figures.p1])[figures.p1.pk]
        assert (point.returns, point.mobilised, point.population, point.per_inhabitant) == (
            totals.returns,
            totals.mobilised,
            totals.population,
            totals.per_inhabitant,
        )
    assert [(p.mobilised, p.per_inhabitant) for p in points] == [
        (500_000, 556),
        (None, None),
        (1_500_000, 1500),
        (2_000_000, 2000),
    ]


def test_it_uses_the_sum_of_provinces_as_a_clusters_population(figures):
    points = trend(node=figures.cluster_a, first_year=2021, last_year=2022)
    totals = subtree_totals(year=2022, nodes=[figures.cluster_a])[figures.cluster_a.pk]
    assert (points[-1].population, points[-1].per_inhabitant) == (3000, totals.per_inhabitant) == (3000, 1333)


def test_it_keeps_to_the_years_asked_for(figures):
    assert [p.year for p in trend(node=figures.p1, first_year=2022, last_year=2022)] == [2022]
    assert trend(node=figures.p3, first_year=2000, last_year=2100) == []


def test_it_leaves_out_associations_inactive_in_a_year(figures):
    Association.objects.filter(pk=figures.c3.pk).update(active_from=2023)
    assert trend(node=figures.p1, first_year=2022, last_year=2022)[0].mobilised == 1_800_000


def test_it_reads_the_trend_in_one_query(figures, django_assert_num_queries):
    with django_assert_num_queries(1):
        trend(node=figures.p1, first_year=2000, last_year=2030)
    grow(figures, provinces=4)
    with django_assert_num_queries(1):
        trend(node=figures.p1, first_year=2000, last_year=2030)


# Views


def test_it_sends_anonymous_users_to_login(client, tree):
    r = client.get(_url(tree.p1))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_shows_a_table_and_two_charts(client, officer, figures):
    client.force_login(officer)
    r = client.get(_url(figures.p1), {"nam": 2022})
    assert r.status_code == 200
    body = r.content.decode()
    assert html_rows(body, "trends") == [
        ["2021", "1.500.000", "1.000", "1.500", "1"],
        ["2022", "2.000.000", "1.000", "2.000", "4"],
    ]
    assert body.count("<svg") == 2 and body.count("<rect ") == 4
    assert 'font-family="Noto Sans' in body and ">2021</text>" in body
    assert "2.021" not in body and "2,021" not in body


def test_it_shows_province_figures_to_any_signed_in_user(client, outsider, figures):
    # Province figures are open to everyone, as in the rankings.
    client.force_login(outsider)
    assert client.get(_url(figures.p1), {"nam": 2022}).status_code == 200


def test_it_is_404_for_a_node_that_is_not_a_province(client, reviewer, figures):
    client.force_login(reviewer)
    for node in (figures.d1, figures.cluster_a, figures.central):
        assert client.get(_url(node)).status_code == 404


def test_it_says_when_there_is_nothing_to_show(client, officer, figures):
    client.force_login(officer)
    r = client.get(_url(figures.p3))
    assert "Chưa có số liệu nào" in r.content.decode()


def test_it_renders_in_a_fixed_number_of_queries(client, officer, figures, django_assert_num_queries):
    client.force_login(officer)
    # 1 session, 2 user, 3 the province, 4 the trend
    with django_assert_num_queries(4):
        client.get(_url(figures.p1))
    grow(figures, provinces=3)
    for year in (2019, 2020):
        put_return(figures.c2, year, mobilised_cash=10)
    with django_assert_num_queries(4):
        r = client.get(_url(figures.p1))
    assert len(r.context["points"]) == 4


def test_it_shows_hoa_binh_in_2021_and_2022(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="hagiang"))
    hoa_binh = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="17")
    rows = html_rows(client.get(_url(hoa_binh), {"nam": 2022}).content.decode(), "trends")
    assert [(row[0], row[3]) for row in rows] == [("2021", "46.951"), ("2022", "51.733")]

"""Rankings by the catalogue's figures beyond money: each title's share, % of target, members."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from associations.models import Association, Tier
from funds import catalogue
from funds.models import AnnualReturn
from reports.exports import ranking_table
from reports.rankings import Metric, Scope, ScopeKind, ranking

from .conftest import html_rows, put_return

URL = reverse("rankings")
PROVINCES = Scope(ScopeKind.PROVINCES)


def _rows(r):
    return [(row.rank, row.association.short_name, row.value) for row in r.rows]


def test_it_offers_every_catalogue_figure_that_ranks():
    offered = Metric.values()
    assert set(catalogue.names(ranks=True)) <= set(offered)
    assert offered[0] == Metric.PER_INHABITANT
    assert "learning_families_share" in offered and "learning_families_share_progress" in offered


def test_it_ranks_by_the_share_of_learning_families_with_missing_denominators_unranked(figures):
    AnnualReturn.objects.filter(association=figures.p1, year=2022).update(
        learning_families_recognised=600, households=1000
    )
    put_return(figures.d1, 2021, households=10)  # another year: counts for nothing
    AnnualReturn.objects.filter(association=figures.p2, year=2022).update(learning_families_recognised=700)
    put_return(figures.p3, 2022, learning_families_recognised=80, households=100)
    result = ranking(year=2022, scope=PROVINCES, metric="learning_families_share")
    assert _rows(result) == [(1, "Ba", Decimal("80.0")), (2, "Một", Decimal("60.0")), (None, "Hai", None)]
    progress = ranking(year=2022, scope=PROVINCES, metric="learning_families_share_progress")
    # Against the 2025 target of QĐ 387/QĐ-TTg, 70 %: 80 / 70 and 60 / 70.
    assert _rows(progress)[:2] == [(1, "Ba", Decimal("114.3")), (2, "Một", Decimal("85.7"))]


def test_it_ranks_members_as_a_share_of_the_population(figures):
    AnnualReturn.objects.filter(association=figures.p1, year=2022).update(members=50)
    AnnualReturn.objects.filter(association=figures.p2, year=2022).update(members=300)
    result = ranking(year=2022, scope=PROVINCES, metric="members_share")
    assert _rows(result) == [(1, "Hai", Decimal("15.0")), (2, "Một", Decimal("5.0")), (None, "Ba", None)]


def test_a_share_metric_shows_what_it_is_computed_from(figures):
    AnnualReturn.objects.filter(association=figures.p1, year=2022).update(
        learning_clans_recognised=13, clans=20
    )
    table = ranking_table(ranking(year=2022, scope=PROVINCES, metric="learning_clans_share"))
    assert [c.key for c in table.columns][-3:] == [
        "learning_clans_recognised",
        "clans",
        "learning_clans_share",
    ]
    assert table.rows[0].values[-3:] == [13, 20, Decimal("65.0")]


@pytest.mark.parametrize("metric", Metric.values())
def test_every_metric_ranks_in_the_same_three_queries(metric, figures, django_assert_num_queries):
    # 1 the ranked nodes, 2 the totals of the returns (every figure in one statement), 3 scholarships.
    with django_assert_num_queries(3):
        ranking(year=2022, scope=PROVINCES, metric=metric)


def test_trunguong_ranks_the_provinces_by_the_share_of_learning_families(client, demo):
    shares = {"02": (700, 1000), "17": (500, 1000), "12": (900, 1000)}  # Hà Giang, Hòa Bình, Lai Châu
    for code, (recognised, households) in shares.items():
        province = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code=code)
        AnnualReturn.objects.filter(association=province, year=2022).update(
            learning_families_recognised=recognised, households=households
        )
    client.force_login(get_user_model().objects.get(username="trunguong"))
    r = client.get(URL, {"nam": 2022, "chi_so": "learning_families_share"})
    assert r.status_code == 200
    shown = html_rows(r.content.decode(), "ranking")
    assert [row[:2] for row in shown[:3]] == [["1", "Lai Châu"], ["2", "Hà Giang"], ["3", "Hòa Bình"]]
    assert shown[0][-3:] == ["900", "1.000", "90,0%"]
    assert all(row[0] == "—" and row[-1] == "—" for row in shown[3:])
    assert "Mục tiêu: 70% vào năm 2025 (QĐ 387/QĐ-TTg)" in r.content.decode()
    csv = client.get(
        reverse("rankings_export", args=["csv"]), {"nam": 2022, "chi_so": "learning_families_share"}
    )
    assert csv.status_code == 200 and "Lai Châu" in csv.content.decode("utf-8-sig")


def test_the_trends_page_charts_the_shares_a_year_gives(client, viewer, figures, django_assert_num_queries):
    AnnualReturn.objects.filter(association=figures.p1, year=2022).update(
        learning_families_recognised=600, households=1000
    )
    client.force_login(viewer)
    url = reverse("province_trends", args=[figures.p1.pk])
    r = client.get(url, {"nam": 2022})
    titles = [str(title) for title, _chart in r.context["charts"]]
    assert "Tỷ lệ gia đình học tập (%)" in titles and "Tỷ lệ dòng họ học tập (%)" not in titles
    chart = dict(r.context["charts"])
    assert [
        c.text for c in next(v for k, v in chart.items() if str(k).startswith("Tỷ lệ gia đình")).columns
    ] == [
        "—",
        "60,0%",
    ]

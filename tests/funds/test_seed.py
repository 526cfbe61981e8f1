"""The demo data carries every figure of the seed article (../shared/seed/README.md).

The expected numbers are the article's, written here as the README gives them.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from funds.selectors import subtree_totals

TY = 1_000_000_000
TRIEU = 1_000_000
CONFERENCE_DAY = datetime.date(2022, 11, 29)

# Province code: per inhabitant in đồng, from the article.
PER_INHABITANT_2022 = {"17": 51_733, "02": 12_196, "12": 4_719, "10": 17_000, "11": 20_000}


@pytest.fixture
def seed(demo_once, db):
    """The demo data, loaded once for this module (about a second)."""


def province(code: str) -> Association:
    return Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code=code)


def node_named(name: str, *, parent: str) -> Association:
    return Association.objects.active_in(2022).get(short_name=name, parent__short_name=parent)


def balance(association: Association, fund_name: str) -> int | None:
    return FundBalance.objects.get(fund__association=association, fund__name=fund_name, year=2022).balance


def test_it_gives_the_articles_per_inhabitant_figures(seed):
    nodes = {code: province(code) for code in PER_INHABITANT_2022}
    totals = subtree_totals(year=2022, nodes=nodes.values())
    assert {code: totals[n.pk].per_inhabitant for code, n in nodes.items()} == PER_INHABITANT_2022


def test_it_gives_hoa_binhs_change_on_2021(seed):
    hoa_binh = province("17")
    totals = subtree_totals(year=2022, nodes=[hoa_binh])[hoa_binh.pk]
    assert totals.per_inhabitant_change == 4_782
    assert totals.prev_per_inhabitant == 46_951


def test_it_stores_hoa_binhs_implied_population(seed):
    # 43.200.000.000 ÷ 51.733 ≈ 835.057, as the README works it out.
    assert AnnualReturn.objects.get(association=province("17"), year=2022).population == 835_057


def test_it_shows_the_articles_figure_on_ha_giangs_page(seed, client):
    client.login(username="hagiang", password="khuyenhoc-demo")
    body = client.get(reverse("return_edit", args=[province("02").pk, 2022])).content.decode()
    assert "12.196 đồng/người" in body


def test_it_places_the_amounts_mobilised(seed):
    got = {
        code: AnnualReturn.objects.values_list("mobilised_cash", "mobilised_in_kind").get(
            association=province(code), year=2022
        )
        for code in ["17", "14", "02", "12", "10", "11"]
    }
    assert got == {
        "17": (43_200 * TRIEU, None),
        "14": (7_800 * TRIEU, 8 * TY),
        "02": (10_939 * TRIEU, None),
        "12": (2_200 * TRIEU, None),
        "10": (12 * TY, None),
        "11": (12 * TY, None),
    }


def test_it_places_yen_bais_awards_and_facilities(seed):
    r = AnnualReturn.objects.get(association=province("15"), year=2022)
    assert (r.awards_paid, r.facilities) == (10_300 * TRIEU, 18_700 * TRIEU)


def test_it_holds_phu_thos_named_and_clan_funds(seed):
    phu_tho = province("25")
    assert {
        name: balance(phu_tho, name)
        for name in [
            "Quỹ Hùng Vương",
            "Học bổng Khuyến học Làng Vân",
            "Quỹ khuyến học dòng họ Lê",
            "Quỹ khuyến học dòng họ Dương",
        ]
    } == {
        "Quỹ Hùng Vương": 11_100 * TRIEU,
        "Học bổng Khuyến học Làng Vân": 1_500 * TRIEU,
        "Quỹ khuyến học dòng họ Lê": TY,
        "Quỹ khuyến học dòng họ Dương": TY,
    }
    assert Fund.objects.get(association=phu_tho, name="Quỹ khuyến học dòng họ Lê").kind == Fund.Kind.CLAN


@pytest.mark.parametrize("name", ["Bùi Kim Đỉnh", "Nguyễn Mạnh Thản", "nghĩa tình Cựu chiến binh"])
def test_it_names_phu_thos_scholarships_without_a_figure(seed, name):
    fund = Fund.objects.get(association=province("25"), name__contains=name)
    assert fund.balances.get(year=2022).balance is None


def test_it_places_cam_khe_and_tu_xa_fund_balances_below_phu_tho(seed):
    cam_khe = node_named("Cẩm Khê", parent="Phú Thọ")
    tu_xa = node_named("Tứ Xã", parent="Lâm Thao")
    assert tu_xa.parent.parent == province("25")
    got = [AnnualReturn.objects.get(association=n, year=2022).fund_balance for n in (cam_khe, tu_xa)]
    assert got == [5 * TY, 10_500 * TRIEU]


def test_it_holds_son_las_scholarship_fund(seed):
    assert balance(province("14"), "Quỹ học bổng Khuyến học Sơn La") == 1_550 * TRIEU


def test_it_holds_son_las_ten_scholarships_in_japan(seed):
    s = Scholarship.objects.get(association=province("14"), year=2022, abroad=True)
    assert (s.awards, s.total_value, s.in_kind) == (10, 5 * TY, True)
    assert "Nhật Bản" in s.programme


def test_it_holds_the_money_moved_at_the_conference(seed):
    central = Association.objects.get(tier=Tier.CENTRAL)
    yen_minh = node_named("Yên Minh", parent="Hà Giang")
    moved = {
        (t.giver_id, t.giver_name, t.recipient_id, t.amount, t.date)
        for t in Transfer.objects.filter(year=2022).exclude(amount=None)
    }
    assert moved == {
        (central.pk, "", yen_minh.pk, 50 * TRIEU, CONFERENCE_DAY),
        (None, "Quỹ Khuyến học Việt Nam", province("02").pk, 100 * TRIEU, CONFERENCE_DAY),
    }


def test_it_holds_the_undisclosed_scholarships_for_yen_minh(seed):
    t = Transfer.objects.get(year=2022, amount=None)
    assert t.recipient == node_named("Yên Minh", parent="Hà Giang")
    assert "Học không bao giờ cùng" in t.purpose


@pytest.mark.parametrize("username", ["hagiang", "taybac", "trunguong"])
def test_it_creates_the_demo_users(seed, client, username):
    assert client.login(username=username, password="khuyenhoc-demo")


def test_it_adds_nothing_when_loaded_twice(seed, settings):
    settings.DEBUG = True
    models = [AnnualReturn, Fund, FundBalance, Scholarship, Transfer]
    before = [(m.objects.count(), m.history.count()) for m in models]
    call_command("load_demo", stdout=io.StringIO())
    assert [(m.objects.count(), m.history.count()) for m in models] == before

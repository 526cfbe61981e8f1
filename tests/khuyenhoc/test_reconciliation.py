"""The association page shows, beside an all-levels figure, what the returns below it add up to."""

import re
from html import unescape

import pytest
from django.urls import reverse

from funds.models import AnnualReturn

YEAR = 2023
ALL = AnnualReturn.Coverage.ALL


def _reconciliation(client, node) -> str | None:
    """The text of the reconciliation note of the node's page, or None when there is none."""
    body = client.get(reverse("association_detail", args=[node.pk]), {"nam": YEAR}).content.decode()
    found = re.search(r'<p class="([^"]*)" data-reconcile>(.*?)</p>', body, re.S)
    if found is None:
        return None
    return found.group(1) + ": " + " ".join(unescape(found.group(2)).split())


@pytest.fixture
def ha_giang(tree):
    """P1 reports 10.939.000.000 đ for the whole province; its district D1 2 tỷ of its own."""
    AnnualReturn.objects.create(
        association=tree.p1, year=YEAR, coverage=ALL, population=900_000, mobilised_cash=10_939_000_000
    )
    AnnualReturn.objects.create(association=tree.d1, year=YEAR, mobilised_cash=2_000_000_000)
    return tree


def test_it_shows_what_the_returns_below_an_all_levels_figure_add_up_to(client, officer, ha_giang):
    client.force_login(officer)
    note = _reconciliation(client, ha_giang.p1)
    assert note == (
        "reconcile: Tổng vận động trên là số liệu toàn các cấp do hội báo cáo (10,939 tỷ đồng); "
        "các hội cấp dưới đã báo cáo cộng lại 2 tỷ đồng, tức 18,3% con số này."
    )


def test_it_keeps_the_all_levels_figure_as_the_provinces_total(client, officer, ha_giang):
    client.force_login(officer)
    body = client.get(reverse("association_detail", args=[ha_giang.p1.pk]), {"nam": YEAR}).content.decode()
    assert "<dt>Tổng vận động</dt><dd>10,939 tỷ đồng</dd>" in body


def test_it_warns_when_the_returns_below_add_up_to_more(client, officer, ha_giang):
    AnnualReturn.objects.create(association=ha_giang.c3, year=YEAR, mobilised_cash=9_000_000_000)
    client.force_login(officer)
    note = _reconciliation(client, ha_giang.p1)
    assert note == (
        "reconcile warn: Cần đối chiếu: các hội cấp dưới báo cáo cộng lại 11 tỷ đồng, nhiều hơn con số "
        "toàn các cấp 10,939 tỷ đồng mà lẽ ra đã gồm cả các hội ấy."
    )


def test_it_shows_no_reconciliation_for_an_own_level_total(client, officer, ha_giang):
    client.force_login(officer)
    assert _reconciliation(client, ha_giang.d1) is None


def test_it_shows_a_missing_amount_as_a_dash_without_its_unit(client, officer, ha_giang):
    client.force_login(officer)
    body = client.get(reverse("association_detail", args=[ha_giang.p1.pk]), {"nam": YEAR}).content.decode()
    in_kind = re.search(r"<dt>Hiện vật quy ra tiền</dt><dd>(.*?)</dd>", body).group(1)
    assert in_kind == "—"

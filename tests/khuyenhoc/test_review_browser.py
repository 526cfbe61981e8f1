"""In Chromium, on a phone (390 px) and a desktop (1280 px): the review queue filtered to one cluster and a
return sent back from it, the completeness drill-down, and neither page wider than the screen."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn
from funds.workflow import annual_return_submit
from tests.reports.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
YEAR = 2022
WIDTHS = [390, 1280]


@pytest.fixture
def chromium(live_server, settings, monkeypatch):
    """The demo loaded, its 2022 province returns submitted and one more in another cluster, and a
    Chromium to drive."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEBUG = True  # the demo users
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    admin = get_user_model().objects.create_superuser("quantri", password="pw-quantri")
    for annual_return in AnnualReturn.objects.filter(year=YEAR, association__tier=Tier.PROVINCE):
        annual_return_submit(user=admin, annual_return=annual_return)
    elsewhere = (
        Association.objects.of_tier(Tier.PROVINCE).active_in(YEAR).exclude(parent=_tay_bac().pk).first()
    )
    AnnualReturn.objects.create(association=elsewhere, year=YEAR, status=AnnualReturn.Status.SUBMITTED)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
        connections.close_all()


def _ha_giang() -> Association:
    return Association.objects.get(tier=Tier.PROVINCE, code="02")


def _tay_bac() -> Association:
    return _ha_giang().parent


def _page(browser, live_server, width: int):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "trunguong")
    page.fill("#id_password", "khuyenhoc-demo")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    return page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reviewer_filters_the_queue_to_a_cluster_and_sends_a_return_back(chromium, live_server, width):
    ha_giang, tay_bac = _ha_giang(), _tay_bac()
    submitted = AnnualReturn.objects.filter(year=YEAR, status=AnnualReturn.Status.SUBMITTED)
    elsewhere = submitted.exclude(association__parent=tay_bac).get().association
    page = _page(chromium, live_server, width)
    page.goto(live_server.url + reverse("review_list") + f"?nam={YEAR}")
    assert page.locator("table.review", has_text=elsewhere.name).count() == 1
    assert _fits(page)
    page.select_option("#f-cum", str(tay_bac.pk))
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(f"**/duyet/?nam={YEAR}&cum={tay_bac.pk}**")
    names = page.locator("table.review tbody tr td:nth-child(2)").all_inner_texts()
    in_cluster = set(
        Association.objects.filter(
            parent=tay_bac, returns__year=YEAR, returns__status="submitted"
        ).values_list("name", flat=True)
    )
    assert set(names) == in_cluster and ha_giang.name in names and elsewhere.name not in names
    assert _fits(page)

    row = page.locator("table.review tbody tr", has_text=ha_giang.name)
    row.get_by_placeholder("Lý do trả lại").fill("Thiếu dân số của các xã")
    row.get_by_role("button", name="Trả lại").click()
    page.wait_for_load_state()
    assert f"cum={tay_bac.pk}" in page.url  # back to the filtered queue
    assert page.locator(".messages").inner_text().startswith("Đã trả lại báo cáo của")
    sent_back = AnnualReturn.objects.get(association=ha_giang, year=YEAR)
    assert (sent_back.status, sent_back.reopen_reason) == ("draft", "Thiếu dân số của các xã")
    assert _fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reviewer_drills_down_to_the_associations_that_have_not_sent_in(chromium, live_server, width):
    ha_giang = _ha_giang()
    page = _page(chromium, live_server, width)
    page.goto(live_server.url + reverse("completeness") + f"?nam={YEAR}")
    assert page.locator("table.completeness progress").count() > 0
    assert _fits(page)
    row = page.locator("table.completeness tr.province", has_text=ha_giang.short_name).first
    row.get_by_role("link", name="Hội chưa gửi").click()
    page.wait_for_url(f"**/tinh/{ha_giang.pk}/chua-gui/**")
    rows = page.locator("table.unsent tbody tr")
    assert 0 < rows.count() <= 50
    # Hà Giang's officer covers every association of the province.
    officer = get_user_model().objects.get(username="hagiang")
    assert officer.get_full_name() in rows.first.inner_text()
    assert _fits(page)

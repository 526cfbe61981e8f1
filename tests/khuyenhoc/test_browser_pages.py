"""In Chromium at 390 px and 1280 px: pages fit the screen, the entry form guides, rankings show their figure.

The demo is loaded once for the module and one browser serves every test, so that the file runs in
well under a minute.
"""

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn
from reports.rankings import Metric
from tests.reports.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = [
    pytest.mark.browser,
    # Each test in a transaction of its own: it also makes pytest-django create the test database.
    pytest.mark.django_db,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

WIDTHS = [390, 1280]
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Site:
    url: str
    browser: object
    states: dict  # username -> Playwright storage state of a signed-in session
    ha_giang: int
    tay_bac: int
    tuyen_quang: int  # the province of 2025, with its predecessors' table


def _sign_in(browser, url: str, username: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "khuyenhoc-demo")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(url + "/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo behind a live server, one Chromium, and signed-in sessions of hagiang and trunguong.

    Committed, not rolled back (the server thread has a connection of its own on PostgreSQL), so it
    is flushed when the module ends.
    """
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=MD5),
    ):
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
        with override_settings(DEBUG=True):  # the demo users
            call_command("load_demo", stdout=io.StringIO())
        ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02", active_until=2024)
        tuyen_quang = Association.objects.get(tier=Tier.PROVINCE, code="08", active_from=2025)
        server = LiveServer("localhost")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                states = {name: _sign_in(browser, server.url, name) for name in ["hagiang", "trunguong"]}
                yield Site(server.url, browser, states, ha_giang.pk, ha_giang.parent_id, tuyen_quang.pk)
                browser.close()
        finally:
            server.stop()
            # Playwright's greenlet opened connections of its own; PostgreSQL cannot flush past them.
            connections.close_all()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request) -> int:
    return request.param


@pytest.fixture
def open_page(site, width):
    """open_page(username) -> a page of a new browser context of that user at the test's width."""
    contexts = []

    def _open(username: str):
        context = site.browser.new_context(
            viewport={"width": width, "height": 900}, storage_state=site.states[username]
        )
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    inner = page.evaluate("window.innerWidth")
    return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= inner


def _screenshot(page, name: str, width: int) -> None:
    """With KHUYENHOC_SCREENSHOTS=docs, the pictures of docs/ are taken again."""
    if folder := os.environ.get("KHUYENHOC_SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}-{width}.png"), full_page=False)


def test_no_page_scrolls_sideways(site, open_page, width):
    page = open_page("trunguong")
    pages = {
        "home": (reverse("home"), 200),
        "association": (reverse("association_detail", args=[site.ha_giang]) + "?nam=2022", 200),
        "entry": (reverse("return_edit", args=[site.ha_giang, 2022]), 200),
        "rankings": (reverse("rankings") + "?nam=2022", 200),
        "history": (reverse("return_history", args=[site.ha_giang, 2022]), 200),
        "import": (reverse("import_upload"), 200),
        "review": (reverse("review_list") + "?nam=2022", 200),
        "completeness": (reverse("completeness") + "?nam=2022", 200),
        "cluster-report": (reverse("cluster_report", args=[site.tay_bac, 2022]), 200),
        "association-2025": (reverse("association_detail", args=[site.tuyen_quang]) + "?nam=2025", 200),
        "association-2024": (reverse("association_detail", args=[site.tuyen_quang]) + "?nam=2024", 200),
        "entry-2025": (reverse("return_edit", args=[site.tuyen_quang, 2025]), 200),
        "rankings-2025": (reverse("rankings") + "?nam=2025&chi_so=per_inhabitant_change", 200),
        "cluster-report-2025": (reverse("cluster_report", args=[site.tay_bac, 2025]), 200),
        "not-found": ("/khong-co-trang-nay/", 404),
    }
    wide = {}
    for name, (url, status) in pages.items():
        response = page.goto(site.url + url)
        assert response.status == status, name
        if not _fits(page):
            wide[name] = page.evaluate("document.documentElement.scrollWidth")
        if name in ("association", "entry", "rankings", "history"):
            _screenshot(page, name, width)
    assert page.evaluate("document.documentElement.lang") == "vi"  # the 404 page, in Vietnamese
    assert wide == {}


def test_each_error_sits_under_its_field_and_the_summary_takes_focus(site, open_page, width):
    page = open_page("hagiang")
    page.goto(site.url + reverse("return_edit", args=[site.ha_giang, 2022]))
    page.fill("#id_mobilised_cash", "-5")
    row = page.locator("#id_transfers-TOTAL_FORMS").input_value()  # the index the added row gets
    page.locator("#rows-transfers .add-row").click()
    page.fill(f"#id_transfers-{row}-purpose", "Khen thưởng")  # and no giver: refused
    page.locator("#return-form button.primary").click()
    page.wait_for_load_state()

    assert page.evaluate("document.activeElement.id") == "error-summary"
    wrappers = page.evaluate(
        """() => [...document.querySelectorAll('.errorlist[id]')].map(list => {
             const wrapper = list.closest('.field, td');
             const field = document.getElementById(list.id.replace(/_error$/, ''));
             return [list.id, wrapper !== null && wrapper.contains(field)];
           })"""
    )
    assert wrappers == [["id_mobilised_cash_error", True], [f"id_transfers-{row}-giver_name_error", True]]
    population = page.locator(".field", has=page.locator("#id_population"))
    assert population.locator(".errorlist").count() == 0
    assert page.locator("#id_mobilised_cash").get_attribute("aria-invalid") == "true"
    assert _fits(page)

    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_mobilised_cash"


def test_save_and_submit_keeps_what_was_typed_and_leaving_asks_first(site, open_page, width):
    # A year without a demo return, one per width: the server's writes may outlive the test's transaction.
    year = {390: 2020, 1280: 2021}[width]
    page = open_page("hagiang")
    page.goto(site.url + reverse("return_edit", args=[site.ha_giang, year]))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.locator("#id_population").press_sequentially("900000")  # typed: the page has a user gesture
    assert page.locator("[data-unsaved-note]").inner_text() == "Có thay đổi chưa lưu."
    page.locator("nav.breadcrumb a").first.click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(reverse("return_edit", args=[site.ha_giang, year]))

    page.get_by_role("button", name="Lưu và gửi để duyệt").click()
    page.locator(".msg-success").wait_for()
    assert "Đã lưu số liệu và gửi báo cáo" in page.locator(".messages").inner_text()
    assert dialogs == ["beforeunload"]  # the form's own submit does not ask
    saved = AnnualReturn.objects.get(association_id=site.ha_giang, year=year)
    assert (saved.status, saved.population) == (AnnualReturn.Status.SUBMITTED, 900_000)


def test_rankings_show_the_ranked_figure_and_the_changes(site, open_page, width):
    page = open_page("trunguong")
    hidden = {}
    for metric in Metric.values():
        page.goto(site.url + reverse("rankings") + f"?nam=2022&chi_so={metric}")
        columns = [metric]
        if metric in (Metric.CHANGE, Metric.CHANGE_PCT):
            columns = [Metric.CHANGE, Metric.CHANGE_PCT]
        for column in columns:
            cell = page.locator(f'table.ranking td[data-column="{column}"]').first
            if not _inside_viewport(page, cell):
                hidden[(metric, column)] = cell.bounding_box()
        assert "metric" in page.locator(f'td[data-column="{metric}"]').first.get_attribute("class")
        assert _fits(page), metric
    assert hidden == {}


@pytest.mark.parametrize("width", [1280], ids=["1280px"])  # the separators do not depend on the width
def test_english_pages_group_amounts_with_commas(site, open_page, width):
    page = open_page("hagiang")
    page.goto(site.url + reverse("return_edit", args=[site.ha_giang, 2022]))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    totals = page.locator("section.totals").inner_text()
    assert re.search(r"\b\d{1,3}(,\d{3}){3} đ\b", totals)  # 10,939,000,000 đ
    assert re.search(r"\b\d+(\.\d+)? billion đ\b", totals)  # 10.939 billion đ
    assert not re.search(r"\d\.\d{3}\.\d{3}|VND \d|tỷ", totals)
    assert _fits(page)

"""In Chromium: no page breaks the Content-Security-Policy, and English amounts group with commas."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn
from tests.reports.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def chromium_browser(live_server, settings, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEBUG = True  # the demo users
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False  # production's error pages, which the policy covers too
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
        # Queries made inside Playwright's greenlet open a connection of their own (Django keeps
        # connections per context); close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def _signed_in_page(browser, live_server, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "khuyenhoc-demo")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    return page, violations


def test_it_breaks_no_page_with_the_content_security_policy(chromium_browser, live_server):
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    tay_bac = ha_giang.parent
    reviewer, violations = _signed_in_page(chromium_browser, live_server, "trunguong")
    for url in [
        reverse("home"),
        reverse("association_detail", args=[ha_giang.pk]),
        reverse("return_edit", args=[ha_giang.pk, 2022]),
        reverse("review_list"),
        reverse("import_upload"),
        reverse("rankings"),
        reverse("completeness"),
        reverse("cluster_report", args=[tay_bac.pk, 2022]),
        reverse("user_list"),
        reverse("password_change"),
        "/khong-co-trang-nay/",
    ]:
        reviewer.goto(live_server.url + url)
    # The year picker is wired by site.js, not by an inline handler: choosing a year reloads the page.
    reviewer.goto(live_server.url + reverse("return_edit", args=[ha_giang.pk, 2022]))
    reviewer.select_option("#nam", "2021")
    reviewer.wait_for_url(f"**/hoi/{ha_giang.pk}/so-lieu/2021/")
    assert violations == []

    get_user_model().objects.create_superuser("root", "root@example.org", "khuyenhoc-demo")
    admin, violations = _signed_in_page(chromium_browser, live_server, "root")
    for url in [
        reverse("admin:index"),
        reverse("admin:associations_association_changelist"),  # the tree, indented (style-src-attr)
        reverse("admin:funds_annualreturn_change", args=[AnnualReturn.objects.first().pk]),
        reverse("admin:associations_role_add"),
    ]:
        admin.goto(live_server.url + url)
    assert violations == []


def test_it_groups_typed_amounts_with_the_pages_separator(chromium_browser, live_server):
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    page, _ = _signed_in_page(chromium_browser, live_server, "hagiang")
    edit = live_server.url + reverse("return_edit", args=[ha_giang.pk, 2022])
    for button, expected in [(None, "11.834.000.000"), ("English", "11,834,000,000")]:
        page.goto(edit)
        if button:
            page.get_by_role("button", name=button).click()
            page.wait_for_load_state()
        amount = page.locator("input.amount").first
        amount.fill("11834000000")
        amount.press("Tab")
        assert amount.input_value() == expected


def test_it_leaves_amounts_with_units_or_decimals_as_typed(chromium_browser, live_server):
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    page, _ = _signed_in_page(chromium_browser, live_server, "hagiang")
    page.goto(live_server.url + reverse("return_edit", args=[ha_giang.pk, 2022]))
    amount = page.locator("input.amount").first
    typed = {
        "43,2 tỷ": "43,2 tỷ",
        "10,939": "10,939",
        "43.2": "43.2",
        "1.23.456": "1.23.456",
        "43 200 000": "43.200.000",
    }
    shown = {}
    for text in typed:
        amount.fill(text)
        amount.press("Tab")
        shown[text] = amount.input_value()
    assert shown == typed

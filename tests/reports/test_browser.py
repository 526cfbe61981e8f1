"""Drives Debian's Chromium through Playwright: the chair reads the 2022 report and downloads the PDF."""

import hashlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from pypdf import PdfReader

from associations.models import Association, Tier
from reports.models import ClusterConference, IssuedReport
from tests.reports.conftest import approve_all

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/sysdeps.sh)"
    ),
]


@pytest.fixture
def browser_page(live_server, settings, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            locale="en-US", accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        yield page
        context.close()
        browser.close()
        # Queries made inside Playwright's greenlet open a connection of their own (Django keeps
        # connections per context); close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def test_the_chair_reads_the_2022_report_and_downloads_the_pdf(browser_page, live_server, tmp_path):
    page = browser_page
    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", "taybac")
    page.fill("#id_password", "khuyenhoc-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Báo cáo hội nghị giao ban cụm").wait_for()
    tay_bac = page.locator(".report-index tr", has_text="Tây Bắc")
    tay_bac.locator(".report-year", has_text="2022").get_by_role("link", name="Xem").click()

    page.get_by_role("heading", name="BÁO CÁO", exact=True).wait_for()
    text = re.sub(r"\s+", " ", page.locator("article.report").inner_text())
    assert "Hà Giang, ngày 29 tháng 11 năm 2022" in text
    for province in [
        "Hà Giang",
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Hòa Bình",
        "Phú Thọ",
        "Tuyên Quang",
        "Yên Bái",
        "Lào Cai",
    ]:
        assert province in text
    assert "51.733 đồng/người" in text and "43,2 tỷ đồng" in text and "trên 2,2 tỷ đồng" in text
    assert "DỰ THẢO" in text
    assert "Hội Khuyến học tỉnh Hòa Bình, đơn vị đăng cai Hội nghị giao ban cụm năm 2023" in text
    assert page.locator("svg.chart rect").count() == 5
    if os.environ.get("KHUYENHOC_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["KHUYENHOC_SCREENSHOTS"], "report-page.png"), full_page=False
        )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").click()
    download = download_info.value
    assert download.suggested_filename == "bao-cao-tay-bac-2022.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    reader = PdfReader(target)
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "51.733 đồng/người" in pdf_text and "Tuyên Quang" in pdf_text


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", "khuyenhoc-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name=re.compile("Xin chào")).wait_for()


def test_the_chair_issues_the_report_and_starts_the_next_conference(browser_page, live_server, tmp_path):
    page = browser_page
    tay_bac = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
    # As before the demo's later conferences: the article's is the last, so the next one is Hòa Bình's 2023.
    ClusterConference.objects.filter(cluster=tay_bac, year__gt=2022).delete()
    login(page, live_server, "taybac")
    page.get_by_role("link", name="Các hội nghị của cụm", exact=True).click()
    page.get_by_role("link", name="Giao ban").click()
    page.get_by_role("heading", name="BÁO CÁO", exact=True).wait_for()
    assert "Tuyên Quang: chưa có báo cáo" in page.locator("section.approval").inner_text()
    assert "chưa được duyệt" in page.locator("section.issue").inner_text()
    assert page.get_by_role("button", name="Ban hành").count() == 0

    approve_all(tay_bac, 2022)  # trunguong's approvals, through the same services as the review page
    page.reload()
    page.fill("#id_number", "1")
    page.fill("#id_dated", "2022-11-29")
    page.get_by_role("button", name="Ban hành").click()
    link = page.get_by_role("link", name="Tải PDF đã ban hành (bản 1)")
    link.wait_for()
    assert "Báo cáo số 01/BC-CTĐ1" in page.locator(".issued-box").inner_text()
    assert "DỰ THẢO" not in page.locator("article.report").inner_text()
    with page.expect_download() as download_info:
        link.click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    issued = IssuedReport.objects.get()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == issued.sha256
    assert "Số: 01/BC-CTĐ1" in " ".join(PdfReader(target).pages[0].extract_text().split())

    page.get_by_role("link", name=re.compile("Các hội nghị của cụm")).click()
    page.get_by_role("link", name="Tạo hội nghị tiếp theo").click()
    assert page.locator("#id_host option:checked").inner_text() == "Hội Khuyến học tỉnh Hòa Bình"
    page.fill("#id_date", "2023-11-20")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("heading", name="BÁO CÁO", exact=True).wait_for()
    conference = ClusterConference.objects.get(cluster=tay_bac, year=2023)
    assert conference.host.short_name == "Hòa Bình" and conference.place == "Hòa Bình"
    assert "Hòa Bình, ngày 20 tháng 11 năm 2023" in page.locator("article.report").inner_text()

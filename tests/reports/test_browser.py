"""Drives Debian's Chromium through Playwright: the chair reads the 2022 report and downloads the PDF."""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

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


def test_the_chair_reads_the_2022_report_and_downloads_the_pdf(browser_page, live_server, tmp_path):
    page = browser_page
    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", "taybac")
    page.fill("#id_password", "khuyenhoc-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Báo cáo hội nghị giao ban cụm").wait_for()
    page.locator(".report-index tr", has_text="Tây Bắc").get_by_role("link", name="Xem").first.click()

    page.get_by_role("heading", name="Báo cáo tóm tắt").wait_for()
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
    assert "51.733 đồng/người" in text and "43,2 tỷ đồng" in text
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

"""The issued 2022 Tây Bắc PDF laid out as Decree 30/2020/NĐ-CP asks, read back with pypdf."""

import io
import re
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from associations.models import Association, Tier
from reports import snapshot
from reports.issuing import report_issue
from reports.models import ClusterConference
from reports.rendering import render_pdf
from tests.reports.conftest import approve_all
from tests.reports.pdftext import MM, runs
from tests.reports.seed import seed_problems

# The fixture writes to the database: the mark makes pytest-django create it.
pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)
MIN_LINES = 8


@pytest.fixture(scope="module")
def pdfs(demo_once, django_db_blocker, tmp_path_factory):
    """The draft as the chair first sees it, and the version issued once every return is approved."""
    media = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=media):
        cluster = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
        conference = ClusterConference.objects.get(cluster=cluster, year=2022)
        draft = render_pdf(snapshot.live(cluster=cluster, year=2022, conference=conference))
        approve_all(cluster, 2022)
        chair = get_user_model().objects.get(username="taybac")
        issued = report_issue(user=chair, conference=conference, number=1, dated=date(2022, 11, 29))
        with issued.pdf.open("rb") as f:
            content = f.read()
        yield {"draft": PdfReader(io.BytesIO(draft)), "issued": PdfReader(io.BytesIO(content))}
        transaction.set_rollback(True)


@pytest.fixture
def issued(pdfs):
    return pdfs["issued"]


def body_runs(page):
    """The document's own text: the serif runs, without the page number in the top margin."""
    return [r for r in runs(page) if "Liberation" in r.font and not re.fullmatch(r"\d+", r.text.strip())]


def text(reader: PdfReader) -> str:
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_it_prints_on_a4_with_the_table_on_landscape_pages(issued):
    sizes = [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in issued.pages]
    assert sizes[0] == A4
    assert set(sizes) == {A4, A4[::-1]}
    landscape = [i for i, size in enumerate(sizes) if size == A4[::-1]]
    assert "PHỤ LỤC" in issued.pages[landscape[0]].extract_text()


def test_the_text_keeps_the_decree_margins(issued):
    for number, page in enumerate(issued.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        body = body_runs(page)
        left = min(r.x for r in body) / MM
        right = (width - max(r.end for r in body)) / MM
        top = (height - max(r.y + 0.9 * r.size for r in body)) / MM
        bottom = min(r.y - 0.25 * r.size for r in body) / MM
        assert 30 - 0.5 <= left <= 35, (number, left)
        assert 15 - 0.5 <= right <= 20 + 0.5, (number, right)
        assert top >= 20 - 0.5, (number, top)
        assert bottom >= 20 - 0.5, (number, bottom)


def test_every_font_is_embedded_and_the_body_is_a_times_metric_serif_at_13_to_14_pt(issued):
    embedded = {}
    for page in issued.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert embedded and all(embedded.values())
    portrait = [p for p in issued.pages if float(p.mediabox.width) < float(p.mediabox.height)]
    characters = Counter()
    for page in portrait:
        for r in runs(page):
            characters[(r.font.split("-")[0], round(r.size, 1))] += len(r.text)
    (family, size), _n = characters.most_common(1)[0]
    assert family == "Liberation" and 13 <= size <= 14


def test_no_page_holds_only_a_few_lines(issued):
    for number, page in enumerate(issued.pages, 1):
        lines = {round(r.y) for r in body_runs(page)}
        assert len(lines) >= MIN_LINES, (number, len(lines))


def test_the_signature_stays_with_the_last_paragraph(issued):
    [signed] = [" ".join(p.extract_text().split()) for p in issued.pages if "Nơi nhận" in p.extract_text()]
    assert "CỤM TRƯỞNG" in signed and "Nguyễn Thị Kim Hải" in signed
    assert "trao cờ luân lưu" in signed


def test_the_issued_pdf_carries_number_signer_and_recipients_and_no_draft_mark(issued):
    content = text(issued)
    assert "Số: 01/BC-CTĐ1" in content
    assert "TM. CỤM THI ĐUA" in content and "CỤM TRƯỞNG" in content
    assert "Nơi nhận:" in content and "Trung ương Hội Khuyến học Việt Nam (để báo cáo)" in content
    assert "đã được duyệt" in content
    assert "DỰ THẢO" not in content


def test_the_issued_pdf_holds_every_seed_figure_once_with_its_qualifier(issued):
    assert not seed_problems(text(issued))


def test_the_draft_is_marked_on_every_page_and_lists_the_approval_states(pdfs):
    draft = pdfs["draft"]
    assert all("DỰ THẢO" in page.extract_text() for page in draft.pages)
    content = text(draft)
    assert "Hà Giang: chưa gửi duyệt" in content and "Tuyên Quang: chưa có báo cáo" in content
    assert re.search(r"Số: +/BC-CTĐ1", content)

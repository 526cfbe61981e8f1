"""Many scholarships below the provinces: the text sums them, the annex lists them all, and the PDF
does not grow with them (issue 16, part 4)."""

import csv
import io

import pypdf
import pytest

from funds.models import Scholarship
from reports import prose
from reports.rendering import ANNEX_FILENAME, PDF_ANNEX_ROWS, document_context, render_pdf
from reports.snapshot import live

YEAR = 2022


def _list(association, count, *, start=0):
    Scholarship.objects.bulk_create(
        Scholarship(
            association=association,
            year=YEAR,
            programme=f"Học bổng {association.short_name} {i}",
            awards=i % 7 + 1,
            total_value=(i + 1) * 1_000_000,
        )
        for i in range(start, start + count)
    )


def _pdf(doc) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_pdf(doc)))


def _text(reader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_few_scholarships_below_are_named_one_by_one(tree):
    _list(tree.c1, prose.LISTED_BELOW)
    doc = live(cluster=tree.cluster_a, year=YEAR)
    [(name, text)] = doc["text"]["funds"]
    assert name == "Một" and text.count("Học bổng Bắc") == prose.LISTED_BELOW
    assert document_context(doc)["annex"] == []


def test_many_below_are_summed_in_the_text_and_listed_in_the_annex(tree):
    _list(tree.p1, 2)  # the province's own: still named
    _list(tree.c1, 4)
    _list(tree.c2, 5)
    doc = live(cluster=tree.cluster_a, year=YEAR)
    [(_name, text)] = doc["text"]["funds"]
    below = Scholarship.objects.exclude(association=tree.p1)
    awards = sum(s.awards for s in below)
    millions, rest = divmod(sum(s.total_value for s in below), 1_000_000)
    assert rest == 0
    assert "Học bổng Một 0" in text and "Học bổng Một 1" in text
    assert "Học bổng Bắc" not in text
    assert (
        f"các hội cấp dưới có 9 chương trình học bổng, {awards} suất, trị giá {millions} triệu đồng" in text
    )
    annex = document_context(doc)["annex"]
    assert sorted(r["programme"] for r in annex) == sorted(below.values_list("programme", flat=True))
    assert {r["member"] for r in annex} == {"Một"}


def test_the_pdf_lists_a_short_annex_as_a_table(tree):
    _list(tree.c1, prose.LISTED_BELOW + 1)
    text = _text(_pdf(live(cluster=tree.cluster_a, year=YEAR)))
    assert "Học bổng của các hội cấp dưới năm 2022" in text
    assert all(f"Học bổng Bắc {i}" in text for i in range(prose.LISTED_BELOW + 1))


def test_a_long_annex_travels_attached_and_the_pdf_does_not_grow(tree):
    _list(tree.c1, PDF_ANNEX_ROWS + 1)
    first = _pdf(live(cluster=tree.cluster_a, year=YEAR))
    _list(tree.c2, 4 * PDF_ANNEX_ROWS)
    doc = live(cluster=tree.cluster_a, year=YEAR)
    reader = _pdf(doc)
    assert len(reader.pages) == len(first.pages)
    text = _text(reader)
    assert "Học bổng Nam" not in text
    assert "được đính kèm trong tệp PDF này" in text
    assert f"(tệp {ANNEX_FILENAME})" in text.replace("-\n", "-").replace("- ", "-")  # broken at a line end
    [content] = reader.attachments[ANNEX_FILENAME]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Tỉnh", "Hội", "Chương trình"]
    listed = {(r[1], r[2], int(r[4]), int(r[5])) for r in rows[1:]}
    assert listed == {
        (s.association.short_name, s.programme, s.awards, s.total_value)
        for s in Scholarship.objects.select_related("association")
    }


@pytest.mark.parametrize("count", [prose.LISTED_BELOW + 1, PDF_ANNEX_ROWS + 1])
def test_the_html_page_lists_the_whole_annex(tree, chair, client, count):
    from django.urls import reverse

    _list(tree.c1, count)
    client.force_login(chair)
    body = client.get(reverse("cluster_report", args=[tree.cluster_a.pk, YEAR])).content.decode()
    assert body.count("Học bổng Bắc ") == count

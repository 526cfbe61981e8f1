"""Stored hostile text on its way out: XLSX and CSV exports neutralise formulas and keep any character
they can; the cluster report PDF prints markup as text."""

import csv
import io

from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from core.tabular import FORMULA_TRIGGERS, printable
from funds.models import AnnualReturn
from reports.models import ClusterConference

from .support import CONTROLS, FORMULAS, SCRIPT, cases, rolled_back, text

YEAR = 2023


def notes():
    return st.one_of(
        text(),
        st.builds(lambda a, b: a + b, st.sampled_from(FORMULAS + CONTROLS), text()),
    ).filter(lambda t: "\x00" not in t and printable(t).strip())


@cases(60)
@given(data=st.data())
def test_it_exports_any_stored_note_as_inert_text(tree, officer, data):
    note = data.draw(notes())
    fmt = data.draw(st.sampled_from(["xlsx", "csv"]))
    client = Client()
    client.force_login(officer)
    with rolled_back():
        AnnualReturn.objects.create(association=tree.c1, year=YEAR, population=10, notes=note)
        response = client.get(reverse("export_returns", args=[fmt]), {"nam": YEAR})
        assert response.status_code == 200
        expected = printable(note)
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
            cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
            assert all(cell.data_type != "f" for cell in cells)
            values = [cell.value for cell in cells if isinstance(cell.value, str)]
        else:
            values = [v for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for v in row]
        neutral = "'" + expected if expected.startswith(FORMULA_TRIGGERS) else expected
        event(f"{fmt} {'quoted' if neutral != expected else 'plain'}")
        assert neutral in values
        assert not any(isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in values)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_it_prints_markup_in_a_conference_as_text_in_the_pdf(tree, chair):
    ClusterConference.objects.create(
        cluster=tree.cluster_a, year=YEAR, summary=f"Tốt {SCRIPT}", events="<b>đậm</b> & <i>nghiêng</i>"
    )
    client = Client()
    client.force_login(chair)
    response = client.get(reverse("cluster_report_pdf", args=[tree.cluster_a.pk, YEAR]), follow=True)
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = pdf_text(content)
    assert SCRIPT in text
    assert "<b>đậm</b> & <i>nghiêng</i>" in text

"""A report snapshot rendered as the official document: HTML context, and the PDF through WeasyPrint."""

import hashlib
import json
from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from core import tabular

from . import prose
from .charts import BarChart, bar_chart
from .models import IssuedReport
from .pdf import Attachment, html_to_pdf

DOCUMENT_PDF = "reports/cluster_report_pdf.html"
# A PDF lays out a long table slowly (about 2 ms a row here): past this many rows the annex of
# scholarships travels inside the PDF as an attached spreadsheet, and the page says so.
PDF_ANNEX_ROWS = 40
ANNEX_FILENAME = "hoc-bong-cac-hoi-cap-duoi.csv"
ANNEX_COLUMNS = [
    tabular.Column("Tỉnh"),
    tabular.Column("Hội"),
    tabular.Column("Chương trình"),
    tabular.Column("Nhà tài trợ"),
    tabular.Column("Số suất"),
    tabular.Column("Trị giá (đồng)"),
]


def annex(doc: dict) -> list[dict]:
    """The scholarships below the provinces that the text sums (prose.below_scholarships), with their member."""
    names = {m["id"]: m["name"] for m in doc["members"]}
    return [
        {**s, "member": names.get(s["member_id"], "")} for s in prose.below_scholarships(doc["scholarships"])
    ]


def annex_csv(rows: list[dict]) -> bytes:
    # Through tabular.to_csv: a cell that starts like a formula is neutralised, as in every export.
    return tabular.to_csv(
        ANNEX_COLUMNS,
        [[r["member"], r["association"], r["programme"], r["donor"], r["awards"], r["value"]] for r in rows],
    )


def chart(doc: dict) -> BarChart:
    """Per-inhabitant bars of the ranked members, best first."""
    ranked = sorted(
        (m for m in doc["members"] if m["rank"] is not None), key=lambda m: (m["rank"], m["name"])
    )
    return bar_chart([(f"{m['rank']}. {m['name']}", m["figures"]["per_inhabitant"]) for m in ranked])


def place_date(place: str, day: date | None) -> str:
    """'Hà Giang, ngày 29 tháng 11 năm 2022'; Decree 30 pads days below 10 and the months 1 and 2."""
    if day is None:
        return f"{place}, ngày … tháng … năm …" if place else ""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def document_context(
    doc: dict, *, issued: IssuedReport | None = None, previous: IssuedReport | None = None
) -> dict:
    """What `reports/_document.html` needs: the snapshot, its chart, and the issue it belongs to (if any)."""
    conference = doc["conference"] or {}
    if issued is not None:
        dated = issued.dated
    else:
        dated = date.fromisoformat(conference["date"]) if conference.get("date") else None
    symbol = issued.symbol if issued is not None else conference.get("doc_symbol", "")
    return {
        "doc": doc,
        "chart": chart(doc),
        "ranked": any(m["rank"] is not None for m in doc["members"]),
        "issued": issued,
        "previous": previous,
        "draft": issued is None,
        "reference": issued.reference if issued is not None else f"\u2003\u2003/{symbol}" if symbol else "",
        "place_date": place_date(conference.get("place", ""), dated),
        "annex": annex(doc),
        "annex_attached": "",
        "doc_key": document_key(doc, issued=issued, previous=previous),
    }


def document_key(doc: dict, *, issued: IssuedReport | None, previous: IssuedReport | None) -> str:
    """What the rendered document depends on, as a digest: the page keeps its HTML under it.

    The document is a function of the snapshot and the issue it belongs to, so the key needs no data
    version: a changed figure is a changed snapshot.
    """
    versions = [
        (r.pk, r.version, r.reference, r.dated.isoformat()) if r is not None else None
        for r in (issued, previous)
    ]
    source = json.dumps([doc, versions, translation.get_language()], sort_keys=True, default=str)
    return hashlib.sha256(source.encode()).hexdigest()


def render_pdf(
    doc: dict, *, issued: IssuedReport | None = None, previous: IssuedReport | None = None
) -> bytes:
    """The report as an A4 PDF, drafts marked DỰ THẢO on every page."""
    context = document_context(doc, issued=issued, previous=previous)
    attachments = []
    if len(context["annex"]) > PDF_ANNEX_ROWS:
        context["annex_attached"] = ANNEX_FILENAME
        attachments.append(
            Attachment(
                string=annex_csv(context["annex"]), name=ANNEX_FILENAME, description="Phụ lục học bổng"
            )
        )
    with translation.override("vi"):
        html = render_to_string(DOCUMENT_PDF, context)
    return html_to_pdf(html, attachments=attachments)

"""A report snapshot rendered as the official document: HTML context, and the PDF through WeasyPrint."""

from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from .charts import BarChart, bar_chart
from .models import IssuedReport
from .pdf import html_to_pdf

DOCUMENT_PDF = "reports/cluster_report_pdf.html"


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
    }


def render_pdf(
    doc: dict, *, issued: IssuedReport | None = None, previous: IssuedReport | None = None
) -> bytes:
    """The report as an A4 PDF, drafts marked DỰ THẢO on every page."""
    with translation.override("vi"):
        html = render_to_string(DOCUMENT_PDF, document_context(doc, issued=issued, previous=previous))
    return html_to_pdf(html)

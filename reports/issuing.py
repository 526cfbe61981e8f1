"""Issuing a conference report: freeze the figures and the PDF, numbered as Decree 30 asks."""

import hashlib
from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.data_version import touches_years, writes_data

from . import snapshot
from .access import can_issue_report
from .models import ClusterConference, IssuedReport
from .rendering import render_pdf

ISSUE_STEPS = 3

REQUIRED = {
    "doc_symbol": gettext_lazy("ký hiệu văn bản"),
    "signer_title": gettext_lazy("chức vụ người ký"),
    "signer_name": gettext_lazy("họ tên người ký"),
    "recipients": gettext_lazy("nơi nhận"),
}


def outstanding_members(doc: dict) -> list[str]:
    """Members whose returns for the year are not all approved yet."""
    return [m["name"] for m in doc["members"] if m["state"] in ("draft", "submitted")]


def report_filename(conference: ClusterConference, issued: IssuedReport | None = None) -> str:
    """'bao-cao-tay-bac-2022.pdf'; issued versions carry their number and version."""
    name = slugify(conference.cluster.short_name.replace("đ", "d").replace("Đ", "D"))
    parts = ["bao-cao", name, str(conference.year)]
    if conference.kind != "giao_ban":
        parts.append(conference.kind.replace("_", "-"))
    if conference.number:
        parts.append(f"lan-{conference.number}")
    if issued is not None:
        parts += [f"so-{issued.number:02d}", f"ban-{issued.version}"]
    return "-".join(parts) + ".pdf"


@writes_data
def report_issue(
    *,
    user,
    conference: ClusterConference,
    number: int,
    dated: date,
    progress: Callable[[int, int], None] | None = None,
) -> IssuedReport:
    """Issue the conference's report as it stands: the next version, its PDF and figures stored for good.

    Refused while a member's figures await approval, while the document lacks what Decree 30 asks
    (symbol, signer, recipients), and when nothing changed since the last version. `progress` hears
    of the steps: the figures frozen, the PDF rendered, the file stored.
    """
    progress = progress or (lambda done, total: None)
    progress(0, ISSUE_STEPS)
    conference = (
        ClusterConference.objects.select_for_update(of=("self",))
        .select_related("cluster", "host", "next_host")
        .get(pk=conference.pk)
    )
    if not can_issue_report(user, conference.cluster):
        raise PermissionDenied
    touches_years(conference.year)
    missing = [str(label) for name, label in REQUIRED.items() if not getattr(conference, name).strip()]
    if missing:
        raise ValidationError(
            _("Cần ghi %(fields)s trong thông tin hội nghị trước khi ban hành.")
            % {"fields": ", ".join(missing)}
        )
    if conference.date and dated < conference.date:
        raise ValidationError(_("Ngày ban hành không được trước ngày họp."))
    doc = snapshot.live(cluster=conference.cluster, year=conference.year, conference=conference)
    outstanding = outstanding_members(doc)
    if outstanding:
        raise ValidationError(
            _("Số liệu của %(members)s chưa được duyệt.") % {"members": ", ".join(outstanding)}
        )
    previous = conference.issued.order_by("-version").first()
    changes = snapshot.changes(previous.snapshot, doc) if previous else []
    if previous is not None and not changes:
        raise ValidationError(
            _("Số liệu và nội dung không thay đổi so với bản %(v)s đã ban hành.") % {"v": previous.version}
        )
    taken = IssuedReport.objects.filter(
        conference__cluster=conference.cluster,
        symbol=conference.doc_symbol,
        number=number,
        dated__year=dated.year,
    )
    if taken.exists():
        raise ValidationError(
            _("Số %(number)02d/%(symbol)s đã được dùng trong năm %(year)s.")
            % {"number": number, "symbol": conference.doc_symbol, "year": dated.year}
        )

    issued = IssuedReport(
        conference=conference,
        version=previous.version + 1 if previous else 1,
        number=number,
        symbol=conference.doc_symbol,
        dated=dated,
        issued_by=user,
        snapshot=doc,
        changes=changes,
    )
    progress(1, ISSUE_STEPS)
    pdf = render_pdf(doc, issued=issued, previous=previous)
    progress(2, ISSUE_STEPS)
    issued.sha256 = hashlib.sha256(pdf).hexdigest()
    issued.pdf.save(report_filename(conference, issued), ContentFile(pdf), save=False)
    try:
        issued.full_clean()
        issued.save()
    except Exception:
        issued.pdf.delete(save=False)  # no row points at it: do not leave it behind
        raise
    return issued


def next_number(conference: ClusterConference, year: int) -> int:
    """The first unused document number of the cluster's symbol in `year` (one query)."""
    numbers = IssuedReport.objects.filter(
        conference__cluster=conference.cluster_id, symbol=conference.doc_symbol, dated__year=year
    ).values_list("number", flat=True)
    return max(numbers, default=0) + 1

"""Import of yearly figures from a spreadsheet: read the file, preview it, then confirm it.

Both steps run the whole file through the same checks (funds/spreadsheets/). The preview writes
nothing; the confirmation writes everything or nothing, and refuses to go on if the figures it
would overwrite changed after the preview (the fingerprint), so that no one's edit is lost silently.
"""

import hashlib
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from associations.data_version import touches_years, writes_data

from .spreadsheets.files import ImportFileError, read_table
from .spreadsheets.outcomes import (
    STATUS_CHANGED,
    STATUS_NEW,
    STATUS_UNCHANGED,
    RowIssue,
    RowOutcome,
    RowOutlier,
)
from .spreadsheets.resources import RESOURCES


class ImportRefused(Exception):
    """Confirmation refused because a row has an error; nothing was written."""

    def __init__(self, preview: "Preview"):
        super().__init__("import refused")
        self.preview = preview


class ImportOutliersUnconfirmed(ImportRefused):
    """Confirmation refused because some figures differ fivefold from last year's and the importer
    did not confirm them (services.figure_outliers, the entry form's rule); nothing was written."""

    def __init__(self, preview: "Preview"):
        super().__init__(preview)
        self.outliers = preview.outliers
        self.message = _(
            "Chưa có số liệu nào được ghi: một số số liệu lớn hơn gấp 5 lần hoặc nhỏ hơn 1/5 so với năm "
            "trước. Hãy kiểm tra lại rồi đánh dấu ô xác nhận để nhập."
        )
        self.args = (self.message,)


class ImportConflict(Exception):
    """The figures changed between the preview and the confirmation; nothing was written."""

    def __init__(self, preview: "Preview"):
        super().__init__("import conflict")
        self.preview = preview


@dataclass
class Preview:
    """What an import would do: one outcome per valid row (with its outliers), and every error found."""

    kind: str = ""
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self.count(STATUS_NEW)

    @property
    def changed(self) -> int:
        return self.count(STATUS_CHANGED)

    @property
    def unchanged(self) -> int:
        return self.count(STATUS_UNCHANGED)

    @property
    def outliers(self) -> list[RowOutlier]:
        """The figures to confirm before the file is written: fivefold up or down on last year's."""
        return [o for r in self.rows for o in r.outliers]

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})


def _normal(header: str) -> str:
    return unicodedata.normalize("NFC", " ".join(header.split())).casefold()


def detect_kind(headers: list[str]) -> str:
    """The kind of rows ('returns', 'funds', 'scholarships') whose headers the file matches best."""
    have = {_normal(h) for h in headers}
    return max(RESOURCES, key=lambda k: len(have & {_normal(h) for h in RESOURCES[k].headers()}))


def header_issues(*, kind: str, headers: list[str]) -> list[RowIssue]:
    """Missing, unknown and repeated columns, each with a message naming the expected headers."""
    expected = RESOURCES[kind].headers()
    by_normal = {_normal(h): h for h in expected}
    issues = []
    seen = set()
    for position, header in enumerate(headers, 1):
        normal = _normal(header)
        if not normal:
            issues.append(RowIssue(1, f"#{position}", _("Cột thứ %(n)s không có tiêu đề.") % {"n": position}))
        elif normal in seen:
            issues.append(RowIssue(1, header, _("Cột “%(column)s” xuất hiện hai lần.") % {"column": header}))
        elif normal not in by_normal:
            issues.append(
                RowIssue(
                    1,
                    header,
                    _("Cột “%(column)s” không có trong mẫu. Các cột của mẫu: %(expected)s.")
                    % {"column": header, "expected": ", ".join(expected)},
                )
            )
        seen.add(normal)
    # An optional column (added after files were in use) may be left out of an older file.
    required = [f.header for f in RESOURCES[kind].all_fields() if not f.optional]
    for header in required:
        if _normal(header) not in seen:
            issues.append(
                RowIssue(
                    1,
                    header,
                    _("Thiếu cột “%(column)s”. Hãy dùng tệp mẫu tải từ trang này, giữ nguyên dòng tiêu đề.")
                    % {"column": header},
                )
            )
    return issues


def _fingerprint(resource, content: bytes) -> str:
    digest = hashlib.sha256(content)
    for pk, version in sorted(resource.versions.items()):
        digest.update(f"v{pk}:{version};".encode())
    for row in resource.outcomes:
        digest.update(f"{row.line}:{row.status}:".encode())
        for change in row.changes:
            digest.update(f"{change.column}={change.old!r};".encode())
        # The outliers too: a confirmation covers those the preview showed, and no others.
        for outlier in row.outliers:
            digest.update(f"!{outlier.column}={outlier.previous!r};".encode())
    return digest.hexdigest()


def _run(*, user, content: bytes, filename: str, confirm: bool, progress=None):
    """Read and check the whole file; returns (Preview, resource or None)."""
    try:
        table = read_table(content=content, filename=filename)
    except ImportFileError as exc:
        return Preview(errors=[RowIssue(None, "", str(exc))]), None
    kind = detect_kind(table.headers)
    issues = header_issues(kind=kind, headers=table.headers)
    if issues and table.encoding == "Windows-1258":
        # Most likely not Windows-1258 at all (an old TCVN3 or VNI file): say how to save it.
        message = _(
            "Tệp CSV không dùng bảng mã UTF-8 và đọc theo bảng mã Windows-1258 thì tiêu đề không khớp "
            "với mẫu. Trong Excel, chọn Lưu dưới dạng (Save As) → “CSV UTF-8 (Comma delimited) (*.csv)” "
            "rồi tải lên lại."
        )
        return Preview(kind=kind, errors=[RowIssue(None, "", message)]), None
    if issues:
        return Preview(kind=kind, errors=issues), None
    if not table.rows:
        message = _("Tệp chỉ có dòng tiêu đề, chưa có dòng số liệu nào.")
        return Preview(kind=kind, errors=[RowIssue(None, "", message)]), None
    resource = RESOURCES[kind](user=user, lock=confirm)
    canonical = {_normal(h): h for h in resource.headers()}
    headers = [canonical[_normal(h)] for h in table.headers]
    rows = [
        (line, dict(zip(headers, values, strict=True)))
        for line, values in zip(table.lines, table.rows, strict=True)
    ]
    resource.check(rows, source=filename, progress=progress)
    errors = sorted(resource.issues, key=lambda i: i.line or 0)
    preview = Preview(
        kind=kind, rows=resource.outcomes, errors=errors, fingerprint=_fingerprint(resource, content)
    )
    return preview, resource


def import_preview(*, user, content: bytes, filename: str, progress=None) -> Preview:
    """Read the file and tell, row by row, what confirming it would do; writes nothing.

    Not one transaction: the confirmation reads everything again, locked, and compares the
    fingerprint; and outside a transaction the progress a task reports is seen by the page at once
    (SQLite has a single writer, so a second connection could not report it)."""
    preview, _resource = _run(user=user, content=content, filename=filename, confirm=False, progress=progress)
    return preview


@writes_data
def import_confirm(
    *, user, content: bytes, filename: str, fingerprint: str, confirm_outliers: bool = False, progress=None
) -> Preview:
    """Write every row of the file, or nothing: raises ImportRefused on any error, ImportConflict
    when the stored figures changed after the preview that produced `fingerprint`, and
    ImportOutliersUnconfirmed when the file has outliers and `confirm_outliers` is not set (the
    outliers are found again here, never taken from the preview).

    Each row's return (the row itself, or the parent of a fund balance or scholarship) is held
    from the check to the commit: an existing one is locked before its figures are read, and a
    missing one is created, so that a concurrent writer of the same association and year either
    waits and then sees a new version, or collides on the return's unique constraint and is told.
    """
    preview, resource = _run(user=user, content=content, filename=filename, confirm=True, progress=progress)
    if preview.errors or resource is None:
        raise ImportRefused(preview)
    if preview.fingerprint != fingerprint:
        raise ImportConflict(preview)
    if preview.outliers and not confirm_outliers:
        raise ImportOutliersUnconfirmed(preview)
    touches_years(*preview.years)
    try:
        with transaction.atomic():
            resource.write()
    except IntegrityError as exc:
        # Someone else (the entry form, another import) created one of the returns we create, as
        # new rows or as the parents of new balances and scholarships, after we read them: we
        # waited for them to commit, and lost. The returns that existed were locked by the check.
        raise ImportConflict(preview) from exc
    return preview

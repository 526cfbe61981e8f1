"""Import of yearly figures from a spreadsheet: read the file, preview it, then confirm it.

Both steps run the whole file through the same Resource (funds/resources.py). The preview writes
nothing; the confirmation writes everything or nothing, and refuses to go on if the figures it
would overwrite changed after the preview (the fingerprint), so that no one's edit is lost silently.
"""

import csv
import hashlib
import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .resources import RESOURCES, STATUS_CHANGED, STATUS_NEW, STATUS_UNCHANGED, RowIssue, RowOutcome

logger = logging.getLogger(__name__)

# Far more than the communes of the largest province; also bounds what a crafted file can cost.
MAX_ROWS = 20_000
MAX_COLUMNS = 40
# A zip that inflates beyond this is not a spreadsheet of figures (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(Exception):
    """The upload cannot be read as a spreadsheet of figures; the message says why, in Vietnamese."""


class ImportRefused(Exception):
    """Confirmation refused because a row has an error; nothing was written."""

    def __init__(self, preview: "Preview"):
        super().__init__("import refused")
        self.preview = preview


class ImportConflict(Exception):
    """The figures changed between the preview and the confirmation; nothing was written."""

    def __init__(self, preview: "Preview"):
        super().__init__("import conflict")
        self.preview = preview


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    lines: list[int]


@dataclass
class Preview:
    """What an import would do: one outcome per valid row, and every error found."""

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
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})


def file_size(size: int) -> str:
    """'5 MB', '1,5 MB', or in KB below a tenth of a megabyte, with the Vietnamese decimal comma."""
    mb = size / 1024 / 1024
    if mb < 0.1:
        return f"{max(1, round(size / 1024))} KB"
    text = f"{mb:.0f}" if round(mb, 1).is_integer() else f"{mb:.1f}".replace(".", ",")
    return f"{text} MB"


def limit_text() -> str:
    """The upload limit as the pages and messages state it ('5 MB')."""
    return file_size(settings.IMPORT_MAX_BYTES)


def check_size(size: int) -> None:
    """Refuse an upload larger than settings.IMPORT_MAX_BYTES before reading it."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("Tệp quá lớn (%(size)s). Giới hạn là %(limit)s; hãy chia tệp thành nhiều phần.")
            % {"size": file_size(size), "limit": limit_text()}
        )


def read_table(*, content: bytes, filename: str) -> Table:
    """The first sheet of an XLSX file, or a CSV file, as headers and rows with their line numbers.

    Formulas are read as formulas (data_only=False) so that the import can refuse them.
    """
    check_size(len(content))
    if not content.strip():
        raise ImportFileError(_("Tệp rỗng: không có dòng tiêu đề và số liệu nào."))
    name = filename.lower()
    if content.startswith(ZIP_MAGIC):
        rows = _xlsx_rows(content)
    elif content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("Tệp Excel 97-2003 (.xls) chưa được hỗ trợ. Hãy mở tệp và lưu lại dưới dạng .xlsx.")
        )
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise ImportFileError(_("Tệp không phải là bảng tính. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    return _table(rows)


def _xlsx_rows(content: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ImportFileError(_("Tệp Excel chứa quá nhiều dữ liệu để nhập một lần."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(
            _("Không đọc được tệp Excel này (tệp hỏng hoặc không phải .xlsx). Hãy lưu lại dưới dạng .xlsx.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            yield line, list(values)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("Không đọc được tệp Excel này (tệp hỏng).")) from exc
    finally:
        workbook.close()


def _csv_rows(content: bytes):
    if b"\x00" in content:
        raise ImportFileError(_("Tệp không phải là bảng tính. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Tệp CSV phải dùng bảng mã UTF-8. Trong Excel, chọn Lưu dưới dạng → “CSV UTF-8”.")
        ) from None
    first = text.split("\n", 1)[0]
    # Excel writes ";" where the list separator is a comma-decimal locale's.
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            yield line, values[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ImportFileError(_("Tệp CSV không đúng định dạng: %(error)s.") % {"error": exc}) from exc


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows) -> Table:
    headers = None
    data, lines = [], []
    for line, values in rows:
        if all(_blank(v) for v in values):
            continue
        if headers is None:
            while values and _blank(values[-1]):
                values.pop()
            headers = [" ".join(str(v).split()) if v is not None else "" for v in values]
            continue
        if len(data) >= MAX_ROWS:
            raise ImportFileError(
                _("Tệp có hơn %(max)s dòng số liệu; hãy chia thành nhiều tệp.") % {"max": f"{MAX_ROWS:,}"}
            )
        values = list(values[: len(headers)])
        values += [None] * (len(headers) - len(values))
        data.append(values)
        lines.append(line)
    if headers is None:
        raise ImportFileError(_("Tệp rỗng: không có dòng tiêu đề và số liệu nào."))
    return Table(headers=headers, rows=data, lines=lines)


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
    for header in expected:
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


def _dataset(table: Table, kind: str) -> tablib.Dataset:
    canonical = {_normal(h): h for h in RESOURCES[kind].headers()}
    dataset = tablib.Dataset(headers=[canonical[_normal(h)] for h in table.headers])
    for values in table.rows:
        dataset.append(values)
    return dataset


def _fingerprint(resource, content: bytes) -> str:
    digest = hashlib.sha256(content)
    for pk, version in sorted(resource.versions.items()):
        digest.update(f"v{pk}:{version};".encode())
    for row in resource.outcomes:
        digest.update(f"{row.line}:{row.status}:".encode())
        for change in row.changes:
            digest.update(f"{change.column}={change.old!r};".encode())
    return digest.hexdigest()


def _run(*, user, content: bytes, filename: str, confirm: bool):
    """Read and check the whole file; returns (Preview, resource or None)."""
    try:
        table = read_table(content=content, filename=filename)
    except ImportFileError as exc:
        return Preview(errors=[RowIssue(None, "", str(exc))]), None
    kind = detect_kind(table.headers)
    issues = header_issues(kind=kind, headers=table.headers)
    if issues:
        return Preview(kind=kind, errors=issues), None
    if not table.rows:
        message = _("Tệp chỉ có dòng tiêu đề, chưa có dòng số liệu nào.")
        return Preview(kind=kind, errors=[RowIssue(None, "", message)]), None
    resource = RESOURCES[kind](user=user, lines=table.lines, lock=confirm)
    result = resource.import_data(_dataset(table, kind), dry_run=not confirm, use_transactions=True)
    errors = sorted(resource.issues, key=lambda i: i.line or 0)
    # Anything else that went wrong is a bug, not the officer's doing: log it, say so, write nothing.
    for number, row_errors in result.row_errors():
        for error in row_errors:
            logger.error("Import of %s, row %s: %s\n%s", filename, number, error.error, error.traceback)
        errors.append(RowIssue(table.lines[number - 1], "", _("Lỗi hệ thống khi đọc hàng này.")))
    for error in result.base_errors:
        logger.error("Import of %s: %s\n%s", filename, error.error, error.traceback)
        errors.append(RowIssue(None, "", _("Lỗi hệ thống khi đọc tệp; chưa có số liệu nào được ghi.")))
    preview = Preview(
        kind=kind, rows=resource.outcomes, errors=errors, fingerprint=_fingerprint(resource, content)
    )
    return preview, resource


@transaction.atomic
def import_preview(*, user, content: bytes, filename: str) -> Preview:
    """Read the file and tell, row by row, what confirming it would do; writes nothing."""
    preview, _resource = _run(user=user, content=content, filename=filename, confirm=False)
    return preview


@transaction.atomic
def import_confirm(*, user, content: bytes, filename: str, fingerprint: str) -> Preview:
    """Write every row of the file, or nothing: raises ImportRefused on any error and ImportConflict
    when the stored figures changed after the preview that produced `fingerprint`.
    """
    preview, resource = _run(user=user, content=content, filename=filename, confirm=True)
    if preview.errors or resource is None:
        raise ImportRefused(preview)
    if preview.fingerprint != fingerprint:
        raise ImportConflict(preview)
    try:
        with transaction.atomic():
            resource.write()
    except IntegrityError as exc:
        # A browser created one of the new returns while we were writing.
        raise ImportConflict(preview) from exc
    return preview

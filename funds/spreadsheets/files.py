"""Reading an uploaded file into headers and rows with their line numbers, within the limits."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

# Far more than the communes of the largest province; also bounds what a crafted file can cost.
MAX_ROWS = 20_000
MAX_COLUMNS = 40
# A zip that inflates beyond this is not a spreadsheet of figures (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(Exception):
    """The upload cannot be read as a spreadsheet of figures; the message says why, in Vietnamese."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    lines: list[int]


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

"""Reading an uploaded file into headers and rows with their line numbers, within limits.

The limits hold whatever the file says about itself: lines are counted as they stream (blank ones
included), XLSX parts are bounded once inflated and read within a budget of time and XML elements
(xlsx.py), and a CSV is decoded from UTF-8, UTF-16 or Windows-1258 or refused with the exact
encoding to save in. Every refusal is an ImportFileError whose message says why, in Vietnamese;
no exception text of Python's reaches the user.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.numbers import grouped

from .xlsx import Budget, TooComplex, TooSlow, unzipped_size, xlsx_rows

# Far more than the communes of the largest province; also bounds what a crafted file can cost.
MAX_ROWS = 20_000
# Lines read, blank ones included: a file cannot make us walk millions of empty rows.
MAX_LINES = 2 * MAX_ROWS
MAX_COLUMNS = 40
# A template of 20,000 rows inflates to about 12 MB; beyond this it is not a file of figures.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
# XML elements in all the parts read. A full template (20,000 rows of 12 cells) has about 660,000
# (two or three per cell, plus the shared strings); openpyxl's parser spends a few microseconds on
# each, so this bounds what a file of millions of cells, rows or styles can cost.
MAX_ELEMENTS = 1_000_000
# Elements read beyond what the rows so far account for (a row of our files has at most about
# 40): covers the shared strings and styles read first, and stops one row of a million cells early.
MAX_ELEMENTS_AHEAD = 250_000
ELEMENTS_PER_ROW = 2 * MAX_COLUMNS
# The last bound, for what the others miss; reading a full template takes about 2 s.
READ_SECONDS = 10
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ImportFileError(Exception):
    """The upload cannot be read as a spreadsheet of figures; the message says why, in Vietnamese."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    lines: list[int]
    # The CSV's encoding when it was not UTF-8 ("UTF-16", "Windows-1258"), for the messages.
    encoding: str = ""


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

    Formulas are read as formulas so that the import can refuse them.
    """
    check_size(len(content))
    if not content.strip():
        raise ImportFileError(_("Tệp rỗng: không có dòng tiêu đề và số liệu nào."))
    budget = Budget(
        seconds=READ_SECONDS, elements=MAX_ELEMENTS, ahead=MAX_ELEMENTS_AHEAD, per_row=ELEMENTS_PER_ROW
    )
    name = filename.lower()
    if content.startswith(ZIP_MAGIC):
        return _table(_xlsx_rows(content, budget), budget)
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("Tệp Excel 97-2003 (.xls) chưa được hỗ trợ. Hãy mở tệp và lưu lại dưới dạng .xlsx.")
        )
    if name.endswith((".csv", ".txt")) or content.startswith(UTF16_BOMS):
        text, encoding = decode_csv(content)
        return _table(_csv_rows(text), budget, encoding=encoding)
    raise ImportFileError(_("Tệp không phải là bảng tính. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def _xlsx_rows(content: bytes, budget: Budget):
    unreadable = _(
        "Không đọc được tệp Excel này (tệp hỏng hoặc không phải .xlsx). Hãy mở tệp và lưu lại dưới dạng .xlsx."
    )
    try:
        if unzipped_size(content) > MAX_UNZIPPED_BYTES:
            raise ImportFileError(
                _("Tệp Excel chứa quá nhiều dữ liệu để nhập một lần (hơn %(size)s khi giải nén).")
                % {"size": file_size(MAX_UNZIPPED_BYTES)}
            )
        yield from xlsx_rows(content, budget=budget, max_columns=MAX_COLUMNS)
    except ImportFileError:
        raise
    except TooSlow:
        raise ImportFileError(_too_slow()) from None
    except TooComplex:
        raise ImportFileError(
            _(
                "Tệp Excel này có quá nhiều ô, định dạng hoặc dòng trống để nhập. Hãy chép số liệu "
                "sang tệp mẫu tải từ trang này (chỉ phần giá trị) rồi tải lên lại."
            )
        ) from None
    except Exception as exc:
        raise ImportFileError(unreadable) from exc


def _too_slow() -> str:
    return _(
        "Đọc tệp này mất hơn %(seconds)s giây nên đã dừng; chưa có số liệu nào được ghi. Hãy chép số "
        "liệu sang tệp mẫu tải từ trang này rồi tải lên lại, hoặc chia thành nhiều tệp."
    ) % {"seconds": READ_SECONDS}


def _save_as_utf8() -> str:
    return _("Trong Excel, chọn Lưu dưới dạng (Save As) → “CSV UTF-8 (Comma delimited) (*.csv)”.")


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding when not UTF-8: UTF-16 with a byte order mark (Excel's
    "Unicode Text"), UTF-8 with or without one, else Windows-1258 (Excel's "CSV" on Vietnamese Windows).
    """
    if content.startswith(UTF16_BOMS):
        try:
            text, encoding = content.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise ImportFileError(
                _("Tệp CSV hỏng: không đọc được theo bảng mã UTF-16. ") + _save_as_utf8()
            ) from None
    elif b"\x00" in content:
        raise ImportFileError(_("Tệp không phải là bảng tính. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    else:
        try:
            text, encoding = content.decode("utf-8-sig"), ""
        except UnicodeDecodeError:
            try:
                # Windows-1258 writes most tone marks as combining characters: compose them.
                text, encoding = unicodedata.normalize("NFC", content.decode("cp1258")), "Windows-1258"
            except UnicodeDecodeError:
                raise ImportFileError(
                    _("Không nhận ra bảng mã của tệp CSV này. ") + _save_as_utf8()
                ) from None
    if "\x00" in text:
        raise ImportFileError(_("Tệp không phải là bảng tính. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    return text, encoding


def _csv_rows(text: str):
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    # Excel writes ";" where the list separator is a comma-decimal locale's, and tabs in "Unicode Text".
    delimiter = max([",", ";", "\t"], key=first.count)
    # newline="" as the csv module asks: quoted line breaks stay in their cell, and a file from an
    # old Mac (lines ending in "\r" alone) reads as lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for line, values in enumerate(reader, 1):
            yield line, values[:MAX_COLUMNS]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            message = _(
                'Dòng %(line)s của tệp CSV có một ô dài hơn %(max)s ký tự, thường do một dấu ngoặc kép (") '
                "không được đóng. Hãy sửa ô đó, hoặc mở tệp bằng Excel rồi lưu lại."
            ) % {"line": line + 1, "max": grouped(csv.field_size_limit())}
        else:
            message = _(
                "Dòng %(line)s của tệp CSV không đúng định dạng (thường do dấu ngoặc kép không khớp). "
                "Hãy mở tệp bằng Excel rồi lưu lại dưới dạng CSV UTF-8."
            ) % {"line": line + 1}
        raise ImportFileError(message) from None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows, budget: Budget, *, encoding: str = "") -> Table:
    headers = None
    data, lines = [], []
    for line, values in rows:
        if line > MAX_LINES:
            raise ImportFileError(
                _(
                    "Tệp có hơn %(max)s dòng (kể cả dòng trống). Hãy xoá các dòng trống thừa ở cuối trang "
                    "tính, hoặc chia thành nhiều tệp."
                )
                % {"max": grouped(MAX_LINES)}
            )
        try:
            budget.check_time()
        except TooSlow:
            raise ImportFileError(_too_slow()) from None
        if all(_blank(v) for v in values):
            continue
        if headers is None:
            while values and _blank(values[-1]):
                values.pop()
            headers = [" ".join(str(v).split()) if v is not None else "" for v in values]
            continue
        if len(data) >= MAX_ROWS:
            raise ImportFileError(
                _("Tệp có hơn %(max)s dòng số liệu; hãy chia thành nhiều tệp.") % {"max": grouped(MAX_ROWS)}
            )
        values = list(values[: len(headers)])
        values += [None] * (len(headers) - len(values))
        data.append(values)
        lines.append(line)
    if headers is None:
        raise ImportFileError(_("Tệp rỗng: không có dòng tiêu đề và số liệu nào."))
    return Table(headers=headers, rows=data, lines=lines, encoding=encoding)

"""Rows to CSV or XLSX: the one renderer of every export and template.

An exporter says what its list is: `iterate_list()` yields the header (a list of Columns), then
one list of raw values per row. `render()` turns that into a file and returns (filename, content
type, bytes), as pretix's exporters do. What a cell may hold is decided here, once, for both
formats:

- text that a spreadsheet would run as a formula gets a leading quote (OWASP "CSV injection");
- the control characters that XLSX cannot hold are replaced or dropped, and line breaks written
  as "\n", in CSV too, so that both files carry the same text and a stray character in stored
  text never breaks a download;
- numbers stay numbers, formatted by their column's kind, and codes stay text ("00712").
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Column kinds: how a column's numbers are shown (text columns are written as they are).
TEXT, CODE, INTEGER, AMOUNT, SIGNED, PERCENT = "text", "code", "integer", "amount", "signed", "percent"
NUMBER_FORMATS = {
    CODE: "@",  # text: Excel keeps the leading zeros when the cell is edited
    AMOUNT: "#,##0",
    SIGNED: "+#,##0;-#,##0;0",
    PERCENT: "0.0",
}

# The C0 controls that XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE, which raises
# IllegalCharacterError on them). A vertical tab or a form feed is a line break pasted from Word.
# A carriage return is one too: XML reads it back as "\n", so a cell holds line breaks as "\n"
# (what Alt+Enter types in Excel) and "\r\n" from a browser's text box is written that way.
_ILLEGAL = re.compile(r"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f]")
_AS_LINE_BREAK = {"\x0b": "\n", "\x0c": "\n", "\r": "\n", "\r\n": "\n"}

# Excel refuses these in a sheet's name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int | None = None  # in characters; by default from the header

    @property
    def display_width(self) -> int:
        return self.width or max(10, min(len(self.header), 30) + 2)


def printable(text: str) -> str:
    """The text without the control characters a spreadsheet cannot hold; line breaks as "\n"."""
    return _ILLEGAL.sub(lambda m: _AS_LINE_BREAK.get(m.group(), ""), text)


def neutralise(value):
    """Text a spreadsheet would read as a formula gets a leading quote; other values are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell_value(value):
    """What a cell holds: numbers as they are, None for nothing, anything else as safe text."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return neutralise(printable(str(value)))


class ListExporter:
    """Subclasses set `filename` and `title` and yield the list; `render()` writes the file."""

    filename = "export"
    title = ""

    def iterate_list(self) -> Iterator[Sequence]:
        """The header (a list of Columns), then one list of raw values per row."""
        raise NotImplementedError

    def guide(self) -> tuple[str, Sequence[str]] | None:
        """An optional second XLSX sheet of explanations: (its name, its lines)."""
        return None

    def render(self, fmt: str) -> tuple[str, str, bytes]:
        """(filename, content type, bytes) of the list as 'csv' or 'xlsx'."""
        lines = iter(self.iterate_list())
        columns = list(next(lines))
        if fmt == "csv":
            return f"{self.filename}.csv", CSV_TYPE, to_csv(columns, lines)
        if fmt == "xlsx":
            return f"{self.filename}.xlsx", XLSX_TYPE, to_xlsx(columns, lines, self.title, self.guide())
        raise ValueError(f"unknown format {fmt!r}")


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to show Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_value(c.header) for c in columns])
    for values in rows:
        writer.writerow(["" if v is None else v for v in map(cell_value, values)])
    return out.getvalue().encode("utf-8-sig")


def sheet_name(title: str) -> str:
    """A name Excel accepts for a sheet."""
    return _SHEET_NAME_FORBIDDEN.sub("-", printable(title)).strip("'")[:31] or "Sheet1"


def to_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    title: str = "",
    guide: tuple[str, Sequence[str]] | None = None,
) -> bytes:
    """One sheet: a bold frozen header, then the rows, numbers formatted by their column's kind."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.display_width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, cell_value(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(c.kind) for c in columns]
    for values in rows:
        line = []
        for value, number_format in zip(map(cell_value, values), formats, strict=True):
            if value is not None and number_format:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = number_format
                value = cell
            line.append(value)
        sheet.append(line)
    if guide is not None:
        name, lines = guide
        notes = workbook.create_sheet(sheet_name(name))
        for text in lines:
            notes.append([cell_value(text)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""The rows of an XLSX file's first sheet, read as a stream within a budget of time and elements.

openpyxl's read-only worksheet is not used: when a sheet does not declare its dimension, opening
it parses the whole sheet first, and it pads the rows between the ones the file has, so a 264 KB
file of 30 million blank rows held a worker for over a minute. Here the sheet is parsed row by row
with openpyxl's own parser (same values, dates and formulas), every part of the archive is read
through a guard that checks the clock and counts XML elements as the bytes come in, and the
caller stops at its line limit whatever the file declares.
"""

import io
import time
import zipfile
from collections.abc import Iterator

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import WorkSheetParser


class TooSlow(Exception):
    """Reading took longer than the budget allows."""


class TooComplex(Exception):
    """The file holds more XML elements than the budget allows."""


class Budget:
    """A deadline and numbers of XML elements, shared by every part read from one file.

    `elements` bounds them all; `ahead` bounds those read beyond what the rows produced so far
    account for (`per_row` each), so that one huge row, or a huge part read before the rows, is
    refused long before the total is spent.
    """

    def __init__(self, *, seconds: float, elements: int, ahead: int, per_row: int):
        self.deadline = time.monotonic() + seconds
        self.elements = elements
        self.ahead = ahead
        self.per_row = per_row
        self.spent = 0
        self.accounted = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooSlow

    def spend(self, data: bytes) -> None:
        # Each element opens with "<" (closing tags with "</"); "<" cannot appear unescaped in text.
        self.spent += data.count(b"<") - data.count(b"</")
        if self.spent > self.elements or self.spent - self.accounted > self.ahead:
            raise TooComplex

    def row_read(self) -> None:
        self.accounted += self.per_row


class _GuardedPart:
    """A part of the archive, checked against the budget at every read."""

    def __init__(self, raw, budget: Budget):
        self.raw = raw
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        self.budget.check_time()
        data = self.raw.read(size)
        self.budget.spend(data)
        return data

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _GuardedArchive(zipfile.ZipFile):
    budget: Budget

    def open(self, name, mode="r", pwd=None, **kwargs):
        part = super().open(name, mode, pwd, **kwargs)
        return _GuardedPart(part, self.budget) if mode == "r" else part


def unzipped_size(content: bytes) -> int:
    """The size of the archive's parts once inflated, as declared (zipfile never reads past it)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(info.file_size for info in archive.infolist())


def xlsx_rows(content: bytes, *, budget: Budget, max_columns: int) -> Iterator[tuple[int, list]]:
    """(line number, values) of each row the first worksheet holds; formulas as text ('=…').

    Rows the file leaves out are not produced, so line numbers can jump. Raises TooSlow,
    TooComplex, or any error of a file that is not a workbook.
    """
    archive = _GuardedArchive(io.BytesIO(content))
    archive.budget = budget
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
        reader.archive.close()
        reader.archive = archive
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        workbook = reader.wb
        apply_stylesheet(archive, workbook)  # which number formats are dates
        names = set(archive.namelist())
        path = next(
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if "chartsheet" not in rel.Type and rel.target in names
        )
        with archive.open(path) as source:
            parser = WorkSheetParser(
                source,
                reader.shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for line, cells in parser.parse():
                values = []
                for cell in cells:
                    column = cell["column"]
                    if column <= max_columns:
                        values += [None] * (column - len(values))
                        values[column - 1] = cell["value"]
                budget.row_read()
                yield line, values
    finally:
        archive.close()

"""The one CSV/XLSX renderer: safe text, typed numbers, a frozen header, whatever the stored text holds."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import tabular
from core.tabular import Column, ListExporter, cell_value, neutralise, printable


class People(ListExporter):
    filename = "nguoi"
    title = "Danh sách: 2023/2024"

    def __init__(self, rows):
        self.rows = rows

    def iterate_list(self):
        yield [Column("Mã", tabular.CODE), Column("Tên", width=30), Column("Số tiền", tabular.AMOUNT)]
        yield from self.rows


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_it_returns_the_filename_type_and_bytes():
    filename, content_type, content = People([["01", "An", 5]]).render("xlsx")
    assert (filename, content_type) == ("nguoi.xlsx", tabular.XLSX_TYPE)
    assert _sheet(content)["B2"].value == "An"
    filename, content_type, content = People([["01", "An", 5]]).render("csv")
    assert (filename, content_type) == ("nguoi.csv", "text/csv; charset=utf-8")
    assert content.decode("utf-8-sig") == "Mã,Tên,Số tiền\r\n01,An,5\r\n"


def test_it_refuses_an_unknown_format():
    with pytest.raises(ValueError):
        People([]).render("pdf")


@pytest.mark.parametrize("code", range(32))
def test_it_writes_every_control_character_to_both_formats(code):
    text = f"Dòng một{chr(code)}Dòng hai"
    rows = [["01", text, 1]]
    sheet = _sheet(People(rows).render("xlsx")[2])
    from_csv = _csv(People(rows).render("csv")[2])[1][1]
    assert sheet["B2"].value == from_csv
    if chr(code) in "\t\n\r\x0b\x0c":
        assert sheet["B2"].value == "Dòng một" + ("\t" if code == 9 else "\n") + "Dòng hai"
    else:
        assert sheet["B2"].value == "Dòng mộtDòng hai"


def test_it_neutralises_text_a_spreadsheet_would_run_in_both_formats():
    rows = [["=1+1", "@SUM(A1)", 5], ["-2", "\x01=cmd|' /C calc'!A0", -5]]
    sheet = _sheet(People(rows).render("xlsx")[2])
    assert [sheet["A2"].value, sheet["B2"].value, sheet["A3"].value, sheet["B3"].value] == [
        "'=1+1",
        "'@SUM(A1)",
        "'-2",
        "'=cmd|' /C calc'!A0",
    ]
    assert {sheet[c].data_type for c in ("A2", "B2", "A3", "B3")} == {"s"}
    assert _csv(People(rows).render("csv")[2])[1:] == [
        ["'=1+1", "'@SUM(A1)", "5"],
        ["'-2", "'=cmd|' /C calc'!A0", "-5"],
    ]


def test_it_keeps_numbers_as_numbers_and_codes_as_text():
    sheet = _sheet(People([["00712", "An", 43_200_000_000], ["01", None, None]]).render("xlsx")[2])
    assert sheet["A2"].value == "00712" and sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet["C2"].value == 43_200_000_000 and sheet["C2"].data_type == "n"
    assert sheet["C2"].number_format == "#,##0"
    assert sheet["B3"].value is None and sheet["C3"].value is None


def test_it_freezes_a_bold_header_and_sizes_the_columns():
    sheet = _sheet(People([]).render("xlsx")[2])
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Mã", "Tên", "Số tiền"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.column_dimensions["A"].width == 10


def test_it_names_the_sheet_as_excel_allows():
    workbook = load_workbook(io.BytesIO(People([]).render("xlsx")[2]))
    assert workbook.sheetnames == ["Danh sách- 2023-2024"]
    assert tabular.sheet_name("x" * 40) == "x" * 31


def test_it_leaves_plain_values_alone():
    assert neutralise("Hòa Bình") == "Hòa Bình"
    assert neutralise(-5) == -5
    assert cell_value(Decimal("-1.5")) == Decimal("-1.5")
    assert cell_value("") is None and cell_value(None) is None
    assert cell_value(True) == "True"
    assert printable("a\tb\r\nc\rd\n") == "a\tb\nc\nd\n"

"""Helpers shared by the import and export tests (no tests here): real files and a database snapshot."""

import csv
import io

from openpyxl import Workbook, load_workbook

from funds.models import AnnualReturn, Fund, FundBalance, Scholarship
from funds.spreadsheets.cells import tier_label
from funds.spreadsheets.resources import AnnualReturnResource

YEAR = 2023
HEADERS = AnnualReturnResource.headers()


def row(node, year: int = YEAR, **values) -> list:
    """A row of the returns file for `node`, in the template's column order."""
    cells = {"Mã": node.code, "Cấp": tier_label(node.tier), "Tên hội": node.name, "Năm": year}
    named = {
        "population": "Dân số",
        "mobilised_cash": "Vận động bằng tiền",
        "mobilised_in_kind": "Vận động bằng hiện vật",
        "fund_balance": "Số dư quỹ cuối năm",
        "awards_paid": "Khen thưởng, hỗ trợ đã chi",
        "facilities": "Cơ sở vật chất",
        "coverage": "Phạm vi số liệu",
        "notes": "Ghi chú",
    }
    cells |= {named.get(k, k): v for k, v in values.items()}
    return [cells.get(h) for h in HEADERS]


def xlsx(rows, headers=HEADERS) -> bytes:
    """An XLSX file with one header row and `rows` (strings starting with '=' become formulas)."""
    workbook = Workbook()
    sheet = workbook.active
    if headers is not None:
        sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS, *, delimiter=",", encoding="utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    if headers is not None:
        writer.writerow(headers)
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    return text.getvalue().encode(encoding)


def read_xlsx(content: bytes) -> list[list]:
    """The first sheet's values, formulas as text."""
    sheet = load_workbook(io.BytesIO(content), data_only=False).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def db_state() -> dict:
    """Everything an import can write, with the history, as comparable values."""
    return {
        model.__name__: (list(model.objects.order_by("pk").values()), model.history.count())
        for model in (AnnualReturn, Fund, FundBalance, Scholarship)
    }

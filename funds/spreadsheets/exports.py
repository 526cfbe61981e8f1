"""The files users download: the figures they see, and the template they fill in, as XLSX or CSV."""

import csv
import io

from django.utils.translation import gettext as _

from associations.models import Association, Perm

from ..models import AnnualReturn, Fund, FundBalance, Scholarship
from .cells import CODE, NAME, AmountWidget
from .resources import RESOURCES
from .rows import AssociationRowResource

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
FILE_STEMS = {"returns": "so-lieu", "funds": "so-du-quy", "scholarships": "hoc-bong"}


def export_nodes(*, user, year: int, template: bool = False, root: Association | None = None):
    """The associations a file covers: those the user sees (or may fill in, for a template) in `year`."""
    nodes = (
        Association.objects.with_perm(user, Perm.EDIT_FIGURES)
        if template
        else Association.objects.visible_to(user)
    )
    nodes = nodes.active_in(year)
    if root is not None:
        nodes = nodes.in_subtree_of(root)
    return nodes


def export_objects(*, kind: str, nodes, year: int) -> list:
    """The objects of one file, in tree order; two queries.

    Returns: one per association, unsaved and blank where the association has no return yet.
    Funds: one per fund of those associations, blank where the fund has no balance that year.
    Scholarships: those of the year.
    """
    order = ("association__tree_id", "association__lft")
    if kind == "returns":
        associations = list(nodes.order_by("tree_id", "lft"))
        stored = {r.association_id: r for r in AnnualReturn.objects.filter(year=year, association__in=nodes)}
        rows = []
        for node in associations:
            row = stored.get(node.pk) or AnnualReturn(year=year)
            row.association = node
            rows.append(row)
        return rows
    if kind == "funds":
        funds = list(
            Fund.objects.filter(association__in=nodes).select_related("association").order_by(*order, "name")
        )
        balances = {b.fund_id: b for b in FundBalance.objects.filter(year=year, fund__association__in=nodes)}
        rows = []
        for fund in funds:
            row = balances.get(fund.pk) or FundBalance(year=year)
            row.fund = fund
            rows.append(row)
        return rows
    return list(
        Scholarship.objects.filter(year=year, association__in=nodes)
        .select_related("association")
        .order_by(*order, "programme")
    )


def _guide_lines() -> list[str]:
    return [
        _("Hướng dẫn điền tệp số liệu"),
        _("1. Chỉ điền vào trang tính đầu tiên; giữ nguyên dòng tiêu đề và các cột Mã, Cấp, Năm."),
        _("2. Ghi số nguyên đồng, không âm; có thể để trống ô chưa có số liệu. Không dùng công thức."),
        _("3. Cột Tên hội chỉ để đọc; hội được xác định bằng Mã, Cấp và Năm."),
        _(
            "4. Tải tệp lên trang “Nhập từ Excel”, xem trước rồi xác nhận. Có lỗi ở bất kỳ hàng nào thì không hàng nào được ghi."
        ),
    ]


def to_xlsx(dataset, *, resource: AssociationRowResource) -> bytes:
    """The dataset as a workbook: bold frozen header, grouped amounts, codes kept as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(resource.title)
    sheet.freeze_panes = "A2"
    export_fields = resource.get_export_fields()
    amount_columns = {i for i, f in enumerate(export_fields) if isinstance(f.widget, AmountWidget)}
    code_column = dataset.headers.index(CODE)
    for i, header in enumerate(dataset.headers):
        width = (
            34
            if header in (NAME, "Ghi chú", "Tên quỹ", "Chương trình học bổng")
            else max(10, len(header) + 4)
        )
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in dataset.headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in dataset:
        row = []
        for i, value in enumerate(values):
            if value in (None, ""):
                row.append(None)
            elif i in amount_columns or i == code_column:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = "@" if i == code_column else "#,##0"
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
    guide = workbook.create_sheet(_("Hướng dẫn"))
    for line in _guide_lines():
        guide.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(dataset) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to show Vietnamese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.headers)
    for values in dataset:
        writer.writerow(["" if v is None else v for v in values])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_file(
    *, user, kind: str, year: int, fmt: str, template: bool = False, root: Association | None = None
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the figures of `year` as XLSX or CSV, or of the template."""
    resource = RESOURCES[kind]()
    nodes = export_nodes(user=user, year=year, template=template, root=root)
    dataset = resource.export(export_objects(kind=kind, nodes=nodes, year=year))
    stem = ("mau-" if template else "") + f"{FILE_STEMS[kind]}-{year}"
    if fmt == "csv":
        return f"{stem}.csv", CSV_TYPE, to_csv(dataset)
    return f"{stem}.xlsx", XLSX_TYPE, to_xlsx(dataset, resource=resource)

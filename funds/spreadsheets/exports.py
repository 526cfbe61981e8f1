"""The files users download: the figures they see, and the template they fill in, as XLSX or CSV.

The rows come from the same column declarations as the import reads (resources.py), and
core/tabular.py writes them, so that an exported file imports back unchanged.
"""

from django.utils.translation import gettext as _

from associations.models import Association, Perm
from core import tabular

from ..models import AnnualReturn, Fund, FundBalance, Scholarship
from .resources import RESOURCES

FORMATS = tabular.FORMATS
# Rows written between two reports of a background export's progress.
PROGRESS_EVERY = 250


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
        _(
            "5. Cột Phạm vi số liệu: ghi “riêng” khi số liệu chỉ là của riêng hội đó, “toàn bộ” khi đã gồm cả các hội "
            "cấp dưới (số toàn tỉnh, toàn huyện); để trống thì giữ nguyên như đã lưu."
        ),
    ]


class FiguresExporter(tabular.ListExporter):
    """One kind of figures (returns, fund balances or scholarships) of a year, in the import's columns."""

    def __init__(self, *, kind: str, objects: list, year: int, template: bool = False, progress=None):
        self.resource = RESOURCES[kind]()
        self.objects = objects
        self.progress = progress
        self.filename = ("mau-" if template else "") + f"{self.resource.stem}-{year}"
        self.title = self.resource.title

    def iterate_list(self):
        yield [f.column() for f in self.resource.all_fields()]
        total = len(self.objects)
        for done, obj in enumerate(self.objects):
            if self.progress is not None and done % PROGRESS_EVERY == 0:
                self.progress(done, total)
            yield self.resource.export_row(obj)

    def guide(self):
        return _("Hướng dẫn"), _guide_lines()


def export_file(
    *,
    user,
    kind: str,
    year: int,
    fmt: str,
    template: bool = False,
    root: Association | None = None,
    progress=None,
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the figures of `year` as XLSX or CSV, or of the template.

    `progress(done, total)`, when given, hears of the rows written every PROGRESS_EVERY rows."""
    nodes = export_nodes(user=user, year=year, template=template, root=root)
    objects = export_objects(kind=kind, nodes=nodes, year=year)
    exporter = FiguresExporter(kind=kind, objects=objects, year=year, template=template, progress=progress)
    return exporter.render(fmt)

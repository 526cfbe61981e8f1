"""The ranking table: one row generator for the page, the CSV and the XLSX.

The files are written by core/tabular.py, which returns (filename, content_type, bytes),
neutralises text that a spreadsheet would run as a formula and keeps numbers as numbers.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import sort_key_for
from core import tabular
from funds import catalogue

from .derivations import derivation_note
from .rankings import Metric, Ranking, RankingRow, ScopeKind


@dataclass(frozen=True)
class Column:
    """`key` names the sort and, for figures, the attribute of funds.selectors.Totals."""

    key: str
    label: str
    kind: str  # rank, text, count, money, signed, percent, share (a percentage with no sign)

    @property
    def numeric(self) -> bool:
        return self.kind not in ("rank", "text")


RANK = Column("rank", gettext_lazy("Hạng"), "rank")
NAME = Column("name", gettext_lazy("Hội"), "text")
CODE = Column("code", gettext_lazy("Mã"), "text")
CLUSTER = Column("cluster", gettext_lazy("Cụm thi đua"), "text")
POPULATION = Column("population", gettext_lazy("Dân số (người)"), "count")
CASH = Column("mobilised_cash", gettext_lazy("Vận động bằng tiền (đồng)"), "money")
IN_KIND = Column("mobilised_in_kind", gettext_lazy("Hiện vật quy ra tiền (đồng)"), "money")
MOBILISED = Column("mobilised", gettext_lazy("Tổng vận động (đồng)"), "money")
PER_INHABITANT = Column("per_inhabitant", gettext_lazy("Bình quân đầu người (đồng/người)"), "money")
PREV_PER_INHABITANT = Column("prev_per_inhabitant", gettext_lazy("Bình quân năm trước (đồng/người)"), "money")
CHANGE = Column("per_inhabitant_change", gettext_lazy("Tăng/giảm (đồng/người)"), "signed")
CHANGE_PCT = Column("per_inhabitant_change_pct", gettext_lazy("Tăng/giảm (%)"), "percent")
FUND_BALANCE = Column("fund_balance", gettext_lazy("Số dư quỹ cuối năm (đồng)"), "money")
AWARDS = Column("scholarship_awards", gettext_lazy("Số suất học bổng"), "count")
SCHOLARSHIP_VALUE = Column("scholarship_value", gettext_lazy("Giá trị học bổng (đồng)"), "money")
# Where last year's figures come from when the node did not exist then (the 2025 reform).
NOTE = Column("note", gettext_lazy("Năm trước tính từ"), "text")

# The figures a metric is computed from, ending with the metric itself (or both forms of the change).
FIGURES = {
    Metric.PER_INHABITANT: [MOBILISED, POPULATION, PER_INHABITANT],
    Metric.MOBILISED: [CASH, IN_KIND, MOBILISED],
    Metric.CHANGE: [PREV_PER_INHABITANT, PER_INHABITANT, CHANGE, CHANGE_PCT],
    Metric.CHANGE_PCT: [PREV_PER_INHABITANT, PER_INHABITANT, CHANGE, CHANGE_PCT],
    Metric.FUND_BALANCE: [FUND_BALANCE],
    Metric.SCHOLARSHIPS: [AWARDS, SCHOLARSHIP_VALUE],
}


@dataclass
class Cell:
    column: Column
    value: object


@dataclass
class TableRow:
    association_id: int
    sort_name: str
    cells: list[Cell]

    @property
    def values(self) -> list:
        return [cell.value for cell in self.cells]


@dataclass
class Header:
    column: Column
    sort_param: str  # the ?sap_xep= value a click on this header asks for
    active: bool
    descending: bool


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[TableRow]
    sort: str
    headers: list[Header] = field(default_factory=list)


KINDS = {
    catalogue.MONEY: "money",
    catalogue.PER_PERSON: "money",
    catalogue.PEOPLE: "count",
    catalogue.COUNT: "count",
    catalogue.PERCENT: "share",
}


def figure_column(name: str) -> Column:
    """The column of a catalogue figure: its label with its unit, written as its unit says."""
    figure = catalogue.get(name)
    label = figure.form_label
    if figure.unit == catalogue.PERCENT:
        label = format_lazy("{} (%)", label)
    return Column(name, label, KINDS[figure.unit])


def figure_columns(name: str) -> list[Column]:
    """A catalogue metric's columns: what it is computed from, ending with the metric itself."""
    figure = catalogue.get(name)
    if figure.adds_up == catalogue.PROGRESS:
        share = catalogue.get(figure.numerator)
        inputs = [share.numerator, share.denominator, share.name]
    else:
        inputs = [*figure.parts, *filter(None, [figure.numerator, figure.denominator])]
    return [figure_column(n) for n in [*inputs, name]]


def ranking_columns(ranking: Ranking) -> list[Column]:
    """Rank, name, code, cluster (except when clusters are ranked), then the figures of the metric.

    A change on last year ends with a note when some node's last year is its predecessors' (or
    could not be summed): which ones, so the row says what it was compared with.
    """
    head = [RANK, NAME, CODE]
    if ranking.scope.kind != ScopeKind.CLUSTERS:
        head.append(CLUSTER)
    figures = FIGURES.get(ranking.metric) or figure_columns(ranking.metric)
    if PREV_PER_INHABITANT in figures and any(row.totals.prev_derived for row in ranking.rows):
        figures = [*figures, NOTE]
    return head + figures


def ranking_target(ranking: Ranking) -> catalogue.Target | None:
    """The national target a share or progress metric is measured against in the ranking's year."""
    try:
        figure = catalogue.get(ranking.metric)
    except KeyError:
        return None
    return figure.target_for(ranking.year)


def _value(row: RankingRow, column: Column):
    if column is NOTE:
        return derivation_note(row.totals.prev_derived, row.totals.year - 1)
    if column is RANK:
        return row.rank
    if column is NAME:
        return row.association.short_name
    if column is CODE:
        return row.association.code
    if column is CLUSTER:
        return row.association.cluster_name or ""
    return getattr(row.totals, column.key)


def ranking_rows(ranking: Ranking, columns: list[Column]) -> Iterator[TableRow]:
    """The one row generator: a TableRow of raw values per ranked node, in rank order."""
    for row in ranking.rows:
        yield TableRow(
            association_id=row.association.pk,
            sort_name=row.association.sort_key,
            cells=[Cell(column, _value(row, column)) for column in columns],
        )


def _sorted(rows: list[TableRow], columns: list[Column], sort: str) -> tuple[list[TableRow], str]:
    """Rows ordered by one column; missing values stay last either way; ties keep rank order."""
    key = sort.removeprefix("-")
    index = next((i for i, c in enumerate(columns) if c.key == key), None)
    if index is None or sort == RANK.key:
        return rows, RANK.key

    def sort_key(row: TableRow):
        if columns[index] is NAME:
            return row.sort_name
        value = row.cells[index].value
        return sort_key_for(value) if isinstance(value, str) else value

    present = [row for row in rows if row.cells[index].value not in (None, "")]
    missing = [row for row in rows if row.cells[index].value in (None, "")]
    present.sort(key=sort_key, reverse=sort.startswith("-"))
    return present + missing, sort


def _headers(columns: list[Column], sort: str) -> list[Header]:
    headers = []
    for column in columns:
        active = sort.removeprefix("-") == column.key
        descending = sort.startswith("-")
        if active:
            param = column.key if descending else f"-{column.key}"
        else:
            param = f"-{column.key}" if column.numeric else column.key
        headers.append(Header(column=column, sort_param=param, active=active, descending=descending))
    return headers


def ranking_table(ranking: Ranking, *, sort: str = RANK.key) -> Table:
    """The table of the page and of both exports, ordered by `sort` (a column key, '-' for descending)."""
    columns = ranking_columns(ranking)
    rows, sort = _sorted(list(ranking_rows(ranking, columns)), columns, sort or RANK.key)
    title = _("Xếp hạng năm %(year)s theo %(metric)s") % {
        "year": str(ranking.year),
        "metric": Metric.label(ranking.metric).lower(),
    }
    return Table(title=title, columns=columns, rows=rows, sort=sort, headers=_headers(columns, sort))


# How each kind of ranking column is written to a spreadsheet.
SHEET_KINDS = {
    "rank": tabular.INTEGER,
    "text": tabular.TEXT,
    "count": tabular.AMOUNT,
    "money": tabular.AMOUNT,
    "signed": tabular.SIGNED,
    "percent": tabular.PERCENT,
    "share": tabular.PERCENT,
}


class RankingExporter(tabular.ListExporter):
    """The rows of the ranking page, in the page's order."""

    def __init__(self, table: Table, *, name: str):
        self.table = table
        self.filename = name
        self.title = _("Xếp hạng")

    def iterate_list(self):
        yield [
            tabular.Column(
                str(c.label),
                tabular.CODE if c is CODE else SHEET_KINDS[c.kind],
                width=28 if c is NAME else None,
            )
            for c in self.table.columns
        ]
        for row in self.table.rows:
            yield row.values


def export_csv(table: Table, *, name: str) -> tuple[str, str, bytes]:
    return RankingExporter(table, name=name).render("csv")


def export_xlsx(table: Table, *, name: str) -> tuple[str, str, bytes]:
    return RankingExporter(table, name=name).render("xlsx")


EXPORTERS: dict[str, Callable[..., tuple[str, str, bytes]]] = {"csv": export_csv, "xlsx": export_xlsx}


def export_name(ranking: Ranking) -> str:
    """An ASCII file name such as xep-hang-2022-provinces-per_inhabitant."""
    return f"xep-hang-{ranking.year}-{ranking.scope.key}-{ranking.metric}"

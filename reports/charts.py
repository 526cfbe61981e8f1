"""Server-side geometry for inline SVG charts, so the HTML page and the PDF draw the same picture.

Coordinates are whole pixels: templates print them inside {% localize off %} or as integers, never
as localised decimals ("170,5" is not an SVG number).
"""

from dataclasses import dataclass
from decimal import Decimal

from core.numbers import grouped


@dataclass
class Bar:
    label: str
    value: int | Decimal
    y: int
    x: int
    width: int
    text_x: int
    negative: bool


@dataclass
class BarChart:
    bars: list[Bar]
    zero: int
    label_x: int
    height: int
    width: int


def bar_chart(
    items: list[tuple[str, int | Decimal | None]], *, row: int = 24, left: int = 170, room: int = 420
) -> BarChart:
    """Horizontal bars from a zero line that moves right when some values are negative; None is left out."""
    items = [(label, value) for label, value in items if value is not None]
    low = min([0, *(v for _l, v in items)])
    high = max([0, *(v for _l, v in items)])
    span = (high - low) or 1
    zero = round(left + room * (0 - low) / span)
    bars = []
    for i, (label, value) in enumerate(items):
        end = round(left + room * (value - low) / span)
        x, width = min(zero, end), max(abs(end - zero), 1)
        bars.append(Bar(label, value, i * row, x, width, x + width + 6, value < 0))
    return BarChart(
        bars=bars, zero=zero, label_x=left - 8, height=len(bars) * row + 4, width=left + room + 130
    )


@dataclass
class YearBar:
    year: int
    value: int | None
    text: str
    x: int
    y: int
    height: int
    # The year predates the node: its bar is its predecessors' sum, drawn lighter and marked.
    derived: bool = False


@dataclass
class ColumnChart:
    columns: list[YearBar]
    bar_width: int
    half: int
    base: int
    height: int
    width: int


def column_chart(
    items: list[tuple[int, int | None]],
    *,
    text=grouped,
    width: int = 72,
    gap: int = 14,
    room: int = 120,
    derived: frozenset[int] = frozenset(),
) -> ColumnChart:
    """Vertical bars, one per year, scaled to the largest value; a missing year keeps its slot.

    The years in `derived` are marked as read from the node's predecessors.
    """
    top = max((v for _y, v in items if v), default=0) or 1
    columns = []
    for i, (year, value) in enumerate(items):
        height = round(room * max(value or 0, 0) / top)
        x = 8 + i * (width + gap)
        columns.append(YearBar(year, value, text(value), x, 24 + room - height, height, year in derived))
    return ColumnChart(
        columns=columns,
        bar_width=width,
        half=width // 2,
        base=24 + room,
        height=room + 48,
        width=16 + len(items) * (width + gap),
    )

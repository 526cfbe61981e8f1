"""Server-side geometry for inline SVG bar charts, so the HTML page and the PDF draw the same picture."""

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def bar_chart(
    items: list[tuple[str, int]], *, width: int = 640, label_width: int = 150, row: int = 26
) -> BarChart:
    """Horizontal bars scaled to the largest value; items with no value are left out."""
    items = [(label, value) for label, value in items if value is not None]
    top = max((value for _, value in items), default=0)
    room = width - label_width - 80  # space kept for the value written after the bar
    bars = []
    for i, (label, value) in enumerate(items):
        length = round(room * value / top) if top > 0 else 0
        bars.append(
            Bar(label=label, value=value, y=i * row, width=max(length, 1), text_x=label_width + length + 6)
        )
    return BarChart(width=width, height=len(bars) * row + 6, label_width=label_width, bars=bars)

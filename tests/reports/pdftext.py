"""Text runs of a PDF page with their position, font and size, read back with pypdf."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PageObject

MM = 72 / 25.4
FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass
class Run:
    text: str
    x: float
    y: float
    font: str
    size: float

    @property
    def end(self) -> float:
        """Where the run's text ends, from the font's advance widths (justified spacing left out)."""
        cmap, metrics, units = _metrics(_style(self.font))
        advance = sum(metrics[cmap[ord(c)]][0] for c in self.text if ord(c) in cmap)
        return self.x + advance * self.size / units


def _style(font: str) -> str:
    bold, italic = "Bold" in font, "Italic" in font
    return "BoldItalic" if bold and italic else "Bold" if bold else "Italic" if italic else "Regular"


@cache
def _metrics(style: str):
    font = TTFont(FONTS / f"LiberationSerif-{style}.ttf")
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def runs(page: PageObject) -> list[Run]:
    """Every non-blank text run of the page, in PDF user space (points from the bottom left)."""
    found = []

    def visit(text, cm, tm, font, size):
        text = text.strip("\n")
        if not text.strip() or font is None:
            return
        a, b, _c, _d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        scale = (a * a + b * b) ** 0.5 * (ca * ca + cb * cb) ** 0.5
        x, y = e * ca + f * cc + ce, e * cb + f * cd + cf
        found.append(Run(text, x, y, re.sub(r"^/?[A-Z]{6}\+", "", str(font["/BaseFont"])), size * scale))

    page.extract_text(visitor_text=visit)
    return found

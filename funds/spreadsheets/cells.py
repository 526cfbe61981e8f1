"""One cell of a file: how it is read on import and written on export.

Reading turns a cell into a value or raises ValueError with a Vietnamese message naming the
problem; the import attaches the row and the column. Writing gives the raw value, which
core/tabular.py turns into safe text or a number.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from associations.models import Tier, sort_key_for
from core import tabular
from core.numbers import grouped
from core.years import MAX_YEAR, MIN_YEAR

from ..forms import AmountField

CODE, TIER, NAME, YEAR = "Mã", "Cấp", "Tên hội", "Năm"

# Administrative codes have a fixed width; a code typed as a number in Excel loses its zeros.
CODE_WIDTH = {Tier.PROVINCE: 2, Tier.DISTRICT: 3, Tier.COMMUNE: 5}


def is_formula(value) -> bool:
    """A cell read with openpyxl's data_only=False holds a formula as text beginning with '='."""
    if isinstance(value, str):
        return value.lstrip().startswith("=")
    # Array and data-table formulas come back as objects rather than text.
    return value is not None and not isinstance(
        value, str | int | float | Decimal | bool | datetime.date | datetime.time | datetime.timedelta
    )


def tier_label(tier: str) -> str:
    """The Vietnamese name of a tier, as written in the files whatever the interface language."""
    with translation.override("vi"):
        return str(Tier(tier).label)


def _tier_aliases() -> dict[str, str]:
    aliases = {}
    for tier in Tier:
        names = [tier.value, tier_label(tier)]
        with translation.override("en"):
            names.append(str(tier.label))
        for name in names:
            aliases[sort_key_for(name)] = tier.value
            for part in name.split("/"):
                aliases.setdefault(sort_key_for(part.strip()), tier.value)
    return aliases


class Cell:
    """A column's cells: `read` one from a file, `write` a stored value for export."""

    kind = tabular.TEXT

    def read(self, value):
        raise NotImplementedError

    def write(self, value):
        return value

    def preview(self, value):
        """A stored value as the preview of an import names it (old → new)."""
        return value


class TextCell(Cell):
    """Text, stripped and without the characters a spreadsheet cannot hold; our formula quote undone."""

    def __init__(self, max_length: int | None = None, *, kind: str = tabular.TEXT):
        self.max_length = max_length
        self.kind = kind

    def read(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = tabular.printable(str(value)).strip()
        # Undo our own neutralising, so that an exported file imports back unchanged.
        if text.startswith("'") and text[1:].startswith(tabular.FORMULA_TRIGGERS):
            text = text[1:]
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(
                _("Dài quá %(max)s ký tự (hiện có %(length)s).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text


def read_back(stored: str) -> str:
    """Stored text as an exported file gives it back: what a file's cell is compared with."""
    return TextCell().read(tabular.cell_value(stored))


class AmountCell(Cell):
    """A whole number checked by the browser form's own field, so both paths give the same messages.

    Text is read the Vietnamese way whatever the interface language, like the files' headers.
    """

    kind = tabular.AMOUNT

    def __init__(self, **field_kwargs):
        self.field = AmountField(thousands=".", **field_kwargs)

    def read(self, value):
        if isinstance(value, str) and not value.strip():
            value = None
        elif isinstance(value, float | Decimal) and Decimal(value).is_finite():
            number = Decimal(repr(value)) if isinstance(value, float) else value
            # Excel set to Vietnamese stores a typed "10,939" as the number 10.939: the field refuses
            # it as the text "10,939", suggesting the missing unit.
            value = (
                int(number) if number == number.to_integral_value() else format(number, "f").replace(".", ",")
            )
        elif isinstance(value, bool | float | Decimal | datetime.date | datetime.time | datetime.timedelta):
            value = str(value)  # AmountField refuses it with its "not a whole number" message
        try:
            return self.field.clean(value)
        except forms.ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class YearCell(Cell):
    kind = tabular.INTEGER

    def read(self, value) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError(_("Thiếu năm."))
        if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
            raise ValueError(
                _("“%(value)s” không phải là năm hợp lệ (từ %(min)s đến %(max)s).")
                % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
            )
        return int(text)


class TierCell(Cell):
    """A tier written as its Vietnamese name ("Huyện/quận"); "huyen", "Huyện" or "district" also work."""

    def __init__(self):
        self.aliases = _tier_aliases()

    def read(self, value) -> str:
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError(_("Thiếu cấp hội."))
        tier = self.aliases.get(sort_key_for(" ".join(text.split())))
        if tier is None:
            raise ValueError(
                _("Cấp “%(value)s” không hợp lệ; ghi một trong: %(choices)s.")
                % {"value": text, "choices": ", ".join(tier_label(t) for t in Tier)}
            )
        return tier

    def write(self, value):
        return tier_label(value) if value else ""


class YesNoCell(Cell):
    TRUE = {"co", "x", "yes", "true", "1", "dung"}
    FALSE = {"khong", "no", "false", "0", "sai", ""}

    def read(self, value) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = sort_key_for(str(value).strip()) if value is not None else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Ghi “Có” hoặc “Không” (hoặc để trống)."))

    def write(self, value):
        return _yes_no(value)


class CoverageCell(Cell):
    """What a return covers: "riêng" (own level) or "toàn bộ" (all levels); None when left blank.

    People write it many ways ("toàn tỉnh", "các cấp", "Riêng cấp hội này"); diacritics and case do not matter.
    """

    ALIASES = {
        "rieng": "own",
        "own": "own",
        "rieng cap hoi nay": "own",
        "toan bo": "all",
        "toan tinh": "all",
        "cac cap": "all",
        "toan cac cap": "all",
        "toan bo cac cap": "all",
        "toan bo cac cap truc thuoc": "all",
        "all": "all",
    }
    WORDS = {"own": "riêng", "all": "toàn bộ"}

    def read(self, value) -> str | None:
        text = TextCell().read(value)
        if not text:
            return None
        coverage = self.ALIASES.get(sort_key_for(" ".join(text.split())))
        if coverage is None:
            raise ValueError(
                _("Phạm vi số liệu “%(value)s” không hợp lệ; ghi “%(own)s” hoặc “%(all)s” (hoặc để trống).")
                % {"value": text, **self.WORDS}
            )
        return coverage

    def write(self, value):
        return self.WORDS.get(value, "")

    def preview(self, value):
        return self.write(value)


def _yes_no(value: bool) -> str:
    with translation.override("vi"):
        return _("Có") if value else _("Không")


def show(value) -> str:
    """A value as the preview shows it (old → new)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int):
        return grouped(value)
    return str(value)


@dataclass(frozen=True)
class Field:
    """One column of a kind of file: the attribute it holds, its fixed header, how its cells read.

    An optional column came after files were already in use: a file may leave it out, which keeps
    the stored value. A blank cell in it keeps the stored value too, unless `blank_keeps` is False
    (a figure's column, where a blank cell clears the figure as in the other figures' columns).
    """

    name: str
    header: str
    cell: Cell
    width: int | None = None
    optional: bool = False
    blank_keeps: bool = True

    def column(self) -> tabular.Column:
        return tabular.Column(self.header, self.cell.kind, self.width)

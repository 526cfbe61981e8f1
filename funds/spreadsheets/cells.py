"""Reading one cell of an imported file, and how a value is shown in the preview.

Each widget turns a cell into a value or raises ValueError with a Vietnamese message naming the
problem; the import attaches the row and the column.
"""

import datetime
from decimal import Decimal

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from associations.models import Tier, sort_key_for
from core.numbers import grouped
from core.years import MAX_YEAR, MIN_YEAR

from ..forms import AmountField

CODE, TIER, NAME, YEAR = "Mã", "Cấp", "Tên hội", "Năm"

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Administrative codes have a fixed width; a code typed as a number in Excel loses its zeros.
CODE_WIDTH = {Tier.PROVINCE: 2, Tier.DISTRICT: 3, Tier.COMMUNE: 5}


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would otherwise run as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


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


class TextWidget(widgets.Widget):
    """Text cells: stripped on import; neutralised on export so that they cannot run as formulas."""

    def __init__(self, max_length: int | None = None):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        # Undo our own neutralising, so that an exported file imports back unchanged.
        if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
            text = text[1:]
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(
                _("Dài quá %(max)s ký tự (hiện có %(length)s).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return neutralise(str(value)) if value else ""


class AmountWidget(widgets.Widget):
    """A whole number checked by the browser form's own field, so both paths give the same messages."""

    def __init__(self, **field_kwargs):
        super().__init__(coerce_to_string=False)
        self.field = AmountField(**field_kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, bool | float | Decimal | datetime.date | datetime.time | datetime.timedelta):
            value = str(value)  # AmountField refuses it with its "not a whole number" message
        try:
            return self.field.clean(value)
        except forms.ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
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

    def render(self, value, obj=None, **kwargs):
        return value


class TierWidget(widgets.Widget):
    """A tier written as its Vietnamese name ("Huyện/quận"); "huyen", "Huyện" or "district" also work."""

    def __init__(self):
        super().__init__()
        self.aliases = _tier_aliases()

    def clean(self, value, row=None, **kwargs):
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

    def render(self, value, obj=None, **kwargs):
        return tier_label(value) if value else ""


class YesNoWidget(widgets.Widget):
    TRUE = {"co", "x", "yes", "true", "1", "dung"}
    FALSE = {"khong", "no", "false", "0", "sai", ""}

    def clean(self, value, row=None, **kwargs):
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

    def render(self, value, obj=None, **kwargs):
        return _yes_no(value)


def _yes_no(value: bool) -> str:
    with translation.override("vi"):
        return _("Có") if value else _("Không")


def show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int):
        return grouped(value)
    return str(value)

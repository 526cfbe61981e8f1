"""Vietnamese-first formatting of whole-đồng amounts, shared by templates, PDFs and exports."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

BILLION = 1_000_000_000
MILLION = 1_000_000


def grouped(value: int | None) -> str:
    """10939000000 -> '10.939.000.000' in Vietnamese, '10,939,000,000' in English."""
    if value is None:
        return "—"
    return number_format(int(value), force_grouping=True)


def _short(value: Decimal, places: int) -> str:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    if q == q.to_integral():
        q = q.quantize(Decimal(1))
    return number_format(q, decimal_pos=None, force_grouping=True)


def money_short(value: int | None) -> str:
    """43200000000 -> '43,2 tỷ đồng'; up to three decimals, as the association's reports write it."""
    if value is None:
        return "—"
    value = int(value)
    if abs(value) >= BILLION:
        return _("%(n)s tỷ đồng") % {"n": _short(Decimal(value) / BILLION, 3)}
    if abs(value) >= MILLION:
        return _("%(n)s triệu đồng") % {"n": _short(Decimal(value) / MILLION, 3)}
    return _("%(n)s đồng") % {"n": grouped(value)}


def billions(value: int | None) -> str:
    """43200000000 -> '43,2' (tỷ đồng, up to three decimals), for tables whose header names the unit."""
    if value is None:
        return "—"
    return _short(Decimal(int(value)) / BILLION, 3)


def per_person(value: int | None) -> str:
    """51733 -> '51.733 đồng/người'."""
    if value is None:
        return "—"
    return _("%(n)s đồng/người") % {"n": grouped(value)}


def signed(value: int | None) -> str:
    """4782 -> '+4.782'."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + grouped(value)


def percent(value: Decimal | float | None, places: int = 1) -> str:
    """Decimal('11.3') -> '+11,3%'."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, decimal_pos=places)}%"


def parse_amount(text: str) -> int:
    """'43.200.000.000' or '43 200 000 000' or '43200000000' -> 43200000000; ValueError otherwise."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    negative = cleaned.startswith("-")
    if negative:
        cleaned = cleaned[1:]
    if "." in cleaned or "," in cleaned:
        sep = "." if "." in cleaned else ","
        groups = cleaned.split(sep)
        if (
            not (1 <= len(groups[0]) <= 3)
            or any(len(g) != 3 for g in groups[1:])
            or ("," in cleaned and "." in cleaned)
        ):
            raise ValueError(text)
        cleaned = "".join(groups)
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError(text)
    number = int(cleaned)
    return -number if negative else number

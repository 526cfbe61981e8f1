"""Vietnamese-first formatting of whole-đồng amounts, shared by templates, PDFs and exports."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language

BILLION = 1_000_000_000
MILLION = 1_000_000

# How an amount's unit is written belongs to its format, like the separators, and the same way in
# every figure: "43,2 tỷ đồng" in Vietnamese, "43.2 billion đ" in English (the đồng sign, which
# "11,834,000,000 đ" on the same pages uses too).
UNITS = {
    "vi": {
        "billion": "{n} tỷ đồng",
        "million": "{n} triệu đồng",
        "dong": "{n} đồng",
        "per_person": "{n} đồng/người",
    },
    "en": {
        "billion": "{n} billion đ",
        "million": "{n} million đ",
        "dong": "{n} đ",
        "per_person": "{n} đ per person",
    },
}


def _unit(kind: str, n: str) -> str:
    return UNITS.get((get_language() or "vi")[:2], UNITS["vi"])[kind].format(n=n)


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
    """43200000000 -> '43,2 tỷ đồng' ('43.2 billion đ'); up to three decimals, as the association's reports write it."""
    if value is None:
        return "—"
    value = int(value)
    if abs(value) >= BILLION:
        return _unit("billion", _short(Decimal(value) / BILLION, 3))
    if abs(value) >= MILLION:
        return _unit("million", _short(Decimal(value) / MILLION, 3))
    return _unit("dong", grouped(value))


def billions(value: int | None) -> str:
    """43200000000 -> '43,2' (tỷ đồng, up to three decimals), for tables whose header names the unit."""
    if value is None:
        return "—"
    return _short(Decimal(int(value)) / BILLION, 3)


def per_person(value: int | None) -> str:
    """51733 -> '51.733 đồng/người' ('51,733 đ per person')."""
    if value is None:
        return "—"
    return _unit("per_person", grouped(value))


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


MAX_ID = 2**63 - 1  # a bigint primary key; larger numbers would make the database raise


def parse_id(text: str) -> int | None:
    """A positive whole number of ASCII digits that fits an id ('12' -> 12), else None ('²', '-1', '1e3')."""
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None

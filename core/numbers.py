"""Vietnamese-first formatting of whole-đồng amounts, shared by templates, PDFs and exports."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


# --- Reading amounts as people type them -----------------------------------------------------------

# Beyond this no figure is plausible, and past it Python's int would let a pasted page of digits through.
PARSE_LIMIT = 10**18

SCALES = {
    "nghìn": 10**3, "ngàn": 10**3, "nghin": 10**3, "ngan": 10**3,
    "triệu": 10**6, "trieu": 10**6, "tr": 10**6,
    "tỷ": 10**9, "tỉ": 10**9, "ty": 10**9, "ti": 10**9,
}  # fmt: skip
CURRENCIES = ("đồng", "dong", "vnđ", "vnd", "đ", "d")


def _alternation(words) -> str:
    # Longest first, so that "triệu" is not read as "tr" followed by garbage.
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# [0-9], not \d: \d and str.isdigit() accept "²", Arabic-Indic and fullwidth digits.
_AMOUNT = re.compile(
    rf"(?P<sign>[+-]?) ?(?P<number>[0-9][0-9., ]*?) ?(?P<scale>{_alternation(SCALES)})?"
    rf" ?(?:{_alternation(CURRENCIES)})?"
)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


class AmbiguousAmount(ValueError):
    """A number with decimals but no unit ("10,939"): its message says what was probably meant."""

    def __init__(
        self,
        text: str,
        *,
        suggestion: str | None,
        amount: int | None,
        integer: str | None,
        thousands: str = ".",
    ):
        self.text, self.suggestion, self.amount, self.integer = text, suggestion, amount, integer
        if suggestion is not None:
            message = _(
                "“%(text)s” có phần thập phân nhưng không có đơn vị (nghìn, triệu, tỷ). "
                "Có phải ý bạn là “%(suggestion)s” = %(amount)s?"
            ) % {
                "text": text,
                "suggestion": suggestion,
                "amount": _unit("dong", integer_text(amount, thousands)),
            }
        else:
            message = _(
                "“%(text)s” có phần thập phân nhưng không có đơn vị. "
                "Hãy ghi số nguyên hoặc thêm đơn vị, ví dụ “%(example)s”."
            ) % {"text": text, "example": written("43,2 tỷ", thousands)}
        if integer is not None:
            message += " " + _("Nếu là số nguyên, hãy viết %(integer)s.") % {"integer": integer}
        super().__init__(message)


def written(text: str, thousands: str) -> str:
    """An example written the Vietnamese way ('43,2 tỷ') with the marks of `thousands` ('43.2 tỷ')."""
    return text.translate(str.maketrans(".,", ",.")) if thousands == "," else text


def integer_text(value: int, thousands: str = ".") -> str:
    """1234567 -> '1.234.567', grouped the way a parsed text was, whatever the page's language."""
    return f"{value:,}".replace(",", thousands)


def _whole(digits: str, fraction: str, scale: int) -> int | None:
    # An explicit precision: the default 28 digits would round "1,0000…01 tỷ" into a whole number.
    with localcontext() as ctx:
        ctx.prec = 200
        ctx.traps[Inexact] = True
        value = Decimal(f"{digits}.{fraction or 0}") * scale
    return int(value) if value == value.to_integral_value() else None


def _grouped_digits(text: str, thousands: str) -> str:
    """'43.200.000' or '43 200 000' or '43200000' -> '43200000'; ValueError for any other grouping."""
    separators = set(text) - set("0123456789")
    if not separators:
        return text
    if len(separators) > 1 or separators - {thousands, " "}:
        raise ValueError(text)
    groups = text.split(separators.pop())
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        raise ValueError(text)
    return "".join(groups)


def _suggest(digits: str, fraction: str, thousands: str) -> tuple[str, int] | None:
    """The unit a number with decimals but no unit most likely left out, and the amount it gives.

    Articles and our own reports write an amount of a tỷ or more as "10,939 tỷ" and one of a triệu
    or more as "50,5 triệu", so tỷ is the likely unit; but a number of a thousand or more before the
    decimals would make a thousand tỷ or more (written "nghìn tỷ"), so then it is triệu. A unit that
    would still leave a fraction of a đồng is not suggested.
    """
    for word, scale in (("tỷ", 10**9), ("triệu", 10**6)):
        if word == "tỷ" and int(digits) >= 1000:
            continue
        amount = _whole(digits, fraction, scale)
        if amount is not None and amount <= PARSE_LIMIT:
            decimal = "," if thousands == "." else "."
            return f"{integer_text(int(digits), thousands)}{decimal}{fraction} {word}", amount
    return None


def parse_amount(text: str, *, thousands: str = ".") -> int:
    """A whole number of đồng (or people) as typed: '43.200.000.000', '43 200 000 000', '43,2 tỷ', '50 triệu'.

    `thousands` is the grouping mark, "." in Vietnamese, and the other of "." and "," is the decimal
    mark; a number with decimals needs a unit (nghìn/ngàn, triệu/tr, tỷ/tỉ) and must come to whole
    đồng. A negative number is returned, for the caller to refuse in its own words. Raises
    AmbiguousAmount for decimals without a unit ("10,939"), ValueError for anything else.
    """
    decimal = "," if thousands == "." else "."
    original = " ".join(str(text).split())
    normalised = _SPACES.sub(" ", unicodedata.normalize("NFC", str(text)).lower()).strip()
    match = _AMOUNT.fullmatch(normalised) if len(normalised) <= 100 else None
    if match is None:
        raise ValueError(text)
    number, scale = match["number"], match["scale"]
    if number.count(decimal) == 1:
        whole_part, fraction = number.split(decimal)
        digits = _grouped_digits(whole_part, thousands)
        if not fraction.isdigit():
            raise ValueError(text)
        if scale is None:
            suggested = _suggest(digits, fraction, thousands)
            # "10,939" is just as likely a thousands comma from a foreign spreadsheet.
            integer = None
            if len(fraction) == 3 and whole_part.isdigit() and len(whole_part) <= 3:
                integer = integer_text(int(whole_part + fraction), thousands)
            raise AmbiguousAmount(
                original,
                suggestion=suggested and suggested[0],
                amount=suggested and suggested[1],
                integer=integer,
                thousands=thousands,
            )
    elif number.count(decimal) > 1:
        # Only a grouping mark can come twice: "43,200,000,000" is a foreign spreadsheet's integer.
        digits, fraction = _grouped_digits(number, decimal), ""
    else:
        digits, fraction = _grouped_digits(number, thousands), ""
    amount = _whole(digits, fraction, SCALES[scale] if scale else 1)
    if amount is None or amount > PARSE_LIMIT:
        raise ValueError(text)
    return -amount if match["sign"] == "-" else amount


MAX_ID = 2**63 - 1  # a bigint primary key; larger numbers would make the database raise


def parse_id(text: str) -> int | None:
    """A positive whole number of ASCII digits that fits an id ('12' -> 12), else None ('²', '-1', '1e3')."""
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None

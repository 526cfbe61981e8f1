"""Years: the bounds every year field and URL accepts, and the one rule for the year a page opens on.

Every page opens on the reporting year (the year just ended); a page about one node opens on it
clamped to the years the node is active, and offers only those years. A node here is anything with
`active_from` and `active_until` (years, None when open-ended), so that core needs no model.
"""

from django.utils import timezone

MIN_YEAR, MAX_YEAR = 2000, 2100
# How many years a picker offers, counting back from this year.
PICKER_YEARS = 11


def parse_year(raw) -> int | None:
    """An int year within bounds from user input (ASCII digits only), else None."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def in_bounds(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def reporting_year() -> int:
    """The year whose figures are being collected now: the year just ended."""
    return timezone.localdate().year - 1


def _span(node) -> tuple[int, int]:
    """The node's first and last active years within the bounds (all of them without a node)."""
    first = getattr(node, "active_from", None) or MIN_YEAR
    last = getattr(node, "active_until", None) or MAX_YEAR
    return max(first, MIN_YEAR), min(last, MAX_YEAR)


def default_year(node=None) -> int:
    """The year a page opens on: the reporting year, clamped to the years `node` is active."""
    first, last = _span(node)
    return min(max(reporting_year(), first), last)


def year_choices(node=None) -> list[int]:
    """The years a picker offers, newest first: the last few, and of those only the ones `node` is active.

    A node that ended (or starts) outside those years offers the nearest of its own instead.
    """
    this_year = timezone.localdate().year
    first, last = _span(node)
    newest = min(this_year, last)
    if newest < first:  # the node starts after this year: offer its first years
        newest = min(first + PICKER_YEARS - 1, last)
    oldest = max(first, newest - PICKER_YEARS + 1)
    return list(range(newest, oldest - 1, -1))


def selected_year(request, node=None) -> int:
    """The year of ?nam= when it is a valid year, else default_year(node)."""
    year = parse_year(request.GET.get("nam"))
    return default_year(node) if year is None else year

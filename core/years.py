"""Years: the bounds every year field and URL accepts, and the year a page opens on."""

from django.utils import timezone

MIN_YEAR, MAX_YEAR = 2000, 2100


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


def year_choices() -> list[int]:
    """The years offered by the year pickers, newest first."""
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 11, -1))

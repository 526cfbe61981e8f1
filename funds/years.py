"""The year a page shows: `?nam=` when valid, else the latest year anyone has reported."""

from django.db.models import Max

from core.years import parse_year, reporting_year

from .models import AnnualReturn


def default_year() -> int:
    """The latest year anyone has reported (one query), else the reporting year."""
    latest = AnnualReturn.objects.filter(year__lte=reporting_year() + 1).aggregate(latest=Max("year"))[
        "latest"
    ]
    return latest or reporting_year()


def selected_year(request, default: int | None = None) -> int:
    """The year from ?nam= when it is a valid year; otherwise `default` or the latest reported year."""
    year = parse_year(request.GET.get("nam"))
    if year is not None:
        return year
    return default or default_year()

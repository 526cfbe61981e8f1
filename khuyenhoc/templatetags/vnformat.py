from django import template
from django.utils.formats import get_format

from core import numbers

register = template.Library()

register.filter("grouped", numbers.grouped)
register.filter("money_short", numbers.money_short)
register.filter("per_person", numbers.per_person)
register.filter("signed", numbers.signed)
register.filter("percent", numbers.percent)
register.filter("billions", numbers.billions)


@register.filter
def absolute(value):
    return abs(value) if value is not None else None


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (the login lockout page)."""
    return int(delta.total_seconds() // 60)


@register.simple_tag
def thousand_separator():
    """The active language's thousands separator, for the browser's amount formatting (rows.js)."""
    return get_format("THOUSAND_SEPARATOR")


@register.filter
def share(value):
    """Decimal('24.9') -> '24,9%': a part of a whole, so no sign."""
    return numbers.percent(value).removeprefix("+")

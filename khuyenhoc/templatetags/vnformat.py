from django import template

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

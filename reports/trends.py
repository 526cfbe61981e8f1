"""Reads for a node's trend over the years, by the same totals rule as the rankings and the reports."""

from associations.models import Association
from funds.selectors import Totals, yearly_totals


def trend(*, node: Association, first_year: int, last_year: int) -> list[Totals]:
    """The node's Totals for each year from the first to the last year with a return, within the bounds given.

    funds.selectors.yearly_totals: one query (two for a cluster or the centre).
    """
    points = yearly_totals(node=node, first_year=first_year, last_year=last_year)
    reported = [i for i, p in enumerate(points) if p.has_data]
    if not reported:
        return []
    return points[reported[0] : reported[-1] + 1]

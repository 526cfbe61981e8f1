"""The figures beyond money in a node's totals: commune associations counted from the tree, the
learning titles' shares against their targets, and the catalogue's groups for the pages."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from associations.models import Association, Tier

from . import catalogue, sql
from .selectors import Totals, _ids_sql


def commune_counts(*, year: int, nodes: Iterable[Association | int]) -> dict[int, int]:
    """{node id: the commune associations active in `year` in its subtree, itself included} (one query).

    Counted from the tree, never typed: the reports' "hội cấp xã".
    """
    ids = [n.pk if isinstance(n, Association) else int(n) for n in nodes]
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    ids_sql, params = _ids_sql(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id, COUNT(a.id)
              FROM {sql.ASSOCIATIONS} n
              JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
             WHERE {ids_sql} AND a.tier = %(commune)s AND {sql.active("a", "%(y)s")}
             GROUP BY n.id
            """,
            {**params, "y": year, "commune": Tier.COMMUNE},
        )
        for pk, count in cursor.fetchall():
            result[pk] = count
    return result


@dataclass
class TitleProgress:
    """One share of the catalogue in a node's totals: the counts, the share and the progress on its target."""

    figure: catalogue.Figure
    registered: int | None
    recognised: int | None
    denominator: int | None
    share: Decimal | None
    target: catalogue.Target | None
    progress: Decimal | None
    # Beside an all-levels return: what the returns below it add up to (reconciliation).
    below_share: Decimal | None = None
    below_progress: Decimal | None = None

    @property
    def recognised_label(self) -> str:
        return catalogue.get(self.figure.numerator).label

    @property
    def denominator_label(self) -> str:
        return catalogue.get(self.figure.denominator).label


def title_progress(totals: Totals) -> list[TitleProgress]:
    """One TitleProgress per share of the catalogue, in its order; no query."""
    rows = []
    for figure in catalogue.shares():
        share = getattr(totals, figure.name)
        target = figure.target_for(totals.year)
        rows.append(
            TitleProgress(
                figure=figure,
                registered=getattr(totals, figure.registered) if figure.registered else None,
                recognised=getattr(totals, figure.numerator),
                denominator=getattr(totals, figure.denominator),
                share=share,
                target=target,
                progress=getattr(totals, f"{figure.name}_progress", None) if target else None,
                below_share=totals.below_share(figure.name),
                below_progress=totals.below_progress(figure.name),
            )
        )
    return rows


def group_values(totals: Totals, group: str) -> list[tuple[catalogue.Figure, int | Decimal | None]]:
    """(figure, value) of each figure of one catalogue group in a node's totals, shares aside; no query."""
    return [
        (f, getattr(totals, f.name))
        for f in catalogue.figures(group=group)
        if f.adds_up in (catalogue.SUM, catalogue.RATIO)
    ]

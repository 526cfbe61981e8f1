"""The SQL fragments that every raw totals query shares, written once.

Raw SQL serves the totals because one statement must sum every subtree of a list of nodes at once,
joining the tree to itself over the MPTT ranges; the ORM cannot express that join without a
subquery per node. Everything else reads through the ORM (`Association.objects.active_in()`,
`AnnualReturnQuerySet`).
"""

from associations.models import Association

from .models import AnnualReturn

ASSOCIATIONS = Association._meta.db_table
RETURNS = AnnualReturn._meta.db_table
ALL_LEVELS = AnnualReturn.Coverage.ALL.value


def active(alias: str, year: str) -> str:
    """`alias` (an association) is active in `year` (a column or a placeholder).

    The raw SQL form of associations.models.active_in_q(); tests/funds/test_active_years.py holds them equal.
    """
    return (
        f"({alias}.active_from IS NULL OR {alias}.active_from <= {year})"
        f" AND ({alias}.active_until IS NULL OR {alias}.active_until >= {year})"
    )


def in_subtree(alias: str, root: str) -> str:
    """`alias` is `root` or below it."""
    return f"{alias}.tree_id = {root}.tree_id AND {alias}.lft >= {root}.lft AND {alias}.lft < {root}.rght"


def mobilised(r: str) -> str:
    """Cash plus in kind; NULL when neither was reported (blank means not reported, not zero)."""
    return (
        f"CASE WHEN {r}.mobilised_cash IS NOT NULL OR {r}.mobilised_in_kind IS NOT NULL"
        f" THEN COALESCE({r}.mobilised_cash, 0) + COALESCE({r}.mobilised_in_kind, 0) END"
    )


def paired(r: str, value: str, other: str) -> str:
    """`value` of the return `r` where `other` is given too, else NULL (the two sums of a share)."""
    return f"CASE WHEN {r}.{other} IS NOT NULL THEN {r}.{value} END"


def covers(years: str) -> str:
    """A CTE `covers(tree_id, lft, rght, year)`: the all-levels returns of `years`, of active nodes.

    They are few (a province's "toàn tỉnh" return, now and then a district's), so a check against
    them costs little per return row. Materialised, so that PostgreSQL reads them once rather than
    inlining the join for every return row of the query that asks.
    """
    return f"""covers AS MATERIALIZED (
        SELECT c.tree_id, c.lft, c.rght, rc.year
          FROM {ASSOCIATIONS} c
          JOIN {RETURNS} rc ON rc.association_id = c.id
         WHERE rc.coverage = '{ALL_LEVELS}' AND rc.year IN ({years}) AND {active("c", "rc.year")}
    )"""


def covered_below(a: str, r: str, root: str) -> str:
    """True when an all-levels return of a node strictly between `root` and `a` already counts `a`'s return."""
    return f"""EXISTS (
        SELECT 1 FROM covers cv
         WHERE cv.year = {r}.year AND cv.tree_id = {a}.tree_id
           AND cv.lft > {root}.lft AND cv.lft < {a}.lft AND cv.rght > {a}.rght
    )"""

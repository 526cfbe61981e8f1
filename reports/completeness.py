"""Reads for the completeness of reporting: who in each province has reported a year, and how far it got.

The counts are grouped in the database over the MPTT ranges (funds.sql fragments), one statement for
every province listed.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from associations.models import Association, Tier, subtree_q
from funds import catalogue, sql
from funds.models import AnnualReturn


@dataclass
class Completeness:
    """One province's reporting for a year; counts cover the associations of its subtree active then."""

    province: Association
    associations: int = 0
    returns: int = 0
    submitted: int = 0
    approved: int = 0
    # Returns that give none of the organisation and learning-title figures (catalogue.beyond_money()).
    lacking_society: int = 0
    last_change: datetime.datetime | None = None

    @property
    def missing(self) -> int:
        return self.associations - self.returns

    @property
    def drafts(self) -> int:
        return self.returns - self.submitted - self.approved


def _aware(value) -> datetime.datetime | None:
    # SQLite hands raw SQL datetimes back as text in UTC; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def completeness(*, year: int, provinces: QuerySet) -> list[Completeness]:
    """One Completeness per province of `provinces` active in `year`, by cluster code then name.

    Two queries whatever the size of the tree: the provinces, then the counts over their subtrees.
    """
    nodes = list(
        provinces.of_tier(Tier.PROVINCE)
        .active_in(year)
        .select_related("parent")
        .order_by("parent__code", "sort_key", "pk")
    )
    result = {node.pk: Completeness(province=node) for node in nodes}
    if not nodes:
        return []
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(nodes)))
    params = {
        "y": year,
        "submitted": AnnualReturn.Status.SUBMITTED,
        "approved": AnnualReturn.Status.APPROVED,
        **{f"n{i}": node.pk for i, node in enumerate(nodes)},
    }
    none_given = " AND ".join(f"r.{name} IS NULL" for name in catalogue.beyond_money())
    # One return at most per association and year, so the LEFT JOIN keeps one row per association.
    query = f"""
        SELECT n.id,
               COUNT(a.id),
               COUNT(r.id),
               COUNT(CASE WHEN r.status = %(submitted)s THEN 1 END),
               COUNT(CASE WHEN r.status = %(approved)s THEN 1 END),
               COUNT(CASE WHEN r.id IS NOT NULL AND {none_given} THEN 1 END),
               MAX(r.updated_at)
          FROM {sql.ASSOCIATIONS} n
          JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "n")}
          LEFT JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year = %(y)s
         WHERE n.id IN ({placeholders}) AND {sql.active("a", "%(y)s")}
         GROUP BY n.id
    """
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for pk, associations, returns, submitted, approved, lacking, last_change in cursor.fetchall():
            row = result[pk]
            row.associations, row.returns = associations, returns
            row.submitted, row.approved = submitted, approved
            row.lacking_society = lacking
            row.last_change = _aware(last_change)
    return list(result.values())


def _submitted(year: int):
    """The submitted returns of `year` from associations active then."""
    return AnnualReturn.objects.for_year(year).filter(
        status=AnnualReturn.Status.SUBMITTED, association__in=Association.objects.active_in(year)
    )


def submitted_return_ids(*, year: int, province: Association) -> list[int]:
    """Ids of the submitted returns of `year` in the province's subtree, from associations active then."""
    return list(_submitted(year).in_subtree_of(province).values_list("pk", flat=True))


def submitted_versions(*, year: int, provinces: list[Association]) -> dict[int, list[tuple[int, int]]]:
    """{province id: [(return id, version)]} of the submitted returns of `year` in each province's subtree.

    One query for all the provinces (none without provinces); their subtrees do not overlap.
    """
    out = {province.pk: [] for province in provinces}
    if not provinces:
        return out
    subtrees = Q()
    for p in provinces:
        subtrees |= subtree_q(p, prefix="association__")
    rows = _submitted(year).filter(subtrees).order_by("pk")
    for pk, version, tree_id, lft in rows.values_list(
        "pk", "version", "association__tree_id", "association__lft"
    ):
        province = next(p for p in provinces if p.tree_id == tree_id and p.lft <= lft <= p.rght)
        out[province.pk].append((pk, version))
    return out

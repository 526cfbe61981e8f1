"""How far each province has got with a year's returns: associations, returns in each state, the missing.

Counted in the database over the MPTT ranges (funds.sql fragments), one statement for every province
listed, and cached under the year's data version; the completeness page (reports) and the review
queue read it.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from associations.data_version import versioned
from associations.models import Association

from . import catalogue, sql
from .models import AnnualReturn


def share_pct(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in %, to one place, rounded down: 99,9 % while one is missing, never 100 %."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


@dataclass
class Progress:
    """One province's reporting for a year; counts cover the associations of its subtree active then."""

    province: Association | None  # None for a sum of provinces (a cluster, the page's total)
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

    @property
    def sent(self) -> int:
        """Returns out of the officers' hands: submitted or approved."""
        return self.submitted + self.approved

    @property
    def sent_pct(self) -> Decimal | None:
        return share_pct(self.sent, self.associations)

    @property
    def approved_pct(self) -> Decimal | None:
        return share_pct(self.approved, self.associations)

    def __add__(self, other: "Progress") -> "Progress":
        """The counts of two rows together, as a subtotal, which has no province."""
        changes = [c for c in (self.last_change, other.last_change) if c is not None]
        return Progress(
            province=None,
            associations=self.associations + other.associations,
            returns=self.returns + other.returns,
            submitted=self.submitted + other.submitted,
            approved=self.approved + other.approved,
            lacking_society=self.lacking_society + other.lacking_society,
            last_change=max(changes) if changes else None,
        )


def _aware(value) -> datetime.datetime | None:
    # SQLite hands raw SQL datetimes back as text in UTC; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def province_progress(
    *, year: int, provinces: list[Association], tier: str | None = None
) -> dict[int, Progress]:
    """{province id: Progress} for `year` over each province's subtree, counting only the associations
    active in `year` (and of `tier` when given). The counts are cached under the year's data version
    (one query to read it; one more to count when it moved); none without provinces."""
    result = {p.pk: Progress(province=p) for p in provinces}
    if not provinces:
        return result
    ids = tuple(sorted(result))
    counts = versioned(
        "progress",
        year,
        tier or "",
        "-".join(map(str, ids)),
        years=(year,),
        compute=lambda: _counts(year=year, ids=ids, tier=tier),
    )
    for pk, (associations, returns, submitted, approved, lacking, last_change) in counts.items():
        row = result[pk]
        row.associations, row.returns = associations, returns
        row.submitted, row.approved = submitted, approved
        row.lacking_society = lacking
        row.last_change = last_change
    return result


def _counts(*, year: int, ids: tuple[int, ...], tier: str | None) -> dict[int, tuple]:
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(ids)))
    params = {
        "y": year,
        "tier": tier,
        "submitted": AnnualReturn.Status.SUBMITTED,
        "approved": AnnualReturn.Status.APPROVED,
        **{f"n{i}": pk for i, pk in enumerate(ids)},
    }
    of_tier = "AND a.tier = %(tier)s" if tier else ""
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
         WHERE n.id IN ({placeholders}) AND {sql.active("a", "%(y)s")} {of_tier}
         GROUP BY n.id
    """
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {pk: (*counts, _aware(last_change)) for pk, *counts, last_change in cursor.fetchall()}

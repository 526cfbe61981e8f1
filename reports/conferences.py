"""Reads for a cluster's conferences: the list, the next one's defaults, and the state of the members' returns."""

import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch

from associations.models import Association
from core.years import default_year
from funds import sql
from funds.models import RETURN_AMOUNT_FIELDS, Qualifier

from .models import ClusterConference, IssuedReport

# Conference fields that usually stay the same from one conference to the next.
CARRIED_OVER = ["presided_by", "doc_symbol", "signer_authority", "signer_title", "signer_name", "recipients"]
LOWER_BOUNDS = {Qualifier.OVER, Qualifier.MORE_THAN}


def combined_qualifier(values) -> str:
    """The Qualifier of a sum of parts: 'trên' if every qualified part was a lower bound, else 'khoảng'."""
    values = {v for v in values if v}
    if len(values) <= 1:
        return next(iter(values), "")
    return Qualifier.OVER if values <= LOWER_BOUNDS else Qualifier.ABOUT


@dataclass
class MemberReturns:
    """The returns of one member's subtree for a year: counts by status and the Qualifiers of its figures."""

    draft: int = 0
    submitted: int = 0
    approved: int = 0
    qualifiers: dict[str, set[str]] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.draft:
            return "draft"
        if self.submitted:
            return "submitted"
        return "approved" if self.approved else "missing"

    def qualifier(self, name: str) -> str:
        return combined_qualifier(self.qualifiers.get(name, ()))


def member_returns(
    *, cluster: Association, year: int, members: list[Association]
) -> dict[int, MemberReturns]:
    """{member id: MemberReturns} over each member's whole subtree (two queries, grouped in the database)."""
    result = {m.pk: MemberReturns() for m in members}
    if not members:
        return result
    # Each member's subtree by its tree range, joined once: a correlated "which member is above this
    # return" per row cost PostgreSQL a subquery per return, which under load held whole cores.
    placeholders = ", ".join(["%s"] * len(members))
    joined = f"""
          FROM {sql.ASSOCIATIONS} m
          JOIN {sql.ASSOCIATIONS} a ON {sql.in_subtree("a", "m")}
          JOIN {sql.RETURNS} r ON r.association_id = a.id AND r.year = %s
         WHERE m.id IN ({placeholders}) AND {sql.active("a", "r.year")}
    """
    params = [year, *(m.pk for m in members)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m.id, r.status, COUNT(*) {joined} GROUP BY m.id, r.status", params)
        for pk, status, n in cursor.fetchall():
            setattr(result[pk], status, n)
        # An empty object is the usual case; SQLite keeps JSON as text, PostgreSQL as jsonb, and both
        # compare with the text '{{}}'.
        cursor.execute(f"SELECT m.id, r.qualifiers {joined} AND r.qualifiers <> '{{}}'", params)
        rows = cursor.fetchall()
    for pk, qualifiers in rows:
        if isinstance(qualifiers, str):
            qualifiers = json.loads(qualifiers)
        for name, word in (qualifiers or {}).items():
            if name in RETURN_AMOUNT_FIELDS:
                result[pk].qualifiers.setdefault(name, set()).add(word)
    return result


def cluster_conferences(*, cluster: Association) -> list[ClusterConference]:
    """The cluster's conferences, newest first, with hosts and `versions` (issued, oldest first) (two queries)."""
    return list(
        ClusterConference.objects.filter(cluster=cluster)
        .select_related("host", "next_host")
        .prefetch_related(
            Prefetch("issued", queryset=IssuedReport.objects.order_by("version"), to_attr="versions")
        )
        .order_by("-year", "-date", "-pk")
    )


def latest_conference(*, cluster: Association, year: int | None = None) -> ClusterConference | None:
    """The cluster's latest conference (of `year` when given), by year, date and creation (one query)."""
    conferences = ClusterConference.objects.filter(cluster=cluster)
    if year is not None:
        conferences = conferences.filter(year=year)
    return conferences.select_related("next_host").order_by("-year", "-date", "-pk").first()


def next_conference_initial(*, cluster: Association) -> dict:
    """Defaults for the cluster's next conference: the last one's kind, number + 1, a year later, its next host."""
    last = latest_conference(cluster=cluster)
    if last is None:
        return {"year": default_year(cluster)}
    initial = {name: getattr(last, name) for name in CARRIED_OVER}
    initial.update(
        year=last.year + 1,
        kind=last.kind,
        number=last.number + 1 if last.number else None,
        host=last.next_host,
        place=last.next_host.short_name if last.next_host else "",
    )
    return initial

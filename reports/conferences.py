"""Reads for a cluster's conferences: the list, the next one's defaults, and the state of the members' returns."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Subquery

from associations.models import Association, active_in_q, ancestors_q
from core.years import default_year
from funds.models import RETURN_AMOUNT_FIELDS, AnnualReturn, Qualifier

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
    member = Association.objects.filter(ancestors_q("association__"), pk__in=[m.pk for m in members]).values(
        "pk"
    )[:1]
    returns = (
        AnnualReturn.objects.for_year(year)
        .in_subtree_of(cluster)
        .filter(active_in_q(year, prefix="association__"))
        .annotate(member=Subquery(member))
        .exclude(member=None)
    )
    for row in returns.values("member", "status").annotate(n=Count("pk")).order_by():
        setattr(result[row["member"]], row["status"], row["n"])
    qualified = returns.filter(qualifiers__has_any_keys=RETURN_AMOUNT_FIELDS).values_list(
        "member", "qualifiers"
    )
    for pk, qualifiers in qualified:
        for name, word in qualifiers.items():
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

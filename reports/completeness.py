"""Reads for the completeness of reporting: who in each province has reported a year, how far it got,
and who has not sent theirs in.

The counts come from funds.progress (one statement for every province listed).
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from associations.models import Association, Role, RoleKind, Tier, ancestors_q, subtree_q
from funds.models import AnnualReturn
from funds.progress import Progress, province_progress

# One province's row of the completeness page (the counts of funds.progress).
Completeness = Progress


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
    return list(province_progress(year=year, provinces=nodes).values())


def by_cluster(rows: list[Completeness]) -> list[tuple[Association, Completeness, list[Completeness]]]:
    """(cluster, its subtotal, its rows) for rows already ordered by cluster, as completeness() gives them."""
    groups: list[tuple[Association, Completeness, list[Completeness]]] = []
    for row in rows:
        cluster = row.province.parent
        if groups and groups[-1][0].pk == cluster.pk:
            cluster, subtotal, members = groups[-1]
            groups[-1] = (cluster, subtotal + row, [*members, row])
        else:
            groups.append((cluster, Progress(province=None) + row, [row]))
    return groups


def _submitted(year: int):
    """The submitted returns of `year` from associations active then."""
    return AnnualReturn.objects.for_year(year).filter(
        status=AnnualReturn.Status.SUBMITTED, association__in=Association.objects.active_in(year)
    )


def submitted_return_ids(*, year: int, province: Association) -> list[int]:
    """Ids of the submitted returns of `year` in the province's subtree, from associations active then."""
    return list(_submitted(year).in_subtree_of(province).values_list("pk", flat=True))


def submitted_in_province(*, year: int, province: Association) -> QuerySet:
    """The submitted returns of `year` in the province's subtree (associations active then), in tree
    order, with their association and its parent: what the province's approval approves."""
    return (
        _submitted(year)
        .in_subtree_of(province)
        .select_related("association", "association__parent")
        .order_by("association__tree_id", "association__lft")
    )


class Unsent:
    """Which associations the drill-down lists: no return, a draft, or either."""

    MISSING, DRAFT, EITHER = "chua-co", "nhap", ""


def unsent(*, year: int, province: Association, which: str = Unsent.EITHER) -> QuerySet:
    """Associations of the province's subtree active in `year` with no return for it or only a draft,
    each with `return_status` (None when missing) and its parent, in tree order."""
    status = AnnualReturn.objects.filter(association=OuterRef("pk"), year=year).values("status")[:1]
    missing, draft = Q(return_status__isnull=True), Q(return_status=AnnualReturn.Status.DRAFT)
    wanted = {Unsent.MISSING: missing, Unsent.DRAFT: draft}.get(which, missing | draft)
    return (
        Association.objects.in_subtree_of(province)
        .active_in(year)
        .annotate(return_status=Subquery(status))
        .filter(wanted)
        .select_related("parent")
        .order_by("tree_id", "lft")
    )


def officers_of(*, nodes: list[Association], province: Association) -> dict[int, list]:
    """{node id: active users with an officer role on the node or an ancestor inside the province},
    nearest role first; one query for all the nodes (none without nodes)."""
    out: dict[int, list] = {node.pk: [] for node in nodes}
    if not nodes:
        return out
    near = Q()
    for node in nodes:
        near |= ancestors_q(node, prefix="association__")
    roles = (
        Role.objects.filter(near, subtree_q(province, prefix="association__"), role=RoleKind.OFFICER)
        .filter(user__is_active=True)
        .select_related("user", "association")
        .order_by("-association__lft", "user__username")
    )
    for role in roles:
        held = role.association
        for node in nodes:
            inside = held.tree_id == node.tree_id and held.lft <= node.lft and node.rght <= held.rght
            if inside and role.user not in out[node.pk]:
                out[node.pk].append(role.user)
    return out

"""Who may see and change what: the one access policy (DESIGN.md "Who may do what").

A role is held on one node and covers the node's whole subtree. Every role sees that subtree; what
it may change there is the table below. It also sees, read only, the history its nodes took over
(PREDECESSORS_GRANT). Outside what a user sees a URL answers 404, and a write
without the right answers 403. Views, exports, imports and the admin ask here; the scoping SQL is
`Association.objects.visible_to()` / `with_perm()`, and rows that belong to an association are
scoped through it by `ScopedQuerySet`.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404

from .models import Association, Perm, Role, RoleKind, Tier, ancestors_q, subtree_q

# role: what it may change in the subtree of the node it is held on (and it sees that subtree)
CHANGES: dict[str, frozenset[str]] = {
    # returns, funds, scholarships and transfers, while the year's return is not approved
    RoleKind.OFFICER: frozenset({Perm.EDIT_FIGURES}),
    # the conference record of its cluster (a chair's role is held on a cluster)
    RoleKind.CHAIR: frozenset({Perm.EDIT_CONFERENCE}),
    # approves, reopens (with a reason) and bulk-approves returns; conference records too; helps the
    # accounts in their care (users_within) with a temporary password or a reset link
    RoleKind.REVIEWER: frozenset({Perm.REVIEW, Perm.EDIT_CONFERENCE}),
    RoleKind.VIEWER: frozenset(),
}
# A role also reads the history of what its nodes took over in a reorganisation (the 2025 reform): the
# subtrees of the predecessors of the node it is held on and of every node below it, so new Tuyên
# Quang reads old Hà Giang and old Tuyên Quang with their districts and communes, and a new commune
# its old communes. Read only: the figures of an ended node are corrected by the roles held on it
# (they keep their rights for the years it was active) or carried from it (roles_carry_to_successors).
# History does not flow back: a role on an ended node does not see its successor, which holds other
# predecessors' figures too (old Hà Giang's officer does not see new Tuyên Quang).
PREDECESSORS_GRANT = frozenset({Perm.VIEW})

# No role reshapes the tree or grants roles: a role that could would grant itself reviewer. Those are
# for superusers (the central administrators), who see and may do everything. One step is a reviewer's:
# carrying the roles of an ended node to its successors (associations.services.roles_carry_to_successors),
# only where the reviewer reviews both the node and every successor, so nobody reaches further by it.

# Open on purpose to every signed-in user, because the emulation movement compares openly:
# - the totals of clusters and provinces (rankings, a province's trend): open_totals();
# - a cluster's conference report, shared with the users of all its member associations:
#   report_clusters().
# Everything below a province (district and commune figures, returns, history) stays in its subtree.
OPEN_TOTALS_TIERS = (Tier.CLUSTER, Tier.PROVINCE)


def roles_with(perm: str) -> list[str]:
    """The role kinds that grant `perm` (every role grants seeing)."""
    return [role for role, changes in CHANGES.items() if perm == Perm.VIEW or perm in changes]


def _signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


def perm_ranges_q(user, perm: str, *, prefix: str = "") -> models.Q:
    """The rows (their node reached through `prefix`) where `user` holds `perm` through a role on the
    node or an ancestor, as the MPTT ranges of the user's roles, read first (one query).

    The same rows as filtering on `with_perm()`, but a handful of index ranges instead of a check of
    every node against the roles: on the national tree a reviewer's returns are counted in a few ms
    instead of tens. Not for a right that predecessors grant, which ranges cannot say.
    """
    if perm in PREDECESSORS_GRANT:
        raise ValueError(f"{perm} is also granted through predecessors; use with_perm()")
    if not _signed_in(user):
        return models.Q(pk__in=[])
    if user.is_superuser:
        return models.Q()
    nodes = Association.objects.filter(roles__user=user, roles__role__in=roles_with(perm)).distinct()
    ranges = models.Q(pk__in=[])
    for node in nodes.only("tree_id", "lft", "rght"):
        ranges |= subtree_q(node, prefix=prefix)
    return ranges


def is_central_admin(user) -> bool:
    """A superuser: sees everything, may do everything, and alone reshapes the tree and grants roles."""
    return _signed_in(user) and user.is_superuser


def user_has_perm(user, association: Association, perm: str) -> bool:
    """True when one of the user's roles on the node or an ancestor grants `perm` (for seeing, also a
    role covering a successor of the node or of an ancestor; one query)."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    if perm in PREDECESSORS_GRANT:
        return Association.objects.with_perm(user, perm).filter(pk=association.pk).exists()
    return Role.objects.filter(
        ancestors_q(association, prefix="association__"), user=user, role__in=roles_with(perm)
    ).exists()


def may_carry_roles(user, association: Association) -> bool:
    """True when the user reviews `association` and it has successors to carry its roles to (one query).

    The carrying itself also asks for the review right on every successor (roles_carry_to_successors).
    """
    reviewed = Association.objects.with_perm(user, Perm.REVIEW).filter(pk=association.pk)
    return reviewed.filter(succeeded_by__isnull=False).exists()


def holds_perm_anywhere(user, perm: str) -> bool:
    """True when the user holds `perm` on some node (to show a page or a link at all)."""
    return Association.objects.with_perm(user, perm).exists()


def get_association_for_user(
    user, pk: int, *, perm: str | None = None, tier: str | None = None
) -> Association:
    """The association `pk` (of `tier`) if the user sees it (else 404) and holds `perm` on it (else 403)."""
    nodes = Association.objects.visible_to(user)
    if tier is not None:
        nodes = nodes.of_tier(tier)
    association = nodes.filter(pk=pk).first()
    if association is None:
        raise Http404("Không tìm thấy hội này.")
    if perm is not None and perm != Perm.VIEW and not user_has_perm(user, association, perm):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return association


def open_totals(user):
    """Clusters and provinces, whose totals every signed-in user sees; nothing for anyone else."""
    if not _signed_in(user):
        return Association.objects.none()
    return Association.objects.of_tier(*OPEN_TOTALS_TIERS)


def get_open_totals_node(user, pk: int, *, tier: str) -> Association:
    """The cluster or province `pk` of `tier`, whose totals are open to every signed-in user; else 404."""
    node = open_totals(user).of_tier(tier).filter(pk=pk).first()
    if node is None:
        raise Http404("Không tìm thấy hội này.")
    return node


def report_clusters(user):
    """Clusters whose conference report the user reads: those the user sees, and those with one of
    the user's roles inside (the report is shared with every member association)."""
    clusters = Association.objects.of_tier(Tier.CLUSTER)
    if not _signed_in(user):
        return clusters.none()
    if user.is_superuser:
        return clusters
    inside = Role.objects.filter(subtree_q("", prefix="association__"), user=user)
    # The visibility test on the clusters' own rows, not a subquery of every node the user sees.
    return clusters.visible_to(user) | clusters.filter(Exists(inside))


def users_within(user, perm: str):
    """Active non-staff users other than `user`, with a role, all of whose roles sit where `user` holds `perm`.

    A user is in a reviewer's care when every one of their roles is where the reviewer reviews; staff
    and superusers never are, since the central administrators look after them.
    """
    nodes = Association.objects.with_perm(user, perm)
    roles = Role.objects.filter(user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(pk=user.pk)
        .filter(Exists(roles))
        .exclude(Exists(roles.exclude(association__in=nodes)))
    )


def can_manage_accounts(user) -> bool:
    """True when the user reviews some node, and so may help the users below it."""
    return holds_perm_anywhere(user, Perm.REVIEW)


def get_user_for_reviewer(user, pk: int):
    """The user `pk` if inside `user`'s subtree (else 404) and in their review care (else 403)."""
    target = users_within(user, Perm.VIEW).filter(pk=pk).first()
    if target is None:
        raise Http404("Không tìm thấy người dùng này.")
    if not users_within(user, Perm.REVIEW).filter(pk=pk).exists():
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return target


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to an association through the lookup `scope`: seen where it is seen."""

    scope = "association"

    def visible_to(self, user):
        """Rows of the associations the user sees."""
        if is_central_admin(user):
            return self.all()
        return self.filter(**{f"{self.scope}__in": Association.objects.visible_to(user)})

    def editable_by(self, user):
        """Rows of the associations whose figures the user may change (the approval lock aside)."""
        if is_central_admin(user):
            return self.all()
        return self.filter(**{f"{self.scope}__in": Association.objects.with_perm(user, Perm.EDIT_FIGURES)})

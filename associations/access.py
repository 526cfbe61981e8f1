"""The one place views resolve an association for a user: 404 outside the subtree, 403 without the right."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Association, Perm, Role, roles_with


def user_has_perm(user, association: Association, perm: str) -> bool:
    """True when one of the user's roles on the node or an ancestor grants `perm`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        user=user,
        role__in=roles_with(perm),
        association__tree_id=association.tree_id,
        association__lft__lte=association.lft,
        association__rght__gte=association.rght,
    ).exists()


def get_association_for_user(user, pk: int, *, perm: str | None = None) -> Association:
    """The association `pk` if the user sees it (else 404) and holds `perm` on it (else 403)."""
    association = Association.objects.visible_to(user).filter(pk=pk).first()
    if association is None:
        raise Http404("Không tìm thấy hội này.")
    if perm is not None and perm != Perm.VIEW and not user_has_perm(user, association, perm):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return association

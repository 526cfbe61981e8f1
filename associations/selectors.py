"""Reads of the tree and its roles that a page shows."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from .models import Association, Role


@dataclass(frozen=True)
class CarriedRole:
    """One role held on an ended node, as it would be held on one of the node's successors."""

    holder: AbstractBaseUser
    role: str
    successor: Association
    held: bool  # the holder already has that role on the successor

    @property
    def role_label(self) -> str:
        return Role(role=self.role).get_role_display()


def roles_to_carry(*, association: Association) -> list[CarriedRole]:
    """Each role held on `association` paired with each of its successors, by successor then holder; three queries."""
    roles = list(association.roles.select_related("user").order_by("user__username", "role"))
    successors = list(association.successors.order_by("sort_key", "pk"))
    held = (
        set(
            Role.objects.filter(association__in=successors, user__in={r.user_id for r in roles}).values_list(
                "user_id", "association_id", "role"
            )
        )
        if roles and successors
        else set()
    )
    return [
        CarriedRole(
            holder=role.user,
            role=role.role,
            successor=successor,
            held=(role.user_id, successor.pk, role.role) in held,
        )
        for successor in successors
        for role in roles
    ]

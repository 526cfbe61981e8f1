from django.db import transaction

from .models import Association, Role


@transaction.atomic
def association_create(
    *,
    tier: str,
    name: str,
    short_name: str,
    code: str,
    parent: Association | None = None,
    active_from: int | None = None,
    active_until: int | None = None,
) -> Association:
    """Create a node after checking the tier rules and code uniqueness."""
    association = Association(
        tier=tier,
        name=name,
        short_name=short_name,
        code=code,
        parent=parent,
        active_from=active_from,
        active_until=active_until,
    )
    association.full_clean()
    association.save()
    return association


@transaction.atomic
def association_move(*, association: Association, parent: Association | None) -> Association:
    """Move a node under a new parent, refusing moves that break the tier rules."""
    association.parent = parent
    association.full_clean()
    association.save()
    return association


@transaction.atomic
def role_grant(*, user, association: Association, role: str) -> Role:
    obj = Role(user=user, association=association, role=role)
    obj.full_clean()
    obj.save()
    return obj

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .access import is_central_admin
from .models import Association, Role

# Checks a tree edit must pass, given the node as stored and {field: new value} of what changes.
# The tree knows nothing of money, so the apps whose figures hang on the tree register theirs here
# (funds: an approved year's totals must not change; FundsConfig.ready()). A guard raises
# ValidationError with the reason.
TreeChangeGuard = Callable[[Association, dict], None]
TREE_CHANGE_GUARDS: list[TreeChangeGuard] = []


def register_tree_change_guard(guard: TreeChangeGuard) -> TreeChangeGuard:
    """Add `guard` to the checks of every tree edit (once, however often the app is readied)."""
    if guard not in TREE_CHANGE_GUARDS:
        TREE_CHANGE_GUARDS.append(guard)
    return guard


def tree_change_check(*, association: Association, changes: dict) -> None:
    """Run every registered guard on a change of a stored node; raises ValidationError with the reason.

    The admin's form asks this too, so that a refusal is shown on the form rather than as an error page.
    """
    if association.pk is None:
        return
    stored = Association.objects.get(pk=association.pk)
    changed = {name: value for name, value in changes.items() if _stored_value(stored, name) != value}
    if not changed:
        return
    for guard in TREE_CHANGE_GUARDS:
        guard(stored, changed)


def _stored_value(node: Association, name: str):
    field = Association._meta.get_field(name)
    if field.is_relation:
        return getattr(node, name)
    return getattr(node, field.attname)


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
def association_update(*, user, association: Association, changes: dict) -> Association:
    """Change a node's fields ({field: new value}) as a central administrator, after the tier rules and
    every registered guard; the history names `user`. Every tree edit (change form, drag and drop) comes here.
    """
    if not is_central_admin(user):
        raise PermissionDenied
    tree_change_check(association=association, changes=changes)
    for name, value in changes.items():
        setattr(association, name, value)
    association.full_clean()
    association._history_user = user
    association.save()
    return association


@transaction.atomic
def association_move(*, user, association: Association, parent: Association | None) -> Association:
    """Move a node under a new parent, refusing moves that break the tier rules or a guard."""
    return association_update(user=user, association=association, changes={"parent": parent})


@transaction.atomic
def role_grant(*, user, association: Association, role: str) -> Role:
    obj = Role(user=user, association=association, role=role)
    obj.full_clean()
    obj.save()
    return obj

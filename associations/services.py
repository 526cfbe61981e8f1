from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .access import is_central_admin
from .data_version import writes_data
from .models import Association, Perm, Role
from .selectors import roles_to_carry

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


@writes_data
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


@writes_data
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


@writes_data
def association_move(*, user, association: Association, parent: Association | None) -> Association:
    """Move a node under a new parent, refusing moves that break the tier rules or a guard."""
    return association_update(user=user, association=association, changes={"parent": parent})


@writes_data
def role_grant(*, user, association: Association, role: str) -> Role:
    obj = Role(user=user, association=association, role=role)
    obj.full_clean()
    obj.save()
    return obj


# The reason kept in the roles' history. It is stored, so it stays in one language whatever the reader's.
CARRY_REASON = "Chuyển từ hội tiền thân {name} (#{pk})"


@writes_data
def roles_carry_to_successors(*, user, association: Association) -> list[Role]:
    """Give each holder of a role on `association` the same role on each of its successors; return the new roles.

    For a node that ended in a reorganisation: its officers carry on in the node that took it over.
    The user reviews the node and every successor (or is a central administrator): a role is placed
    only where its giver already has the say, so a reviewer cannot reach further by carrying their own.
    Roles already held are left as they are, so a second run adds nothing. Each new role's history
    names the user and the predecessor it came from.
    """
    successors = set(association.successors.values_list("pk", flat=True))
    reviewed = Association.objects.with_perm(user, Perm.REVIEW).filter(pk__in={association.pk, *successors})
    if reviewed.count() != len(successors) + 1:
        raise PermissionDenied
    if not successors:
        raise ValidationError(_("Hội này không có hội kế thừa nên không có nơi chuyển vai trò đến."))
    reason = CARRY_REASON.format(name=association.short_name, pk=association.pk)[:100]
    created = []
    for carried in roles_to_carry(association=association):
        if carried.held:
            continue
        role = Role(user=carried.holder, association=carried.successor, role=carried.role)
        role.full_clean()
        role._history_user = user
        role._change_reason = reason
        role.save()
        created.append(role)
    return created

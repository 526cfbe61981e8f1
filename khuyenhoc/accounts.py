"""Accounts a reviewer looks after: who they may help, temporary passwords and one-time reset links.

A user is in a reviewer's care when every one of the user's roles is on a node where the reviewer
holds REVIEW; staff and superusers never are, since they reach the admin.
"""

import logging

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from associations.models import Association, Perm, Role

from .models import TemporaryPassword

log = logging.getLogger(__name__)


def users_within(user, perm: str) -> QuerySet:
    """Active non-staff users other than `user`, with a role, all of whose roles sit where `user` holds `perm`."""
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
    return Association.objects.with_perm(user, Perm.REVIEW).exists()


def get_user_for_reviewer(user, pk: int):
    """The user `pk` if inside `user`'s subtree (else 404) and in their review care (else 403)."""
    target = users_within(user, Perm.VIEW).filter(pk=pk).first()
    if target is None:
        raise Http404("Không tìm thấy người dùng này.")
    if not users_within(user, Perm.REVIEW).filter(pk=pk).exists():
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return target


def password_is_temporary(user) -> bool:
    """True while the user's password is still the temporary one a reviewer set."""
    return TemporaryPassword.objects.filter(user=user, password=user.password).exists()


def _ensure_in_care(user, target) -> None:
    if not users_within(user, Perm.REVIEW).filter(pk=target.pk).exists():
        raise PermissionDenied


@transaction.atomic
def user_set_temporary_password(*, user, target, password: str) -> None:
    """Give `target` a temporary password (Django's validators apply), to be changed at next sign-in.

    The target's sessions end (their password hash changed) and a login lockout is lifted: the
    reviewer has just vouched for them.
    """
    _ensure_in_care(user, target)
    password_validation.validate_password(password, target)
    target.set_password(password)
    target.save(update_fields=["password"])
    record = TemporaryPassword(user=target, password=target.password, set_by=user)
    record.full_clean(validate_unique=False)
    record.save()
    axes_reset(username=target.get_username())
    log.info("Temporary password set for %s by %s.", target.get_username(), user.get_username())


def user_issue_reset_link(*, user, target) -> tuple[str, str]:
    """(uidb64, token) of a one-time reset link for `target`; it dies once used or after PASSWORD_RESET_TIMEOUT."""
    _ensure_in_care(user, target)
    log.info("Password reset link issued for %s by %s.", target.get_username(), user.get_username())
    return urlsafe_base64_encode(force_bytes(target.pk)), default_token_generator.make_token(target)

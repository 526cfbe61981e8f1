"""Accounts a reviewer looks after: temporary passwords and one-time reset links.

Who is in whose care is the access policy's (associations/access.py, users_within).
"""

import logging

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from associations.access import users_within
from associations.models import Perm

from .models import TemporaryPassword

log = logging.getLogger(__name__)


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

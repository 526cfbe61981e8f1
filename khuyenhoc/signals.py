from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .accounts import password_is_temporary
from .middleware import SEEN_KEY, TEMPORARY_PASSWORD_KEY, now_seconds


@receiver(user_logged_in)
def stamp_the_session(sender, request, user, **kwargs):
    """Start the idle clock, and note a temporary password, so that later pages need no query for either."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SEEN_KEY] = now_seconds()
    if password_is_temporary(user):
        request.session[TEMPORARY_PASSWORD_KEY] = True

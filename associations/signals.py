from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .access import holds_perm_anywhere
from .models import Perm


@receiver(user_logged_in)
def remember_navigation_rights(sender, request, user, **kwargs):
    """Keep in the session whether to show the review link, so pages need no query for it.

    Only the navigation uses this; every view still checks the right itself.
    """
    if request is not None and hasattr(request, "session"):
        request.session["can_review"] = holds_perm_anywhere(user, Perm.REVIEW)

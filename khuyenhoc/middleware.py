import time

from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_cache_control

from .accounts import password_is_temporary


class VietnameseFirstLocaleMiddleware:
    """Activate the language chosen with the switch (cookie), else Vietnamese.

    Django's LocaleMiddleware follows Accept-Language, which would give an en-US browser
    English pages and English number formats; this portal is Vietnamese unless asked otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.available:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


SEEN_KEY = "seen"
TEMPORARY_PASSWORD_KEY = "password_temporary"


def now_seconds() -> int:
    return int(time.time())


class SignedInNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user, pages and downloads alike.

    Figures below a province are private to a subtree: no shared proxy or browser cache may keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class IdleTimeoutMiddleware:
    """Slide the session's expiry (SESSION_COOKIE_AGE) forward while the user is active.

    Django renews the expiry only when it saves the session, and SESSION_SAVE_EVERY_REQUEST would
    write on every page; renewing at most once a minute keeps the timeout within a minute of exact.
    Sign-in stamps the first time (signals.py).
    """

    RENEW_AFTER = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.session.get(SEEN_KEY)
        now = now_seconds()
        if seen is not None and now - seen >= self.RENEW_AFTER:
            request.session[SEEN_KEY] = now
        return self.get_response(request)


class TemporaryPasswordMiddleware:
    """Keep a user signed in with a temporary password on the change-password page until it is changed."""

    ALLOWED = {"password_change", "password_change_done", "logout", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.session.get(TEMPORARY_PASSWORD_KEY):
            return None
        if not request.user.is_authenticated or not password_is_temporary(request.user):
            del request.session[TEMPORARY_PASSWORD_KEY]  # changed since, by whatever path
            return None
        if request.resolver_match.url_name in self.ALLOWED:
            return None
        return redirect("password_change")

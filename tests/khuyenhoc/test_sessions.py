"""Sessions end after SESSION_COOKIE_AGE without a request (sliding), and when the browser closes."""

import datetime

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from khuyenhoc.middleware import SEEN_KEY, IdleTimeoutMiddleware


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _age_by(client, seconds: int) -> None:
    """Pretend the last request was `seconds` ago: both the stamp and the stored expiry move back."""
    session = client.session
    session[SEEN_KEY] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=_age() - seconds)
    )


def _age() -> int:
    from django.conf import settings

    return settings.SESSION_COOKIE_AGE


def test_it_times_out_after_thirty_idle_minutes_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_it_signs_out_a_session_idle_past_the_timeout(client, officer):
    client.force_login(officer)
    _age_by(client, _age() + 1)
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_slides_the_expiry_forward_on_activity(client, officer):
    client.force_login(officer)
    _age_by(client, _age() - 5)  # five seconds left
    assert client.get(reverse("home")).status_code == 200
    left = (_session(client).expire_date - timezone.now()).total_seconds()
    assert left > _age() - 10


def test_it_writes_the_session_at_most_once_a_minute(client, officer):
    client.force_login(officer)
    _age_by(client, IdleTimeoutMiddleware.RENEW_AFTER - 5)
    before = _session(client).expire_date
    client.get(reverse("home"))
    assert _session(client).expire_date == before


def test_it_sets_a_browser_session_cookie(client, officer):
    r = client.post(reverse("login"), {"username": "officer", "password": "pw-officer"})
    assert r.status_code == 302
    cookie = r.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]

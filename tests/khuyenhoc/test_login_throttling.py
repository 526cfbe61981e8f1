"""Login throttling (django-axes): wrong passwords lock the username for a while, and it is logged."""

import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from khuyenhoc.accounts import user_set_temporary_password


@pytest.fixture(autouse=True)
def _throttling_on(settings):
    settings.AXES_ENABLED = True


def _login(client, password, username="officer"):
    return client.post(reverse("login"), {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail_to_the_limit(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "sai-mat-khau")


def test_it_refuses_the_right_password_after_the_limit(client, officer, settings, caplog):
    caplog.set_level(logging.INFO, logger="axes")
    _fail_to_the_limit(client, settings)
    r = _login(client, "pw-officer")
    assert r.status_code == 429 and not _signed_in(client)
    assert "Tạm khóa đăng nhập" in r.content.decode()
    lockouts = [rec for rec in caplog.records if "Locking out" in rec.getMessage()]
    assert lockouts and "officer" in lockouts[0].getMessage()
    assert lockouts[0].levelno == logging.WARNING


def test_it_logs_each_failed_login(client, officer, caplog):
    caplog.set_level(logging.INFO, logger="axes")
    _login(client, "sai-mat-khau")
    failures = [rec for rec in caplog.records if "login failure" in rec.getMessage()]
    assert len(failures) == 1 and "officer" in failures[0].getMessage()


def test_it_lets_the_right_password_in_below_the_limit(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "sai-mat-khau")
    assert _login(client, "pw-officer").status_code == 302 and _signed_in(client)


def test_it_lets_the_right_password_in_after_the_cool_off(client, officer, settings):
    _fail_to_the_limit(client, settings)
    assert _login(client, "pw-officer").status_code == 429
    # The cool-off runs from the last failure; move it into the past rather than sleep.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )
    assert _login(client, "pw-officer").status_code == 302 and _signed_in(client)


def test_it_locks_the_username_whatever_the_address(client, officer, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "officer", "password": "sai"}, REMOTE_ADDR=f"10.0.0.{i + 1}"
        )
    r = client.post(
        reverse("login"), {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.9.9.9"
    )
    assert r.status_code == 429


def test_it_leaves_other_usernames_alone(client, officer, viewer, settings):
    _fail_to_the_limit(client, settings)
    assert _login(client, "pw-viewer", username="viewer").status_code == 302


def test_it_lifts_the_lockout_when_a_reviewer_sets_a_temporary_password(client, officer, reviewer, settings):
    _fail_to_the_limit(client, settings)
    user_set_temporary_password(user=reviewer, target=officer, password="tam-thoi-2025-xyz")
    assert _login(client, "tam-thoi-2025-xyz").status_code == 302

"""Accounts: change your own password; a reviewer helps the users in their care; reset by mail where set up."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from associations.models import RoleKind
from khuyenhoc.accounts import password_is_temporary, user_set_temporary_password, users_within
from tests.conftest import make_user

NEW = "mot-mat-khau-moi-2025"


@pytest.fixture
def signed_in(client):
    def _signed_in(user):
        client.force_login(user)
        return client

    return _signed_in


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


# Changing your own password


def test_it_changes_your_own_password(signed_in, officer):
    client = signed_in(officer)
    r = client.post(
        reverse("password_change"),
        {"old_password": "pw-officer", "new_password1": NEW, "new_password2": NEW},
    )
    assert r.status_code == 302 and r["Location"] == reverse("password_change_done")
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_it_applies_djangos_password_validators(signed_in, officer):
    client = signed_in(officer)
    r = client.post(
        reverse("password_change"),
        {"old_password": "pw-officer", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert r.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password("pw-officer")


def test_it_sends_anonymous_users_to_login_for_the_change_form(client, db):
    r = client.get(reverse("password_change"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_links_the_change_form_from_every_page(signed_in, officer):
    body = signed_in(officer).get(reverse("home")).content.decode()
    assert reverse("password_change") in body


# Who is in a reviewer's care


def test_it_counts_a_user_in_care_only_when_every_role_is_inside(reviewer, officer, tree):
    assert officer in users_within(reviewer, "review")
    province_reviewer = make_user("pr", RoleKind.REVIEWER, tree.p1)
    assert officer in users_within(province_reviewer, "review")
    make_user("p2-only", RoleKind.OFFICER, tree.p2)
    straddler = make_user("straddler", RoleKind.OFFICER, tree.p1)
    from associations.services import role_grant

    role_grant(user=straddler, association=tree.p2, role=RoleKind.VIEWER)
    managed = set(users_within(province_reviewer, "review").values_list("username", flat=True))
    assert managed == {"officer"}


def test_it_never_puts_staff_or_superusers_in_care(reviewer, tree):
    staff = make_user("staff", RoleKind.OFFICER, tree.p1)
    staff.is_staff = True
    staff.save()
    assert staff not in users_within(reviewer, "review")


# The reviewer's pages: 404 outside, 403 without the right


def test_it_refuses_the_user_list_to_a_non_reviewer(signed_in, officer):
    assert signed_in(officer).get(reverse("user_list")).status_code == 403


def test_it_lists_the_users_in_the_reviewers_care(signed_in, reviewer, officer, viewer, outsider):
    body = signed_in(reviewer).get(reverse("user_list")).content.decode()
    for user in (officer, viewer, outsider):
        assert reverse("user_detail", args=[user.pk]) in body
    assert reverse("user_detail", args=[reviewer.pk]) not in body


def test_it_pins_the_queries_of_the_user_list(signed_in, reviewer, tree, django_assert_num_queries):
    for i in range(30):
        make_user(f"u{i}", RoleKind.OFFICER, tree.c1 if i % 2 else tree.p2)
    client = signed_in(reviewer)
    # 1 session, 2 user, 3 review right (roles), 4 count, 5 the page of users, 6 their roles with associations
    with django_assert_num_queries(6):
        assert client.get(reverse("user_list")).status_code == 200


def test_it_answers_404_for_a_user_outside_the_subtree(signed_in, outsider, viewer):
    for name in ("user_detail", "user_reset_link", "user_temporary_password"):
        client = signed_in(outsider)
        method = client.get if name == "user_detail" else client.post
        assert method(reverse(name, args=[viewer.pk])).status_code == 404


def test_it_answers_403_to_a_non_reviewer_inside_the_subtree(signed_in, officer, viewer):
    client = signed_in(officer)
    assert client.get(reverse("user_detail", args=[viewer.pk])).status_code == 403
    r = client.post(
        reverse("user_temporary_password", args=[viewer.pk]), {"new_password1": NEW, "new_password2": NEW}
    )
    assert r.status_code == 403
    assert client.post(reverse("user_reset_link", args=[viewer.pk])).status_code == 403
    viewer.refresh_from_db()
    assert viewer.check_password("pw-viewer")


def test_it_refuses_the_service_to_a_non_reviewer(officer, viewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_set_temporary_password(user=officer, target=viewer, password=NEW)


# Temporary passwords


def test_it_sets_a_temporary_password(signed_in, reviewer, officer):
    r = signed_in(reviewer).post(
        reverse("user_temporary_password", args=[officer.pk]), {"new_password1": NEW, "new_password2": NEW}
    )
    assert r.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW) and password_is_temporary(officer)


def test_it_applies_the_validators_to_a_temporary_password(signed_in, reviewer, officer):
    r = signed_in(reviewer).post(
        reverse("user_temporary_password", args=[officer.pk]),
        {"new_password1": "officer1", "new_password2": "officer1"},
    )
    assert r.status_code == 400
    officer.refresh_from_db()
    assert officer.check_password("pw-officer")


def test_it_sends_a_user_with_a_temporary_password_to_change_it(client, reviewer, officer, tree):
    user_set_temporary_password(user=reviewer, target=officer, password=NEW)
    assert _login(client, "officer", NEW).status_code == 302
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    r = client.post(
        reverse("password_change"),
        {"old_password": NEW, "new_password1": "cua-rieng-toi-2025", "new_password2": "cua-rieng-toi-2025"},
    )
    assert r.status_code == 302
    officer.refresh_from_db()
    assert not password_is_temporary(officer)
    assert client.get(reverse("association_detail", args=[tree.p1.pk])).status_code == 200


def test_it_ends_the_users_sessions_when_a_temporary_password_is_set(client, reviewer, officer):
    client.force_login(officer)
    user_set_temporary_password(user=reviewer, target=officer, password=NEW)
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


# Reset links, shown to the reviewer


def _issue_link(client, target) -> str:
    body = client.post(reverse("user_reset_link", args=[target.pk])).content.decode()
    return re.search(r'value="(http://testserver/tai-khoan/dat-lai-mat-khau/[^"]+)"', body).group(1)


def test_it_issues_a_one_time_reset_link(signed_in, client, reviewer, officer):
    link = _issue_link(signed_in(reviewer), officer)
    client.logout()
    r = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    assert r.status_code == 200 and r.context["validlink"]
    form_url = r.redirect_chain[-1][0]
    r = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == reverse("password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW)

    r = client.get(link, follow=True)
    assert not r.context["validlink"]  # used once, dead after


# Reset by mail, where EMAIL_* is set


def test_it_points_to_a_reviewer_when_no_mail_is_set_up(client, officer, settings):
    settings.PASSWORD_RESET_BY_EMAIL = False
    r = client.post(reverse("password_reset"), {"email": "officer@example.org"})
    assert r.status_code == 200 and mail.outbox == []
    assert reverse("login") in r.content.decode()


def test_it_mails_a_reset_link_where_mail_is_set_up(client, officer, settings):
    settings.PASSWORD_RESET_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    get_user_model().objects.filter(pk=officer.pk).update(email="officer@example.org")
    r = client.post(reverse("password_reset"), {"email": "officer@example.org"})
    assert r.status_code == 302 and r["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.org"]
    assert "/tai-khoan/dat-lai-mat-khau/" in mail.outbox[0].body

"""Who may use each view of the yearly figures: 404 outside the subtree, 403 without the right."""

import pytest
from django.urls import reverse

from associations.models import RoleKind
from associations.services import role_grant
from funds.models import AnnualReturn

from .conftest import YEAR
from .helpers import form_data

SUBMITTED, APPROVED = AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED


def _request(view: str, tree, make_return):
    """(method, url, data) for one view, on a return of P1 in the state that view acts on."""
    if view in ("edit_get", "edit_post", "history"):
        annual_return = make_return(tree.p1, mobilised_cash=1_000)
        url = reverse("return_history" if view == "history" else "return_edit", args=[tree.p1.pk, YEAR])
        if view == "edit_post":
            return "post", url, form_data(version=annual_return.version, mobilised_cash=2_000)
        return "get", url, None
    if view == "submit":
        return "post", reverse("return_submit", args=[make_return(tree.p1).pk]), {}
    if view in ("approve", "send_back"):
        annual_return = make_return(tree.p1, status=SUBMITTED)
        data = {"version": annual_return.version, "reason": "Thiếu số liệu xã"}
        name = "return_approve" if view == "approve" else "return_send_back"
        return "post", reverse(name, args=[annual_return.pk]), data
    if view == "reopen":
        annual_return = make_return(tree.p1, status=APPROVED)
        return "post", reverse("return_reopen", args=[annual_return.pk]), {"reason": "Sai số liệu"}
    if view == "review_get":
        make_return(tree.p1, status=SUBMITTED)
        return "get", reverse("review_list") + f"?nam={YEAR}", None
    if view == "review_post":
        annual_return = make_return(tree.p1, status=SUBMITTED)
        seen = f"{annual_return.pk}:{annual_return.version}"
        return "post", reverse("review_list") + f"?nam={YEAR}", {"returns": [seen]}
    raise AssertionError(view)


WRITES = ["edit_post", "submit", "approve", "send_back", "reopen", "review_post"]
READS = ["edit_get", "history", "review_get"]

# (view, user): the status every other user of the standard set gets is in the table too.
MATRIX = {
    "edit_get": {"outsider": 404, "viewer": 200, "chair": 200, "officer": 200, "reviewer": 200},
    "edit_post": {"outsider": 404, "viewer": 403, "chair": 403, "officer": 302, "reviewer": 403},
    "submit": {"outsider": 404, "viewer": 403, "chair": 403, "officer": 302, "reviewer": 403},
    "approve": {"outsider": 404, "viewer": 403, "chair": 403, "officer": 403, "reviewer": 302},
    "send_back": {"outsider": 404, "viewer": 403, "chair": 403, "officer": 403, "reviewer": 302},
    "reopen": {"outsider": 404, "viewer": 403, "chair": 403, "officer": 403, "reviewer": 302},
    # The review list names no association: without the review right anywhere it is a 403.
    "review_get": {"outsider": 403, "viewer": 403, "chair": 403, "officer": 403, "reviewer": 200},
    "review_post": {"outsider": 403, "viewer": 403, "chair": 403, "officer": 403, "reviewer": 302},
    "history": {"outsider": 404, "viewer": 200, "chair": 200, "officer": 200, "reviewer": 200},
}
CASES = [(view, user, status) for view, row in MATRIX.items() for user, status in row.items()]


@pytest.mark.parametrize(("view", "username", "status"), CASES, ids=[f"{v}-{u}" for v, u, _ in CASES])
def test_it_answers_each_user_as_the_matrix_says(
    view, username, status, request, tree, make_return, login, snapshot
):
    method, url, data = _request(view, tree, make_return)
    client = login(request.getfixturevalue(username))
    before = snapshot()
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == status
    if view in WRITES and status in (403, 404):
        assert snapshot() == before


@pytest.mark.parametrize("view", WRITES + READS)
def test_it_sends_anonymous_users_to_login(view, client, tree, make_return, snapshot):
    method, url, data = _request(view, tree, make_return)
    before = snapshot()
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot() == before


@pytest.mark.parametrize("view", ["submit", "approve", "send_back", "reopen"])
def test_it_refuses_get_on_workflow_actions(view, tree, make_return, reviewer, login):
    _, url, _ = _request(view, tree, make_return)
    assert login(reviewer).get(url).status_code == 405


def test_it_lets_an_officer_enter_figures_for_a_commune_of_the_subtree(tree, officer, login):
    url = reverse("return_edit", args=[tree.c3.pk, YEAR])
    response = login(officer).post(url, form_data(mobilised_cash=7_000))
    assert response.status_code == 302
    assert AnnualReturn.objects.get(association=tree.c3, year=YEAR).mobilised_cash == 7_000


@pytest.mark.parametrize("node", ["p2", "c4", "cluster_a", "central"])
def test_it_hides_entry_outside_the_officers_subtree(node, tree, officer, login):
    url = reverse("return_edit", args=[getattr(tree, node).pk, YEAR])
    client = login(officer)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(mobilised_cash=7_000)).status_code == 404
    assert not AnnualReturn.objects.exists()


def test_it_hides_another_provinces_return_from_submit(tree, officer, make_return, login):
    other = make_return(tree.p2)
    response = login(officer).post(reverse("return_submit", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == AnnualReturn.Status.DRAFT


def test_it_hides_a_return_from_a_reviewer_of_another_cluster(tree, make_return, login, django_user_model):
    reviewer_b = django_user_model.objects.create_user("reviewer_b")
    role_grant(user=reviewer_b, association=tree.cluster_b, role=RoleKind.REVIEWER)
    annual_return = make_return(tree.p1, status=SUBMITTED)
    url = reverse("return_approve", args=[annual_return.pk])
    response = login(reviewer_b).post(url, {"version": annual_return.version})
    assert response.status_code == 404
    annual_return.refresh_from_db()
    assert annual_return.status == SUBMITTED


def test_it_lets_a_cluster_reviewer_approve_below_the_cluster(tree, make_return, login, django_user_model):
    reviewer_a = django_user_model.objects.create_user("reviewer_a")
    role_grant(user=reviewer_a, association=tree.cluster_a, role=RoleKind.REVIEWER)
    annual_return = make_return(tree.c1, status=SUBMITTED)
    url = reverse("return_approve", args=[annual_return.pk])
    response = login(reviewer_a).post(url, {"version": annual_return.version})
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == APPROVED and annual_return.approved_by == reviewer_a


def test_it_answers_404_for_a_year_out_of_range(tree, officer, login):
    assert login(officer).get(reverse("return_edit", args=[tree.p1.pk, 1999])).status_code == 404


def test_it_shows_a_read_only_form_to_a_viewer(tree, viewer, draft, login, edit_url):
    body = login(viewer).get(edit_url()).content.decode()
    assert '<fieldset class="card" disabled' in body
    assert ">Lưu</button>" not in body
    assert reverse("return_submit", args=[draft.pk]) not in body


def test_it_shows_the_approve_button_to_a_reviewer(tree, reviewer, submitted, login, edit_url):
    body = login(reviewer).get(edit_url()).content.decode()
    assert reverse("return_approve", args=[submitted.pk]) in body


def test_it_hides_the_approve_button_from_an_officer(tree, officer, submitted, login, edit_url):
    body = login(officer).get(edit_url()).content.decode()
    assert reverse("return_approve", args=[submitted.pk]) not in body


def test_it_shows_the_reopen_form_to_a_reviewer(tree, reviewer, approved, login, edit_url):
    body = login(reviewer).get(edit_url()).content.decode()
    assert reverse("return_reopen", args=[approved.pk]) in body

"""The admin follows the access policy: a staff account holding every model permission still sees and
changes only what its roles allow (lists, change and delete pages, bulk delete, history revert, the
association a row belongs to)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from associations.models import RoleKind
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from tests.conftest import make_user

from .conftest import YEAR

MODELS = ["annualreturn", "fund", "fundbalance", "scholarship", "transfer"]


def staff(username: str, role: str | None, association):
    """A staff account with every permission on the figures' models, and `role` on `association`."""
    user = make_user(username, role, association)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="funds"))
    return user


@pytest.fixture
def staff_outsider(tree):
    """An officer of P2 with the admin's model permissions: today's hole, closed."""
    return staff("staff_outsider", RoleKind.OFFICER, tree.p2)


@pytest.fixture
def staff_officer(tree):
    return staff("staff_officer", RoleKind.OFFICER, tree.p1)


@pytest.fixture
def staff_viewer(tree):
    return staff("staff_viewer", RoleKind.VIEWER, tree.p1)


@pytest.fixture
def rows(draft, attachments):
    """P1's draft return, fund, balance, scholarship and transfer, by admin model name."""
    return {
        "annualreturn": draft,
        "fund": attachments["fund"],
        "fundbalance": attachments["balance"],
        "scholarship": attachments["scholarship"],
        "transfer": attachments["transfer"],
    }


def _return_data(annual_return, **changes):
    data = {
        "association": annual_return.association_id,
        "year": annual_return.year,
        "population": annual_return.population,
        "mobilised_cash": annual_return.mobilised_cash,
        "coverage": annual_return.coverage,
        "notes": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize("model", MODELS)
def test_it_leaves_other_provinces_out_of_the_lists(model, rows, staff_outsider, login):
    r = login(staff_outsider).get(reverse(f"admin:funds_{model}_changelist"))
    assert r.status_code == 200
    assert r.context["cl"].result_count == 0


@pytest.mark.parametrize("model", MODELS)
def test_it_lists_the_rows_of_the_users_subtree(model, rows, staff_viewer, login):
    r = login(staff_viewer).get(reverse(f"admin:funds_{model}_changelist"))
    assert list(r.context["cl"].result_list) == [rows[model]]


@pytest.mark.parametrize("model", MODELS)
def test_it_answers_an_outsider_as_if_the_row_did_not_exist(model, rows, staff_outsider, login, snapshot):
    client = login(staff_outsider)
    pk = rows[model].pk
    before = snapshot()
    for page in ("change", "delete", "history"):
        r = client.get(reverse(f"admin:funds_{model}_{page}", args=[pk]))
        # The admin's "not found" is a redirect to its index with a message, or 403 from django-simple-history.
        assert r.status_code in (302, 403) and r.get("Location", reverse("admin:index")) == reverse(
            "admin:index"
        )
    client.post(reverse(f"admin:funds_{model}_change", args=[pk]), {})
    client.post(reverse(f"admin:funds_{model}_delete", args=[pk]), {"post": "yes"})
    assert snapshot() == before


def test_it_refuses_an_outsiders_edit_of_another_provinces_return(draft, staff_outsider, login):
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    login(staff_outsider).post(url, _return_data(draft, mobilised_cash=1))
    draft.refresh_from_db()
    assert draft.mobilised_cash == 40_000_000_000


def test_it_lets_the_provinces_officer_make_the_same_edit(draft, staff_officer, login):
    """The control for the refusal above."""
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    assert login(staff_officer).post(url, _return_data(draft, mobilised_cash=1)).status_code == 302
    draft.refresh_from_db()
    assert draft.mobilised_cash == 1


@pytest.mark.parametrize("model", MODELS)
def test_it_answers_403_to_a_read_only_user_writing(model, rows, staff_viewer, login, snapshot):
    client = login(staff_viewer)
    pk = rows[model].pk
    assert client.get(reverse(f"admin:funds_{model}_change", args=[pk])).status_code == 200
    before = snapshot()
    assert client.post(reverse(f"admin:funds_{model}_change", args=[pk]), {}).status_code == 403
    assert client.post(reverse(f"admin:funds_{model}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:funds_{model}_add")).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", MODELS)
def test_it_ignores_other_provinces_rows_in_a_bulk_delete(model, rows, staff_outsider, login, snapshot):
    before = snapshot()
    login(staff_outsider).post(
        reverse(f"admin:funds_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [rows[model].pk], "post": "yes"},
    )
    assert snapshot() == before


def test_it_refuses_a_history_revert_of_another_provinces_return(draft, staff_outsider, login, snapshot):
    first = draft.history.order_by("history_id").first()
    url = reverse("admin:funds_annualreturn_simple_history", args=[draft.pk, first.history_id])
    before = snapshot()
    assert login(staff_outsider).post(url, _return_data(draft, mobilised_cash=1)).status_code == 403
    assert snapshot() == before


def test_it_refuses_a_history_revert_by_a_read_only_user(draft, staff_viewer, login, snapshot):
    staff_viewer.user_permissions.set(Permission.objects.filter(codename="view_annualreturn"))
    first = draft.history.order_by("history_id").first()
    url = reverse("admin:funds_annualreturn_simple_history", args=[draft.pk, first.history_id])
    before = snapshot()
    assert login(staff_viewer).post(url, _return_data(draft, mobilised_cash=1)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    ("model", "data"),
    [
        ("annualreturn", {"year": YEAR, "population": "5", "notes": ""}),
        ("fund", {"name": "Quỹ lạ", "kind": "named", "notes": "", "balances-TOTAL_FORMS": "0"}),
        ("scholarship", {"year": YEAR, "programme": "Học bổng lạ", "donor": ""}),
    ],
)
def test_it_refuses_a_row_added_to_another_province(model, data, tree, staff_outsider, login, snapshot):
    data = {"association": tree.p1.pk, "balances-INITIAL_FORMS": "0", **data}
    before = snapshot()
    r = login(staff_outsider).post(reverse(f"admin:funds_{model}_add"), data)
    assert r.status_code == 200 and "association" in r.context["adminform"].form.errors
    assert snapshot() == before


def test_it_refuses_a_transfer_received_by_another_province(tree, staff_outsider, login, snapshot):
    data = {"year": YEAR, "giver": tree.p2.pk, "recipient": tree.p1.pk, "amount": "5", "purpose": "Tặng"}
    before = snapshot()
    r = login(staff_outsider).post(reverse("admin:funds_transfer_add"), data)
    assert r.status_code == 200 and "recipient" in r.context["adminform"].form.errors
    assert snapshot() == before


def test_it_refuses_a_balance_of_another_provinces_fund(attachments, staff_outsider, login, snapshot):
    data = {"fund": attachments["fund"].pk, "year": YEAR + 1, "balance": "5"}
    before = snapshot()
    r = login(staff_outsider).post(reverse("admin:funds_fundbalance_add"), data)
    assert r.status_code == 200 and "fund" in r.context["adminform"].form.errors
    assert snapshot() == before


def test_it_lets_an_officer_add_a_scholarship_in_their_province(tree, staff_officer, login):
    data = {"association": tree.c1.pk, "year": YEAR, "programme": "Học bổng xã", "donor": ""}
    assert login(staff_officer).post(reverse("admin:funds_scholarship_add"), data).status_code == 302
    assert Scholarship.objects.filter(association=tree.c1, programme="Học bổng xã").exists()


def test_it_keeps_an_officer_from_approving_in_the_admin(draft, staff_officer, login):
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    login(staff_officer).post(url, _return_data(draft, status=AnnualReturn.Status.APPROVED))
    draft.refresh_from_db()
    assert draft.status == AnnualReturn.Status.DRAFT


def test_it_leaves_a_superuser_the_whole_admin(rows, login, superuser):
    client = login(superuser)
    for model, row in rows.items():
        assert client.get(reverse(f"admin:funds_{model}_change", args=[row.pk])).status_code == 200
    assert {m.objects.count() for m in (AnnualReturn, Fund, FundBalance, Scholarship, Transfer)} == {1}


def test_it_asks_the_policy_once_per_list_page(rows, staff_officer, login, django_assert_max_num_queries):
    client = login(staff_officer)
    url = reverse("admin:funds_scholarship_changelist")
    # session, user, the user's model permissions (2), "may enter figures anywhere", the count, the
    # filtered count, the page of rows; never one query per row
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200

"""An approved return refuses every write: the entry form, the services, the models and the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funds import services, workflow
from funds.models import AnnualReturn, Fund, FundBalance, LockedError, Scholarship, Transfer

from .conftest import YEAR
from .helpers import form_data

# full_clean() gathers the LockedError of clean() into a plain ValidationError; the message stays.
LOCKED = "đã được duyệt nên không thể sửa"


@pytest.fixture
def locked(approved, attachments):
    """P1's approved return for YEAR with a fund balance, a scholarship and a transfer attached."""
    return approved


def test_it_refuses_the_form_with_409_and_says_approved(officer, locked, login, edit_url, snapshot):
    before = snapshot()
    response = login(officer).post(edit_url(), form_data(version=locked.version, mobilised_cash=1))
    assert response.status_code == 409
    assert "Báo cáo năm 2023 đã được duyệt nên không thể sửa." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_attached_rows_of_an_approved_return(officer, locked, login, edit_url, snapshot):
    data = form_data(
        version=locked.version,
        population=locked.population,
        mobilised_cash=locked.mobilised_cash,
        scholarships=[{"programme": "Học bổng mới", "awards": 1, "total_value": 1_000}],
    )
    before = snapshot()
    assert login(officer).post(edit_url(), data).status_code == 409
    assert snapshot() == before


def test_it_shows_an_approved_return_read_only(officer, locked, login, edit_url):
    body = login(officer).get(edit_url()).content.decode()
    assert "đã được duyệt nên không thể sửa" in body
    assert '<fieldset class="card" disabled' in body
    assert ">Lưu</button>" not in body


def test_it_raises_locked_error_from_the_save_service(officer, locked, snapshot):
    before = snapshot()
    with pytest.raises(LockedError):
        services.annual_return_save(
            user=officer,
            association=locked.association,
            year=YEAR,
            changes=services.ReturnChanges(figures={"mobilised_cash": 1}),
            expected_version=locked.version,
        )
    assert snapshot() == before


def test_it_refuses_the_admin_save_service_of_the_approved_return(locked, superuser):
    locked.mobilised_cash = 1
    with pytest.raises(ValidationError, match=LOCKED):
        services.annual_return_check(
            user=superuser, association=locked.association, year=locked.year, expected_version=locked.version
        )


def test_it_refuses_saving_a_fund_balance_of_the_locked_year(locked, attachments, superuser, snapshot):
    balance = attachments["balance"]
    balance.balance = 1
    before = snapshot()
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=balance)
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_delete(user=superuser, row=balance)
    assert snapshot() == before


def test_it_refuses_saving_a_scholarship_of_the_locked_year(locked, attachments, superuser, snapshot):
    scholarship = attachments["scholarship"]
    scholarship.awards = 99
    before = snapshot()
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=scholarship)
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_delete(user=superuser, row=scholarship)
    assert snapshot() == before


def test_it_refuses_saving_a_transfer_of_the_locked_year(locked, attachments, superuser, snapshot):
    transfer = attachments["transfer"]
    transfer.amount = 1
    before = snapshot()
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=transfer)
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_delete(user=superuser, row=transfer)
    assert snapshot() == before


def test_it_refuses_a_new_scholarship_in_the_locked_year(tree, locked, superuser):
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(
            user=superuser, row=Scholarship(association=tree.p1, year=YEAR, programme="Mới", awards=1)
        )
    assert not Scholarship.objects.filter(programme="Mới").exists()


def test_it_refuses_a_new_fund_balance_in_the_locked_year(tree, locked, superuser):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ mới")
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=FundBalance(fund=fund, year=YEAR, balance=1))
    assert not fund.balances.exists()


def test_it_leaves_other_years_open(tree, locked, attachments, superuser):
    services.figures_row_save(
        user=superuser, row=FundBalance(fund=attachments["fund"], year=YEAR + 1, balance=1)
    )
    services.figures_row_save(
        user=superuser, row=Scholarship(association=tree.p1, year=YEAR - 1, programme="Năm trước")
    )
    assert FundBalance.objects.filter(year=YEAR + 1).exists()
    assert Scholarship.objects.filter(year=YEAR - 1).exists()


def test_it_leaves_other_associations_open(tree, locked, superuser):
    transfer = Transfer(recipient=tree.c1, year=YEAR, giver_name="Ai đó", purpose="Hỗ trợ")
    services.figures_row_save(user=superuser, row=transfer)
    assert transfer.pk is not None


# The admin, signed in as a superuser: the buttons are hidden and a forged POST is refused.


def _admin_return_data(annual_return: AnnualReturn, **changes) -> dict:
    data = {
        "association": annual_return.association_id,
        "year": annual_return.year,
        "status": annual_return.status,
        "notes": annual_return.notes,
        "reopen_reason": annual_return.reopen_reason,
        "coverage": annual_return.coverage,
    }
    for name in AnnualReturn.FIGURE_FIELDS:
        value = getattr(annual_return, name)
        data[name] = "" if value is None else value
    data |= changes
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_it_lets_the_admin_change_an_unlocked_return(draft, superuser, login):
    """The control for the refusals below: the same POST saves a draft."""
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    response = login(superuser).post(url, _admin_return_data(draft, mobilised_cash=123))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.mobilised_cash == 123


def test_it_refuses_an_admin_change_of_a_locked_return(locked, superuser, login, snapshot):
    url = reverse("admin:funds_annualreturn_change", args=[locked.pk])
    before = snapshot()
    response = login(superuser).post(url, _admin_return_data(locked, mobilised_cash=123))
    assert response.status_code == 403
    assert snapshot() == before


def test_it_shows_a_locked_return_in_the_admin_without_save_buttons(locked, superuser, login):
    response = login(superuser).get(reverse("admin:funds_annualreturn_change", args=[locked.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_it_refuses_an_admin_delete_of_a_locked_return(locked, superuser, login, snapshot):
    url = reverse("admin:funds_annualreturn_delete", args=[locked.pk])
    client = login(superuser)
    before = snapshot()
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_it_refuses_the_admin_bulk_delete_of_a_locked_return(locked, superuser, login, snapshot):
    url = reverse("admin:funds_annualreturn_changelist")
    data = {"action": "delete_selected", "_selected_action": [locked.pk], "post": "yes"}
    before = snapshot()
    response = login(superuser).post(url, data)
    assert response.status_code == 403
    assert snapshot() == before


def _revert(client, annual_return, **changes):
    """POST the admin's "revert to this version" form of the return's first recorded version."""
    first = annual_return.history.order_by("history_id").first()
    url = reverse("admin:funds_annualreturn_simple_history", args=[annual_return.pk, first.history_id])
    return client.post(url, _admin_return_data(annual_return, **changes))


def test_it_lets_the_admin_revert_an_unlocked_return(draft, superuser, login):
    """The control for the refusal below: the same revert saves a draft."""
    assert _revert(login(superuser), draft, mobilised_cash=1).status_code == 302
    draft.refresh_from_db()
    assert draft.mobilised_cash == 1


def test_it_refuses_an_admin_history_revert_of_a_locked_return(locked, superuser, login, snapshot):
    before = snapshot()
    response = _revert(login(superuser), locked, mobilised_cash=1)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("model", "key"),
    [("fundbalance", "balance"), ("scholarship", "scholarship"), ("transfer", "transfer")],
)
def test_it_refuses_admin_changes_and_deletes_of_attached_rows(
    model, key, locked, attachments, superuser, login, snapshot
):
    pk = attachments[key].pk
    client = login(superuser)
    before = snapshot()
    assert client.post(reverse(f"admin:funds_{model}_change", args=[pk]), {}).status_code == 403
    assert client.post(reverse(f"admin:funds_{model}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_it_refuses_an_admin_scholarship_added_to_the_locked_year(tree, locked, superuser, login, snapshot):
    data = {"association": tree.p1.pk, "year": YEAR, "programme": "Mới", "donor": "", "awards": 1}
    before = snapshot()
    response = login(superuser).post(reverse("admin:funds_scholarship_add"), data)
    assert response.status_code == 200
    assert "đã được duyệt" in response.content.decode()
    assert snapshot() == before


def test_it_refuses_deleting_a_fund_whose_balance_is_locked(locked, attachments, superuser, login, snapshot):
    url = reverse("admin:funds_fund_delete", args=[attachments["fund"].pk])
    before = snapshot()
    assert login(superuser).post(url, {"post": "yes"}).status_code == 403
    assert snapshot() == before


def _fund_admin_data(fund, balance_row, **row) -> dict:
    data = {
        "association": fund.association_id,
        "name": fund.name,
        "kind": fund.kind,
        "notes": fund.notes,
        "balances-TOTAL_FORMS": "1",
        "balances-INITIAL_FORMS": "1",
        "balances-MIN_NUM_FORMS": "0",
        "balances-MAX_NUM_FORMS": "1000",
        "balances-0-id": balance_row.pk,
        "balances-0-fund": fund.pk,
        "balances-0-year": balance_row.year,
        "balances-0-balance": balance_row.balance,
    }
    data |= {f"balances-0-{k}": v for k, v in row.items()}
    return data


def test_it_refuses_a_locked_balance_changed_through_the_fund_admin(
    locked, attachments, superuser, login, snapshot
):
    fund, balance = attachments["fund"], attachments["balance"]
    before = snapshot()
    response = login(superuser).post(
        reverse("admin:funds_fund_change", args=[fund.pk]), _fund_admin_data(fund, balance, balance=7)
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_it_refuses_a_locked_balance_deleted_through_the_fund_admin(
    locked, attachments, superuser, login, snapshot
):
    fund, balance = attachments["fund"], attachments["balance"]
    before = snapshot()
    response = login(superuser).post(
        reverse("admin:funds_fund_change", args=[fund.pk]), _fund_admin_data(fund, balance, DELETE="on")
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_it_refuses_a_locked_balance_moved_to_another_year_through_the_fund_admin(
    locked, attachments, superuser, login, snapshot
):
    fund, balance = attachments["fund"], attachments["balance"]
    before = snapshot()
    response = login(superuser).post(
        reverse("admin:funds_fund_change", args=[fund.pk]), _fund_admin_data(fund, balance, year=YEAR + 1)
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_it_lets_the_fund_admin_change_an_open_year(draft, attachments, superuser, login):
    """The control for the refusals above: the same POST saves while the return is a draft."""
    fund, balance = attachments["fund"], attachments["balance"]
    response = login(superuser).post(
        reverse("admin:funds_fund_change", args=[fund.pk]), _fund_admin_data(fund, balance, balance=7)
    )
    assert response.status_code == 302
    balance.refresh_from_db()
    assert balance.balance == 7


# Reopening: the reviewer unlocks the return, with a reason that is kept.


def test_it_reopens_with_a_reason_and_records_it(reviewer, locked, login):
    url = reverse("return_reopen", args=[locked.pk])
    login(reviewer).post(url, {"reason": "Tỉnh báo sai dân số"})
    locked.refresh_from_db()
    assert locked.status == AnnualReturn.Status.DRAFT
    assert locked.reopen_reason == "Tỉnh báo sai dân số"
    assert locked.approved_by is None and locked.approved_at is None


def test_it_lets_the_officer_save_after_reopening(reviewer, officer, locked, login, edit_url):
    login(reviewer).post(reverse("return_reopen", args=[locked.pk]), {"reason": "Sửa dân số"})
    locked.refresh_from_db()
    data = form_data(version=locked.version, population=1_100_000, mobilised_cash=locked.mobilised_cash)
    assert login(officer).post(edit_url(), data).status_code == 302
    locked.refresh_from_db()
    assert locked.population == 1_100_000


def test_it_shows_the_reopen_reason_on_the_return(reviewer, officer, locked, login, edit_url):
    login(reviewer).post(reverse("return_reopen", args=[locked.pk]), {"reason": "Sửa dân số"})
    assert "Sửa dân số" in login(officer).get(edit_url()).content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_reopen_without_a_reason(reason, reviewer, locked, login, snapshot):
    before = snapshot()
    response = login(reviewer).post(
        reverse("return_reopen", args=[locked.pk]), {"reason": reason}, follow=True
    )
    assert "Cần ghi lý do mở lại báo cáo." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_a_blank_reason_in_the_reopen_service(reviewer, locked):
    with pytest.raises(ValidationError):
        workflow.annual_return_reopen(user=reviewer, annual_return=locked, reason="  ")
    locked.refresh_from_db()
    assert locked.status == AnnualReturn.Status.APPROVED


@pytest.mark.parametrize(
    ("key", "field"), [("scholarship", "year"), ("transfer", "year"), ("balance", "year")]
)
def test_it_refuses_moving_a_row_out_of_the_locked_year(key, field, locked, attachments, superuser, snapshot):
    row = attachments[key]
    setattr(row, field, YEAR + 1)
    before = snapshot()
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=row)
    assert snapshot() == before


def test_it_refuses_moving_a_scholarship_to_another_association(
    tree, locked, attachments, superuser, snapshot
):
    scholarship = attachments["scholarship"]
    scholarship.association = tree.c1
    before = snapshot()
    with pytest.raises(ValidationError, match=LOCKED):
        services.figures_row_save(user=superuser, row=scholarship)
    assert snapshot() == before

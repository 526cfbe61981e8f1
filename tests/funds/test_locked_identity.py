"""A fund's name and kind show in every year's report: once a year with its balance is approved, they stay.

Blank balances keep no row, in the entry form and in the import.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from funds import imports, services
from funds.models import AnnualReturn, Fund, FundBalance
from funds.spreadsheets.cells import tier_label
from funds.spreadsheets.resources import FundBalanceResource
from tests.funds.test_import_support import xlsx

from .conftest import YEAR
from .helpers import form_data

PAST = YEAR - 1
REFUSED = f"đã có số dư trong năm {PAST} đã duyệt nên không đổi tên, loại hay hội được"


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def fund(tree):
    """P1's "Quỹ Một", with a balance in PAST and in YEAR."""
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Một", kind=Fund.Kind.NAMED)
    FundBalance.objects.create(fund=fund, year=PAST, balance=1_000)
    FundBalance.objects.create(fund=fund, year=YEAR, balance=2_000)
    return fund


@pytest.fixture
def past(tree):
    """P1's return for PAST, still a draft; approve it with `approve(past)`."""
    return AnnualReturn.objects.create(association=tree.p1, year=PAST)


def approve(annual_return):
    annual_return.status = AnnualReturn.Status.APPROVED
    annual_return.approved_at = timezone.now()
    annual_return.save()


def _save(officer, fund, **row):
    row = {"fund_id": fund.pk, "name": fund.name, "kind": fund.kind, "balance": 2_000} | row
    return services.annual_return_save(
        user=officer,
        association=fund.association,
        year=YEAR,
        changes=services.ReturnChanges(figures={}, funds=[services.FundRow(**row)]),
        expected_version=None,
    )


def _stored(fund):
    return Fund.objects.values_list("name", "kind").get(pk=fund.pk)


# --- the service (the entry form's path) ------------------------------------------------------------


def test_it_refuses_renaming_a_fund_with_a_balance_in_an_approved_year(officer, fund, past):
    approve(past)
    with pytest.raises(ValidationError, match=REFUSED):
        _save(officer, fund, name="Quỹ Hai")
    assert _stored(fund) == ("Quỹ Một", "named")


def test_it_refuses_changing_the_kind_of_a_fund_with_a_balance_in_an_approved_year(officer, fund, past):
    approve(past)
    with pytest.raises(ValidationError, match=REFUSED):
        _save(officer, fund, kind=Fund.Kind.CLAN)
    assert _stored(fund) == ("Quỹ Một", "named")


def test_it_renames_a_fund_while_no_year_with_its_balance_is_approved(officer, fund, past):
    _save(officer, fund, name="Quỹ Hai", kind=Fund.Kind.CLAN)
    assert _stored(fund) == ("Quỹ Hai", "clan")


def test_it_says_why_in_the_entry_form(officer, fund, past, login, edit_url):
    approve(past)
    row = {"fund_id": fund.pk, "name": "Quỹ Hai", "kind": "named", "balance": "2.000"}
    response = login(officer).post(edit_url(), form_data(funds=[row]))
    assert REFUSED in response.content.decode()
    assert _stored(fund) == ("Quỹ Một", "named")


# --- the admin ----------------------------------------------------------------------------------------


def _fund_admin_data(fund, **changes) -> dict:
    data = {
        "association": fund.association_id,
        "name": fund.name,
        "kind": fund.kind,
        "notes": fund.notes,
        "balances-TOTAL_FORMS": "2",
        "balances-INITIAL_FORMS": "2",
        "balances-MIN_NUM_FORMS": "0",
        "balances-MAX_NUM_FORMS": "1000",
    }
    for i, balance in enumerate(fund.balances.order_by("year")):
        data |= {
            f"balances-{i}-id": balance.pk,
            f"balances-{i}-fund": fund.pk,
            f"balances-{i}-year": balance.year,
            f"balances-{i}-balance": balance.balance,
        }
    return data | changes


@pytest.mark.parametrize("changes", [{"name": "Quỹ Hai"}, {"kind": "clan"}])
def test_it_refuses_the_admin_renaming_a_fund_of_an_approved_year(changes, fund, past, superuser, login):
    approve(past)
    url = reverse("admin:funds_fund_change", args=[fund.pk])
    response = login(superuser).post(url, _fund_admin_data(fund, **changes))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert _stored(fund) == ("Quỹ Một", "named")


def test_it_lets_the_admin_change_a_fund_notes_in_an_approved_year(fund, past, superuser, login):
    approve(past)
    url = reverse("admin:funds_fund_change", args=[fund.pk])
    assert login(superuser).post(url, _fund_admin_data(fund, notes="Ghi chú")).status_code == 302
    assert Fund.objects.get(pk=fund.pk).notes == "Ghi chú"


def test_it_lets_the_admin_rename_a_fund_while_no_year_is_approved(fund, past, superuser, login):
    url = reverse("admin:funds_fund_change", args=[fund.pk])
    assert login(superuser).post(url, _fund_admin_data(fund, name="Quỹ Hai")).status_code == 302
    assert _stored(fund) == ("Quỹ Hai", "named")


# --- the import -------------------------------------------------------------------------------------


def _fund_file(node, fund_name, kind, balance, year=YEAR) -> bytes:
    return xlsx(
        [[node.code, tier_label(node.tier), node.name, year, fund_name, kind, balance]],
        headers=FundBalanceResource.headers(),
    )


def test_it_refuses_an_import_changing_the_kind_of_a_fund_of_an_approved_year(tree, officer, fund, past):
    approve(past)
    content = _fund_file(tree.p1, "Quỹ Một", "Quỹ dòng họ", 2_000)
    preview = imports.import_preview(user=officer, content=content, filename="quy.xlsx")
    assert [(e.line, e.column) for e in preview.errors] == [(2, "Loại quỹ")]
    assert REFUSED in preview.errors[0].message
    assert _stored(fund) == ("Quỹ Một", "named")


def test_it_imports_a_change_of_kind_while_no_year_is_approved(tree, officer, fund, past):
    content = _fund_file(tree.p1, "Quỹ Một", "Quỹ dòng họ", 2_000)
    preview = imports.import_preview(user=officer, content=content, filename="quy.xlsx")
    assert preview.errors == []
    imports.import_confirm(
        user=officer, content=content, filename="quy.xlsx", fingerprint=preview.fingerprint
    )
    assert _stored(fund) == ("Quỹ Một", "clan")


# --- no empty balance rows ------------------------------------------------------------------------


def test_it_keeps_no_row_for_a_fund_of_other_years_left_blank(tree, officer, login, edit_url):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Cũ", kind=Fund.Kind.NAMED)
    FundBalance.objects.create(fund=fund, year=PAST, balance=1_000)
    row = {"fund_id": fund.pk, "name": "Quỹ Cũ", "kind": "named", "balance": ""}
    assert login(officer).post(edit_url(), form_data(funds=[row])).status_code == 302
    assert list(fund.balances.values_list("year", flat=True)) == [PAST]


def test_it_records_a_new_fund_named_without_a_figure(tree, officer, login, edit_url):
    """The article names funds whose balance it does not give; the year's report lists them."""
    row = {"name": "Quỹ Mới", "kind": "named", "balance": ""}
    assert login(officer).post(edit_url(), form_data(funds=[row])).status_code == 302
    fund = Fund.objects.get(association=tree.p1, name="Quỹ Mới")
    assert list(fund.balances.values_list("year", "balance")) == [(YEAR, None)]


def test_it_keeps_a_cleared_balance_as_named_without_a_figure(officer, fund):
    _save(officer, fund, balance=None)
    assert fund.balances.get(year=YEAR).balance is None
    changed = FundBalance.history.filter(fund_id=fund.pk, year=YEAR).latest("history_id")
    assert (changed.history_type, changed.history_user) == ("~", officer)

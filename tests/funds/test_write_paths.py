"""Every path that writes figures obeys the same rules, because each goes through funds.services:
refused on an approved year, the version bumped, the history naming the writer, an outsider refused.

The paths: the entry form, the admin, the import (preview then confirm) and the service itself,
which the demo loader calls (tests/khuyenhoc/test_demo_loader.py checks its history user).
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from associations.models import RoleKind
from funds import imports, services, workflow
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from tests.conftest import make_user
from tests.funds.test_import_support import row, xlsx

from .conftest import YEAR
from .helpers import form_data

PATHS = ["form", "admin", "import", "service"]
NEW_VALUE = 41_000_000_000


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


def _staff(user):
    """The admin lets in staff with the model permissions; the policy then narrows them to their roles."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="funds"))
    return user


@pytest.fixture
def writer(tree):
    return _staff(make_user("writer", RoleKind.OFFICER, tree.p1))


@pytest.fixture
def intruder(tree):
    """An officer of another province, with the same model permissions."""
    return _staff(make_user("intruder", RoleKind.OFFICER, tree.p2))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _write(path: str, user, annual_return: AnnualReturn) -> bool:
    """Try to set the return's cash to NEW_VALUE through `path`; True when the path says it saved."""
    association, year = annual_return.association, annual_return.year
    if path == "form":
        url = reverse("return_edit", args=[association.pk, year])
        data = form_data(
            version=annual_return.version, population=annual_return.population, mobilised_cash=NEW_VALUE
        )
        return _client(user).post(url, data).status_code == 302
    if path == "admin":
        url = reverse("admin:funds_annualreturn_change", args=[annual_return.pk])
        data = {
            "population": annual_return.population,
            "mobilised_cash": NEW_VALUE,
            "coverage": annual_return.coverage,
            "notes": "",
            "expected_version": annual_return.version,
        }
        response = _client(user).post(url, data)
        # A row outside the user's scope redirects to the admin's index, as for one that does not exist.
        return response.status_code == 302 and response.url == reverse("admin:funds_annualreturn_changelist")
    if path == "import":
        content = xlsx(
            [row(association, year, population=annual_return.population, mobilised_cash=NEW_VALUE)]
        )
        preview = imports.import_preview(user=user, content=content, filename="so-lieu.xlsx")
        try:
            imports.import_confirm(
                user=user, content=content, filename="so-lieu.xlsx", fingerprint=preview.fingerprint
            )
        except (imports.ImportRefused, imports.ImportConflict):
            return False
        return True
    try:
        services.annual_return_save(
            user=user,
            association=association,
            year=year,
            changes=services.ReturnChanges(figures={"mobilised_cash": NEW_VALUE}),
            expected_version=annual_return.version,
        )
    except (PermissionDenied, ValidationError):
        return False
    return True


@pytest.mark.parametrize("path", PATHS)
def test_it_refuses_a_write_to_an_approved_year(path, writer, approved, snapshot):
    before = snapshot()
    assert not _write(path, writer, approved)
    assert snapshot() == before


@pytest.mark.parametrize("path", PATHS)
def test_it_refuses_an_outsider(path, intruder, draft, snapshot):
    before = snapshot()
    assert not _write(path, intruder, draft)
    assert snapshot() == before


@pytest.mark.parametrize("path", PATHS)
def test_it_bumps_the_version(path, writer, draft):
    assert _write(path, writer, draft)
    stored = AnnualReturn.objects.get(pk=draft.pk)
    assert (stored.mobilised_cash, stored.version) == (NEW_VALUE, draft.version + 1)


@pytest.mark.parametrize("path", PATHS)
def test_it_writes_the_history_naming_the_writer(path, writer, draft):
    assert _write(path, writer, draft)
    latest = AnnualReturn.history.filter(id=draft.pk).latest("history_id")
    assert (latest.mobilised_cash, latest.history_user) == (NEW_VALUE, writer)


# The services themselves: each refuses the outsider and the approved year, whoever calls it. These
# are what fail when a check is deleted from funds/services.py, since the pages ask the policy first.

ROW_SERVICES = {
    "row save": lambda user, row: services.figures_row_save(user=user, row=row),
    "row delete": lambda user, row: services.figures_row_delete(user=user, row=row),
}
ROWS = ["balance", "scholarship", "transfer"]


@pytest.mark.parametrize("row_key", ROWS)
@pytest.mark.parametrize("action", ROW_SERVICES)
def test_it_refuses_an_outsider_in_the_row_services(action, row_key, intruder, draft, attachments, snapshot):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        ROW_SERVICES[action](intruder, attachments[row_key])
    assert snapshot() == before


@pytest.mark.parametrize("row_key", ROWS)
@pytest.mark.parametrize("action", ROW_SERVICES)
def test_it_bumps_the_version_from_the_row_services(action, row_key, writer, draft, attachments):
    ROW_SERVICES[action](writer, attachments[row_key])
    assert AnnualReturn.objects.get(pk=draft.pk).version == draft.version + 1


@pytest.mark.parametrize("row_key", ROWS)
def test_it_writes_the_row_history_naming_the_writer(row_key, writer, draft, attachments):
    row_obj = attachments[row_key]
    pk = row_obj.pk
    services.figures_row_delete(user=writer, row=row_obj)
    model = {"balance": FundBalance, "scholarship": Scholarship, "transfer": Transfer}[row_key]
    latest = model.history.filter(id=pk).latest("history_id")
    assert (latest.history_type, latest.history_user) == ("-", writer)


def test_it_refuses_an_outsider_deleting_a_return(intruder, draft, snapshot):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.annual_return_delete(user=intruder, annual_return=draft)
    assert snapshot() == before


def test_it_refuses_deleting_an_approved_return(writer, approved, snapshot):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.annual_return_delete(user=writer, annual_return=approved)
    assert snapshot() == before


def test_it_refuses_an_outsider_deleting_a_fund(intruder, draft, attachments, snapshot):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.fund_delete(user=intruder, fund=attachments["fund"])
    assert snapshot() == before


def test_it_refuses_an_unconfirmed_outlier_in_the_service(writer, draft, make_return):
    make_return(draft.association, YEAR - 1, mobilised_cash=1_000_000_000)
    with pytest.raises(services.OutlierError) as refused:
        services.annual_return_save(
            user=writer,
            association=draft.association,
            year=YEAR,
            changes=services.ReturnChanges(figures={"mobilised_cash": NEW_VALUE}),
            expected_version=draft.version,
        )
    assert [(o.field, o.previous, o.value) for o in refused.value.outliers] == [
        ("mobilised_cash", 1_000_000_000, NEW_VALUE)
    ]
    assert AnnualReturn.objects.get(pk=draft.pk).mobilised_cash == draft.mobilised_cash


def test_it_refuses_a_stale_version_in_the_service(writer, draft):
    with pytest.raises(services.ConflictError):
        services.annual_return_save(
            user=writer,
            association=draft.association,
            year=YEAR,
            changes=services.ReturnChanges(figures={"mobilised_cash": NEW_VALUE}),
            expected_version=draft.version - 1,
        )


def test_it_refuses_an_outsider_in_the_checks_the_admin_forms_run(intruder, draft, attachments):
    with pytest.raises(PermissionDenied):
        services.figures_row_check(user=intruder, row=attachments["scholarship"])
    with pytest.raises(PermissionDenied):
        services.annual_return_check(
            user=intruder, association=draft.association, year=YEAR, expected_version=draft.version
        )


def test_it_refuses_an_outsider_deleting_a_fund_without_balances(intruder, tree):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ trống")
    with pytest.raises(PermissionDenied):
        services.fund_delete(user=intruder, fund=fund)
    assert Fund.objects.filter(pk=fund.pk).exists()


# The workflow's services: the right is theirs to check, and each step bumps the version so that a
# form or a review page opened before it is told.

TRANSITIONS = {
    "submit": (
        AnnualReturn.Status.DRAFT,
        "officer",
        lambda user, r: workflow.annual_return_submit(user=user, annual_return=r),
    ),
    "approve": (
        AnnualReturn.Status.SUBMITTED,
        "reviewer",
        lambda user, r: workflow.annual_return_approve(
            user=user, annual_return=r, expected_version=r.version
        ),
    ),
    "send back": (
        AnnualReturn.Status.SUBMITTED,
        "reviewer",
        lambda user, r: workflow.annual_return_send_back(
            user=user, annual_return=r, reason="Thiếu dân số", expected_version=r.version
        ),
    ),
    "reopen": (
        AnnualReturn.Status.APPROVED,
        "reviewer",
        lambda user, r: workflow.annual_return_reopen(user=user, annual_return=r, reason="Sai dân số"),
    ),
}


@pytest.fixture
def in_status(tree, make_return):
    def _make(status):
        return make_return(tree.p1, population=1_000_000, mobilised_cash=1, status=status)

    return _make


@pytest.mark.parametrize("step", TRANSITIONS)
def test_it_refuses_a_workflow_step_to_an_outsider(step, in_status, outsider, snapshot):
    status, _role, act = TRANSITIONS[step]
    annual_return = in_status(status)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        act(outsider, annual_return)
    assert snapshot() == before


@pytest.mark.parametrize("step", TRANSITIONS)
def test_it_bumps_the_version_and_names_the_user_at_each_workflow_step(step, in_status, request):
    status, role, act = TRANSITIONS[step]
    annual_return = in_status(status)
    user = request.getfixturevalue(role)
    act(user, annual_return)
    latest = AnnualReturn.history.filter(id=annual_return.pk).latest("history_id")
    assert (latest.version, latest.history_user) == (annual_return.version + 1, user)
    assert AnnualReturn.objects.get(pk=annual_return.pk).version == annual_return.version + 1


def test_it_tells_the_admin_that_the_return_changed_since_the_page_was_shown(writer, draft, snapshot):
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    data = {"population": 5, "mobilised_cash": NEW_VALUE, "coverage": "own", "notes": ""}
    before = snapshot()
    response = _client(writer).post(url, data | {"expected_version": draft.version - 1})
    assert response.status_code == 200
    assert "Có người khác vừa lưu báo cáo này" in response.content.decode()
    assert snapshot() == before


# The approval paths: one return, the review list's bulk approval, a province's approval from the
# completeness page. Each carries the version seen and ends in funds/workflow.py.

APPROVALS = ["approve", "bulk approve", "province approve"]


def _approve(path: str, user, annual_return: AnnualReturn) -> None:
    client = _client(user)
    seen = f"{annual_return.pk}:{annual_return.version}"
    if path == "approve":
        client.post(reverse("return_approve", args=[annual_return.pk]), {"version": annual_return.version})
    elif path == "bulk approve":
        client.post(reverse("review_list") + f"?nam={annual_return.year}", {"returns": seen})
    else:
        url = reverse("completeness_approve", args=[annual_return.association_id])
        client.post(url, {"nam": annual_return.year, "seen": seen})


@pytest.fixture
def other_reviewer(tree):
    """A reviewer of the other cluster."""
    return make_user("other_reviewer", RoleKind.REVIEWER, tree.cluster_b)


@pytest.mark.parametrize("path", APPROVALS)
def test_it_approves_nothing_in_an_approved_year(path, reviewer, approved, snapshot):
    before = snapshot()
    _approve(path, reviewer, approved)
    assert snapshot() == before


@pytest.mark.parametrize("path", APPROVALS)
def test_it_refuses_an_approval_by_an_outsider(path, other_reviewer, submitted, snapshot):
    before = snapshot()
    _approve(path, other_reviewer, submitted)
    assert snapshot() == before


@pytest.mark.parametrize("path", APPROVALS)
def test_it_bumps_the_version_and_names_the_reviewer_on_approval(path, reviewer, submitted):
    _approve(path, reviewer, submitted)
    stored = AnnualReturn.objects.get(pk=submitted.pk)
    assert (stored.status, stored.version) == (AnnualReturn.Status.APPROVED, submitted.version + 1)
    latest = AnnualReturn.history.filter(id=submitted.pk).latest("history_id")
    assert (latest.status, latest.history_user) == (AnnualReturn.Status.APPROVED, reviewer)


@pytest.mark.parametrize("path", APPROVALS)
def test_it_refuses_approving_a_version_not_seen(path, reviewer, submitted, snapshot):
    seen_before = AnnualReturn.objects.get(pk=submitted.pk)
    AnnualReturn.objects.filter(pk=submitted.pk).update(mobilised_cash=1, version=submitted.version + 1)
    before = snapshot()
    _approve(path, reviewer, seen_before)
    assert snapshot() == before

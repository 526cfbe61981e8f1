"""Importing yearly figures from a spreadsheet: preview, confirm, scope, locks, history, pages."""

import os
import pathlib
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from associations.models import Tier
from associations.services import association_create
from funds import imports, services, workflow
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship
from funds.spreadsheets.cells import tier_label
from funds.spreadsheets.resources import FundBalanceResource, ScholarshipResource
from tests.funds.test_import_support import YEAR, csv_bytes, db_state, read_xlsx, row, xlsx


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


def _return(node, year=YEAR, **values):
    if values.get("status") == AnnualReturn.Status.APPROVED:
        values.setdefault("approved_at", timezone.now())
    return AnnualReturn.objects.create(association=node, year=year, **values)


def _preview(user, content, filename="so-lieu.xlsx"):
    return imports.import_preview(user=user, content=content, filename=filename)


def _confirm(user, content, filename="so-lieu.xlsx"):
    preview = _preview(user, content, filename)
    assert preview.errors == []
    return imports.import_confirm(
        user=user, content=content, filename=filename, fingerprint=preview.fingerprint
    )


# --- the service --------------------------------------------------------------------------------


def test_it_previews_each_row_as_new_changed_or_unchanged(tree, officer):
    _return(tree.d1, population=5000, mobilised_cash=1_000_000)
    _return(tree.c1, mobilised_cash=2_000_000)
    content = xlsx(
        [
            row(tree.d1, population=5000, mobilised_cash=1_500_000),
            row(tree.c1, mobilised_cash=2_000_000),
            row(tree.c2, mobilised_cash=300_000, notes="Mới lập"),
        ]
    )
    preview = _preview(officer, content)
    assert preview.errors == []
    assert [(r.line, r.code, r.status) for r in preview.rows] == [
        (2, "D1", "changed"),
        (3, "C1", "unchanged"),
        (4, "C2", "new"),
    ]
    changed = preview.rows[0].changes
    assert [(c.column, c.old, c.new) for c in changed] == [("Vận động bằng tiền", 1_000_000, 1_500_000)]
    assert (changed[0].old_text, changed[0].new_text) == ("1.000.000", "1.500.000")
    assert preview.rows[0].name == tree.d1.name


def test_it_writes_nothing_on_preview(tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000)
    before = db_state()
    _preview(officer, xlsx([row(tree.d1, mobilised_cash=9), row(tree.c1, mobilised_cash=5)]))
    assert db_state() == before


def test_it_writes_every_row_on_confirm(tree, officer):
    _return(tree.d1, population=5000, mobilised_cash=1_000_000)
    content = xlsx([row(tree.d1, population=5000, mobilised_cash=1_500_000), row(tree.c1, awards_paid=7)])
    preview = _confirm(officer, content)
    assert (preview.new, preview.changed, preview.unchanged) == (1, 1, 0)
    d1 = AnnualReturn.objects.get(association=tree.d1, year=YEAR)
    assert (d1.population, d1.mobilised_cash, d1.status) == (5000, 1_500_000, "draft")
    c1 = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert (c1.awards_paid, c1.mobilised_cash, c1.version) == (7, None, 1)


def test_it_records_each_change_in_history_with_the_importing_user(tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000)
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=2_000_000), row(tree.c1, mobilised_cash=3)]))
    d1 = AnnualReturn.history.filter(association=tree.d1, year=YEAR).latest("history_id")
    assert (d1.history_type, d1.history_user, d1.mobilised_cash) == ("~", officer, 2_000_000)
    c1 = AnnualReturn.history.get(association=tree.c1, year=YEAR)
    assert (c1.history_type, c1.history_user) == ("+", officer)


def test_it_shows_the_import_on_the_history_page(client, tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000)
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=2_000_000)]))
    client.force_login(officer)
    body = client.get(reverse("return_history", args=[tree.d1.pk, YEAR])).content.decode()
    assert "officer" in body and "2.000.000" in body and "1.000.000" in body


def test_it_bumps_the_version_so_an_open_form_sees_a_conflict(tree, officer):
    loaded = _return(tree.d1, mobilised_cash=1_000_000)
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=2_000_000)]))
    loaded.refresh_from_db()
    assert loaded.version == 2
    with pytest.raises(services.ConflictError):
        services.annual_return_save(
            user=officer,
            association=tree.d1,
            year=YEAR,
            changes=services.ReturnChanges(figures={"mobilised_cash": 5}),
            expected_version=1,
        )


def test_it_leaves_unchanged_rows_and_their_version_alone(tree, officer):
    kept = _return(tree.d1, mobilised_cash=1_000_000)
    history = AnnualReturn.history.filter(association=tree.d1).count()
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=1_000_000), row(tree.c1, mobilised_cash=1)]))
    kept.refresh_from_db()
    assert kept.version == 1
    assert AnnualReturn.history.filter(association=tree.d1).count() == history


def test_it_creates_nothing_for_a_template_row_left_blank(tree, officer):
    preview = _preview(officer, xlsx([row(tree.c1), row(tree.c2, mobilised_cash=1)]))
    assert [r.status for r in preview.rows] == ["unchanged", "new"]


def test_it_clears_a_figure_whose_cell_was_emptied(tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000, facilities=5)
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=1_000_000)]))
    assert AnnualReturn.objects.get(association=tree.d1).facilities is None


# --- scope and locks ----------------------------------------------------------------------------


def test_it_refuses_a_row_outside_the_officers_subtree_naming_the_row(tree, officer):
    before = db_state()
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=1), row(tree.c4, mobilised_cash=2)]))
    assert [(e.line, e.column) for e in preview.errors] == [(3, "Mã")]
    assert "ngoài phạm vi" in preview.errors[0].message
    assert not preview.ok
    with pytest.raises(imports.ImportRefused):
        imports.import_confirm(
            user=officer, content=xlsx([row(tree.c4, mobilised_cash=2)]), filename="a.xlsx", fingerprint=""
        )
    assert db_state() == before


def test_it_refuses_every_row_for_an_outsider(tree, outsider):
    preview = _preview(outsider, xlsx([row(tree.c1, mobilised_cash=1), row(tree.p1, mobilised_cash=2)]))
    assert [e.line for e in preview.errors] == [2, 3]
    assert preview.rows == []


def test_it_refuses_a_row_changing_an_approved_return(tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000, status=AnnualReturn.Status.APPROVED)
    before = db_state()
    content = xlsx([row(tree.c1, mobilised_cash=5), row(tree.d1, mobilised_cash=2_000_000)])
    preview = _preview(officer, content)
    assert [(e.line, e.column) for e in preview.errors] == [(3, "Vận động bằng tiền")]
    assert "đã được duyệt" in preview.errors[0].message
    with pytest.raises(imports.ImportRefused):
        imports.import_confirm(
            user=officer, content=content, filename="a.xlsx", fingerprint=preview.fingerprint
        )
    assert db_state() == before


def test_it_accepts_an_approved_return_left_unchanged(tree, officer):
    _return(tree.d1, mobilised_cash=1_000_000, status=AnnualReturn.Status.APPROVED)
    preview = _confirm(
        officer, xlsx([row(tree.d1, mobilised_cash=1_000_000), row(tree.c1, mobilised_cash=5)])
    )
    assert [r.status for r in preview.rows] == ["unchanged", "new"]


def test_it_writes_nothing_when_a_return_is_approved_between_preview_and_confirm(tree, officer, reviewer):
    submitted = _return(tree.d1, mobilised_cash=1, status=AnnualReturn.Status.SUBMITTED)
    content = xlsx([row(tree.c1, mobilised_cash=5), row(tree.d1, mobilised_cash=2)])
    preview = _preview(officer, content)
    assert preview.ok
    workflow.annual_return_approve(user=reviewer, annual_return=submitted, expected_version=submitted.version)
    before = db_state()
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_confirm(
            user=officer, content=content, filename="a.xlsx", fingerprint=preview.fingerprint
        )
    assert [e.line for e in refused.value.preview.errors] == [3]
    assert db_state() == before


def test_it_reports_a_conflict_when_figures_changed_after_the_preview(tree, officer, reviewer):
    _return(tree.d1, mobilised_cash=1)
    content = xlsx([row(tree.d1, mobilised_cash=2)])
    preview = _preview(officer, content)
    services.annual_return_save(
        user=officer,
        association=tree.d1,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 7}),
        expected_version=1,
    )
    before = db_state()
    with pytest.raises(imports.ImportConflict) as conflict:
        imports.import_confirm(
            user=officer, content=content, filename="a.xlsx", fingerprint=preview.fingerprint
        )
    assert [(c.old, c.new) for c in conflict.value.preview.rows[0].changes] == [(7, 2)]
    assert db_state() == before


# --- how rows name their association ------------------------------------------------------------


def test_it_resolves_a_reused_code_by_the_year(tree, officer):
    old = association_create(
        tier=Tier.COMMUNE, name="Xã Cũ", short_name="Cũ", code="C9", parent=tree.d1, active_until=2024
    )
    new = association_create(
        tier=Tier.COMMUNE, name="Xã Mới", short_name="Mới", code="C9", parent=tree.p1, active_from=2025
    )
    content = xlsx([row(old, 2024, mobilised_cash=1), row(new, 2025, mobilised_cash=2)])
    _confirm(officer, content)
    assert AnnualReturn.objects.get(association=old).year == 2024
    assert AnnualReturn.objects.get(association=new).year == 2025


def test_it_refuses_a_code_not_active_in_the_rows_year(tree, officer):
    gone = association_create(
        tier=Tier.COMMUNE, name="Xã Cũ", short_name="Cũ", code="C9", parent=tree.d1, active_until=2020
    )
    preview = _preview(officer, xlsx([row(gone, YEAR, mobilised_cash=1)]))
    assert [(e.line, e.column) for e in preview.errors] == [(2, "Mã")]
    assert "C9" in preview.errors[0].message and "2023" in preview.errors[0].message


def test_it_restores_the_leading_zeros_of_a_code_typed_as_a_number(tree, officer):
    commune = association_create(
        tier=Tier.COMMUNE, name="Xã Số", short_name="Số", code="00712", parent=tree.d1
    )
    values = row(commune, mobilised_cash=1)
    values[0] = 712
    preview = _preview(officer, xlsx([values]))
    assert preview.errors == [] and preview.rows[0].code == "00712"


def test_it_reads_the_tier_written_loosely(tree, officer):
    values = row(tree.c1, mobilised_cash=1)
    values[1] = "xa"
    assert _preview(officer, xlsx([values])).errors == []


def test_it_reads_a_csv_with_semicolons_and_grouped_numbers(tree, officer):
    content = csv_bytes([row(tree.c1, mobilised_cash="43.200.000.000", population="1 000")], delimiter=";")
    preview = _preview(officer, content, "so-lieu.csv")
    assert preview.errors == []
    assert [(c.column, c.new) for c in preview.rows[0].changes] == [
        ("Dân số", 1000),
        ("Vận động bằng tiền", 43_200_000_000),
    ]


def test_it_reads_whole_numbers_stored_as_decimals_by_excel(tree, officer):
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=1200.0)]))
    assert preview.errors == [] and preview.rows[0].changes[0].new == 1200


MISSING_UNIT = (
    "“10,939” có phần thập phân nhưng không có đơn vị (nghìn, triệu, tỷ). "
    "Có phải ý bạn là “10,939 tỷ” = 10.939.000.000 đồng? Nếu là số nguyên, hãy viết 10.939."
)


@pytest.mark.parametrize(
    ("make", "filename"), [(xlsx, "so-lieu.xlsx"), (csv_bytes, "so-lieu.csv")], ids=["xlsx", "csv"]
)
def test_it_refuses_a_bare_decimal_comma_suggesting_its_unit(tree, officer, make, filename):
    before = db_state()
    content = make([row(tree.c1, mobilised_cash=1), row(tree.c2, mobilised_cash="10,939")])
    preview = _preview(officer, content, filename)
    assert [(e.line, e.column, e.message) for e in preview.errors] == [
        (3, "Vận động bằng tiền", MISSING_UNIT)
    ]
    assert db_state() == before


@pytest.mark.parametrize(
    ("make", "filename"), [(xlsx, "so-lieu.xlsx"), (csv_bytes, "so-lieu.csv")], ids=["xlsx", "csv"]
)
def test_it_imports_an_amount_written_with_its_unit(tree, officer, make, filename):
    content = make(
        [row(tree.c1, mobilised_cash="43,2 tỷ", fund_balance="10,939 tỉ đồng", facilities="50 triệu")]
    )
    _confirm(officer, content, filename)
    saved = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert (saved.mobilised_cash, saved.fund_balance, saved.facilities) == (
        43_200_000_000,
        10_939_000_000,
        50_000_000,
    )


def test_it_refuses_a_decimal_number_cell_as_the_same_missing_unit(tree, officer):
    # What Excel set to Vietnamese stores when "10,939" is typed into a cell.
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=10.939)]))
    assert [(e.line, e.message) for e in preview.errors] == [(2, MISSING_UNIT)]


def test_it_reads_whole_number_cells_stored_as_floats(tree, officer):
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=43_200_000_000.0)]))
    assert preview.errors == [] and preview.rows[0].changes[0].new == 43_200_000_000


def test_it_reads_files_the_vietnamese_way_on_english_pages(tree, officer):
    content = xlsx([row(tree.c1, mobilised_cash="43,2 tỷ"), row(tree.c2, mobilised_cash="10,939")])
    with translation.override("en"):
        preview = _preview(officer, content)
    assert preview.rows[0].changes[0].new == 43_200_000_000
    assert [(e.line, e.message) for e in preview.errors] == [
        (
            3,
            "“10,939” has decimals but no unit (nghìn, triệu, tỷ). "
            "Did you mean “10,939 tỷ” = 10.939.000.000 đ? If it is a whole number, write 10.939.",
        )
    ]


def test_it_skips_blank_lines_but_keeps_the_spreadsheet_row_numbers(tree, officer):
    content = xlsx([row(tree.c1, mobilised_cash=1), [None] * 11, row(tree.c2, mobilised_cash=-1)])
    preview = _preview(officer, content)
    assert [e.line for e in preview.errors] == [4]


# --- fund balances and scholarships -------------------------------------------------------------


def _fund_row(node, fund, kind="Quỹ mang tên", balance=None, year=YEAR):
    return [node.code, tier_label(node.tier), node.name, year, fund, kind, balance]


def test_it_imports_fund_balances_creating_missing_funds(tree, officer):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Một", kind=Fund.Kind.NAMED)
    FundBalance.objects.create(fund=fund, year=YEAR, balance=100)
    headers = FundBalanceResource.headers()
    content = xlsx(
        [_fund_row(tree.p1, "Quỹ Một", balance=150), _fund_row(tree.c1, "Quỹ dòng họ Lê", "Quỹ dòng họ", 70)],
        headers=headers,
    )
    preview = _confirm(officer, content)
    assert preview.kind == "funds"
    assert [r.status for r in preview.rows] == ["changed", "new"]
    assert FundBalance.objects.get(fund=fund, year=YEAR).balance == 150
    clan = Fund.objects.get(association=tree.c1)
    assert (clan.name, clan.kind, clan.balances.get().balance) == ("Quỹ dòng họ Lê", "clan", 70)
    assert Fund.history.get(id=clan.pk).history_user == officer
    assert FundBalance.history.filter(fund=fund).latest("history_id").history_user == officer


def test_it_refuses_a_fund_balance_of_an_approved_year(tree, officer):
    _return(tree.c1, status=AnnualReturn.Status.APPROVED)
    before = db_state()
    content = xlsx([_fund_row(tree.c1, "Quỹ Mới", balance=1)], headers=FundBalanceResource.headers())
    preview = _preview(officer, content)
    assert [(e.line, e.column) for e in preview.errors] == [(2, "Số dư cuối năm")]
    assert db_state() == before


def test_it_bumps_the_return_version_when_a_scholarship_changes(tree, officer):
    annual_return = _return(tree.c1, mobilised_cash=1)
    headers = ScholarshipResource.headers()
    values = [
        tree.c1.code,
        "Xã/phường",
        tree.c1.name,
        YEAR,
        "Học bổng Ánh Dương",
        "Công ty A",
        10,
        5_000_000,
        "Không",
        "Có",
    ]
    preview = _confirm(officer, xlsx([values], headers=headers))
    assert preview.kind == "scholarships" and preview.new == 1
    scholarship = Scholarship.objects.get(association=tree.c1)
    assert (scholarship.awards, scholarship.total_value, scholarship.abroad) == (10, 5_000_000, True)
    annual_return.refresh_from_db()
    assert annual_return.version == 2


# --- queries ------------------------------------------------------------------------------------


def _queries(user, content) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        preview = _preview(user, content)
    assert preview.errors == []
    return [q["sql"] for q in queries.captured_queries]


def test_it_reads_a_file_in_a_fixed_number_of_queries(tree, officer):
    nodes = [tree.p1, tree.d1, tree.c1, tree.c2, tree.c3]
    for node in nodes[:2]:
        _return(node, mobilised_cash=1)
    small = _queries(officer, xlsx([row(tree.c1, mobilised_cash=1)]))
    large = _queries(officer, xlsx([row(n, mobilised_cash=2) for n in nodes]))
    assert len(small) == len(large)
    # The associations named by the file's codes; those of them the user may edit; their returns;
    # their returns of the year before (the outlier rule). No transaction: the preview writes nothing.
    assert [q.split()[0] for q in large] == ["SELECT", "SELECT", "SELECT", "SELECT"]


def test_it_writes_in_a_fixed_number_of_queries(tree, officer):
    nodes = [tree.p1, tree.d1, tree.c1, tree.c2, tree.c3]
    for node in nodes[:2]:
        _return(node, mobilised_cash=1)
    content = xlsx([row(n, mobilised_cash=2) for n in nodes])
    preview = _preview(officer, content)
    with CaptureQueriesContext(connection) as queries:
        imports.import_confirm(
            user=officer, content=content, filename="a.xlsx", fingerprint=preview.fingerprint
        )
    # The three reads, then: insert returns, insert their history, update returns, insert their
    # history, and the year's data version's bump (INSERT of a missing counter, UPDATE).
    writes = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) == 6


# --- the pages ----------------------------------------------------------------------------------


def _upload(client, content, name="so-lieu.xlsx"):
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_it_shows_the_upload_page_with_the_limit(client, officer):
    client.force_login(officer)
    r = client.get(reverse("import_upload"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Tối đa 5 MB" in body
    assert reverse("import_template") in body


def test_it_links_the_import_page_from_the_menu(client, officer):
    client.force_login(officer)
    assert reverse("import_upload") in client.get(reverse("home")).content.decode()


def test_it_offers_a_viewer_the_downloads_only(client, tree, viewer):
    client.force_login(viewer)
    r = client.get(reverse("import_upload"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "chỉ có quyền xem" in body and reverse("export_returns", args=["xlsx"]) in body
    assert 'type="file"' not in body and reverse("import_template") not in body


def test_it_sends_anonymous_users_to_login(client, tree):
    r = client.get(reverse("import_upload"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_forbids_a_viewer_to_upload_or_confirm(client, tree, viewer):
    client.force_login(viewer)
    assert _upload(client, xlsx([row(tree.c1, mobilised_cash=1)])).status_code == 403
    assert client.post(reverse("import_confirm"), {"token": "x"}).status_code == 403
    assert client.get(reverse("import_template")).status_code == 403
    assert not AnnualReturn.objects.exists()


def test_it_previews_then_confirms_through_the_pages(client, tree, officer, settings):
    client.force_login(officer)
    r = _upload(client, xlsx([row(tree.c1, mobilised_cash=1_500_000)]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Xem trước" in body and "1.500.000" in body and "Xác nhận nhập" in body
    assert not AnnualReturn.objects.exists()
    token = client.session["funds_import"]["token"]
    r = client.post(reverse("import_confirm"), {"token": token}, follow=True)
    assert "Đã nhập tệp" in r.content.decode()
    assert AnnualReturn.objects.get(association=tree.c1).mobilised_cash == 1_500_000
    assert "funds_import" not in client.session
    assert list(pathlib.Path(settings.IMPORT_STASH_DIR).iterdir()) == []


def test_it_keeps_only_a_token_in_the_session(client, tree, officer):
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    info = client.session["funds_import"]
    assert set(info) == {"token", "name", "sha256", "job"}


def test_it_removes_the_files_of_previews_older_than_a_day(client, tree, officer, settings):
    stash = pathlib.Path(settings.IMPORT_STASH_DIR)
    stash.mkdir(parents=True)
    old, recent = stash / ("a" * 32), stash / ("b" * 32)
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 24 * 3600,) * 2)
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    assert not old.exists() and recent.exists()
    assert (stash / client.session["funds_import"]["token"]).stat().st_mode & 0o777 == 0o600


def test_it_keeps_the_file_in_the_configured_storage(client, tree, officer, settings):
    # Several application servers share a storage (S3 through django-storages, say).
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    assert not pathlib.Path(settings.IMPORT_STASH_DIR).exists()
    r = client.post(reverse("import_confirm"), {"token": client.session["funds_import"]["token"]})
    assert r.status_code == 302
    assert AnnualReturn.objects.get(association=tree.c1).mobilised_cash == 1


def test_it_refuses_a_confirmation_with_another_token(client, tree, officer):
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    r = client.post(reverse("import_confirm"), {"token": "0" * 32}, follow=True)
    assert "Không còn tệp đang chờ xác nhận" in r.content.decode()
    assert not AnnualReturn.objects.exists()


def test_it_cancels_and_forgets_the_file(client, tree, officer, settings):
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    token = client.session["funds_import"]["token"]
    client.post(reverse("import_cancel"))
    assert client.post(reverse("import_confirm"), {"token": token}).status_code == 302
    assert not AnnualReturn.objects.exists()


def test_it_shows_errors_and_offers_no_confirmation(client, tree, officer):
    client.force_login(officer)
    r = _upload(client, xlsx([row(tree.c1, mobilised_cash=1), row(tree.c4, mobilised_cash="abc")]))
    body = r.content.decode()
    assert "Không thể nhập tệp này" in body and "ngoài phạm vi" in body and "“abc”" in body
    assert "Xác nhận nhập" not in body
    assert "funds_import" not in client.session


def test_it_shows_the_new_preview_after_a_conflict(client, tree, officer):
    _return(tree.c1, mobilised_cash=1)
    client.force_login(officer)
    _upload(client, xlsx([row(tree.c1, mobilised_cash=2)]))
    AnnualReturn.objects.filter(association=tree.c1).update(mobilised_cash=3, version=2)
    r = client.post(
        reverse("import_confirm"), {"token": client.session["funds_import"]["token"]}, follow=True
    )
    assert r.status_code == 409
    assert "người khác thay đổi" in r.content.decode()
    assert AnnualReturn.objects.get(association=tree.c1).mobilised_cash == 3
    r = client.post(reverse("import_confirm"), {"token": client.session["funds_import"]["token"]})
    assert r.status_code == 302
    assert AnnualReturn.objects.get(association=tree.c1).mobilised_cash == 2


def test_it_downloads_a_template_of_the_officers_subtree(client, tree, officer):
    _return(tree.c1, mobilised_cash=1_234)
    client.force_login(officer)
    r = client.get(reverse("import_template"), {"nam": YEAR})
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="mau-so-lieu-{YEAR}.xlsx"'
    rows = read_xlsx(r.content)
    assert rows[0][:4] == ["Mã", "Cấp", "Tên hội", "Năm"]
    assert [r[0] for r in rows[1:]] == ["P1", "D1", "C1", "C2", "C3"]
    assert rows[3][5] == 1_234


# --- the demo, as a new user tries it -----------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_three_districts_for_hagiang_and_refuses_lao_cai(client, demo):
    from django.contrib.auth import get_user_model

    from associations.models import Association

    client.force_login(get_user_model().objects.get(username="hagiang"))
    template = read_xlsx(client.get(reverse("import_template"), {"nam": 2023}).content)
    headers, lines = template[0], template[1:]
    districts = [values for values in lines if values[1] == "Huyện/quận"][:3]
    assert len(districts) == 3
    for i, values in enumerate(districts):
        values[headers.index("Dân số")] = 50_000 + i
        values[headers.index("Vận động bằng tiền")] = 1_000_000_000 * (i + 1)
    r = _upload(client, xlsx([headers, *districts], headers=None))
    assert r.status_code == 200 and r.content.decode().count("Mới") >= 3
    r = client.post(reverse("import_confirm"), {"token": client.session["funds_import"]["token"]})
    assert r.status_code == 302
    first = Association.objects.active_in(2023).get(tier=Tier.DISTRICT, code=districts[0][0])
    assert AnnualReturn.objects.get(association=first, year=2023).mobilised_cash == 1_000_000_000
    page = client.get(reverse("association_detail", args=[first.pk]), {"nam": 2023}).content.decode()
    assert "1 tỷ đồng" in page
    history = client.get(reverse("return_history", args=[first.pk, 2023])).content.decode()
    assert "hagiang" in history

    lao_cai = Association.objects.active_in(2023).get(tier=Tier.PROVINCE, code="10")
    commune = lao_cai.get_descendants().filter(tier=Tier.COMMUNE).first()
    r = _upload(client, xlsx([headers, districts[0], row(commune, 2023, mobilised_cash=5)], headers=None))
    body = r.content.decode()
    assert "Không thể nhập tệp này" in body and "ngoài phạm vi" in body and f"“{commune.code}”" in body
    assert f"“{commune.name}”" in body
    assert "Xác nhận nhập" not in body
    assert not AnnualReturn.objects.filter(association=commune).exists()

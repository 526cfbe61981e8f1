"""Exports and templates: the user's subtree only, neutralised text, and round trips that change nothing."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from associations.models import Association, Tier
from associations.services import association_create
from funds import catalogue, imports
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship
from funds.spreadsheets.exports import export_file
from tests.funds.test_import_support import YEAR, db_state, read_xlsx


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def figures(tree):
    """Returns in P1's subtree (one approved) and in P2's, a fund with a balance and a scholarship."""
    AnnualReturn.objects.create(
        association=tree.p1, year=YEAR, population=1_000_000, mobilised_cash=43_200_000_000, notes="Tỉnh"
    )
    AnnualReturn.objects.create(
        association=tree.d1,
        year=YEAR,
        mobilised_cash=5_000_000,
        status=AnnualReturn.Status.APPROVED,
        approved_at=timezone.now(),
    )
    AnnualReturn.objects.create(association=tree.c1, year=YEAR, mobilised_in_kind=7, notes="=1+1")
    AnnualReturn.objects.create(association=tree.c4, year=YEAR, mobilised_cash=999)
    fund = Fund.objects.create(association=tree.p1, name="@Quỹ Một", kind=Fund.Kind.SCHOLARSHIP)
    FundBalance.objects.create(fund=fund, year=YEAR, balance=1_500_000)
    Fund.objects.create(association=tree.c1, name="Quỹ dòng họ Lê", kind=Fund.Kind.CLAN)
    Scholarship.objects.create(
        association=tree.c2, year=YEAR, programme="+Học bổng", donor="-Công ty", awards=3, total_value=9
    )


def _get(client, name, fmt="xlsx", **params):
    return client.get(reverse(name, args=[fmt]), {"nam": YEAR, **params})


def _codes(content: bytes) -> list[str]:
    return [r[0] for r in read_xlsx(content)[1:]]


# --- who sees what ------------------------------------------------------------------------------


def test_it_exports_only_the_officers_subtree(client, tree, officer, figures):
    client.force_login(officer)
    r = _get(client, "export_returns")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="so-lieu-{YEAR}.xlsx"'
    assert _codes(r.content) == ["P1", "D1", "C1", "C2", "C3"]


def test_it_lets_a_viewer_export(client, tree, viewer, figures):
    client.force_login(viewer)
    assert _codes(_get(client, "export_returns").content) == ["P1", "D1", "C1", "C2", "C3"]


def test_it_exports_another_province_for_an_outsider(client, tree, outsider, figures):
    client.force_login(outsider)
    rows = read_xlsx(_get(client, "export_returns").content)
    assert [r[0] for r in rows[1:]] == ["P2", "D2", "C4"]
    assert 43_200_000_000 not in [v for r in rows for v in r]


def test_it_answers_404_for_a_subtree_outside_the_users(client, tree, outsider, figures):
    client.force_login(outsider)
    assert _get(client, "export_returns", hoi=tree.p1.pk).status_code == 404


def test_it_narrows_the_export_to_one_node(client, tree, reviewer, figures):
    client.force_login(reviewer)
    assert _codes(_get(client, "export_returns", hoi=tree.d1.pk).content) == ["D1", "C1", "C2"]


def test_it_sends_anonymous_users_to_login(client, tree):
    r = _get(client, "export_returns")
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_answers_404_for_an_unknown_format(client, officer):
    client.force_login(officer)
    assert _get(client, "export_returns", fmt="pdf").status_code == 404


def test_it_answers_404_for_an_unknown_template_kind(client, officer):
    client.force_login(officer)
    assert client.get(reverse("import_template"), {"loai": "transfers"}).status_code == 404


def test_it_leaves_out_associations_inactive_that_year(client, tree, officer):
    association_create(
        tier=Tier.COMMUNE, name="Xã Cũ", short_name="Cũ", code="C9", parent=tree.d1, active_until=2020
    )
    client.force_login(officer)
    assert "C9" not in _codes(_get(client, "export_returns").content)


# --- what the files hold ------------------------------------------------------------------------


def test_it_writes_numbers_as_numbers_and_codes_as_text(client, tree, officer, figures):
    client.force_login(officer)
    sheet = load_workbook(io.BytesIO(_get(client, "export_returns").content)).worksheets[0]
    assert sheet["F2"].value == 43_200_000_000 and sheet["F2"].data_type == "n"
    assert sheet["F2"].number_format == "#,##0"
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet.freeze_panes == "A2"
    assert sheet["E3"].value is None


def test_it_writes_csv_in_utf8_with_a_byte_order_mark(client, tree, officer, figures):
    client.force_login(officer)
    r = _get(client, "export_returns", fmt="csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content.startswith("\ufeff".encode())
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã,Cấp,Tên hội,Năm,Dân số,Vận động bằng tiền")
    # The figures after cash are blank: one comma each (the catalogue's figures, population first).
    blanks = "," * (len(catalogue.columns()) - 1)
    assert lines[1] == f"P1,Tỉnh/thành phố,Hội Khuyến học tỉnh Một,2023,1000000,43200000000{blanks}riêng,Tỉnh"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_it_neutralises_text_that_would_run_as_a_formula(client, tree, officer, prefix):
    association_create(
        tier=Tier.COMMUNE, name=f"{prefix}cmd|' /C calc'!A0", short_name="Độc", code="C9", parent=tree.d1
    )
    AnnualReturn.objects.create(association=tree.c1, year=YEAR, notes=f'{prefix}HYPERLINK("http://x")')
    client.force_login(officer)
    sheet = load_workbook(io.BytesIO(_get(client, "export_returns").content)).worksheets[0]
    cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and prefix in c.value]
    assert {c.value[0] for c in cells} == {"'"}
    assert {c.data_type for c in cells} == {"s"}
    body = _get(client, "export_returns", fmt="csv").content.decode("utf-8-sig")
    cells = [v for r in csv.reader(io.StringIO(body)) for v in r if prefix in v and "'" in v]
    assert {v[:2] for v in cells} == {"'" + prefix}
    assert len(cells) == 2


def test_it_neutralises_fund_and_scholarship_text(client, tree, officer, figures):
    client.force_login(officer)
    funds = read_xlsx(_get(client, "export_fund_balances").content)
    assert [
        "P1",
        "Tỉnh/thành phố",
        "Hội Khuyến học tỉnh Một",
        YEAR,
        "'@Quỹ Một",
        "Quỹ học bổng",
        1_500_000,
    ] in funds
    scholarships = read_xlsx(_get(client, "export_scholarships").content)
    assert scholarships[1][4:] == ["'+Học bổng", "'-Công ty", 3, 9, "Không", "Không"]


def test_it_fills_the_template_with_current_figures(client, tree, officer, figures):
    client.force_login(officer)
    rows = read_xlsx(client.get(reverse("import_template"), {"nam": YEAR}).content)
    assert rows[1][:6] == ["P1", "Tỉnh/thành phố", "Hội Khuyến học tỉnh Một", YEAR, 1_000_000, 43_200_000_000]
    assert rows[4][:6] == ["C2", "Xã/phường", "Hội Khuyến học xã Nam", YEAR, None, None]


def test_it_adds_a_guide_sheet_to_the_template(client, officer):
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(client.get(reverse("import_template")).content))
    assert workbook.sheetnames[1] == "Hướng dẫn"


def test_it_reads_an_export_in_two_queries(tree, officer, figures, django_assert_num_queries):
    # The associations the user sees, active that year; their returns for the year.
    with django_assert_num_queries(2):
        export_file(user=officer, kind="returns", year=YEAR, fmt="xlsx")


# --- round trips --------------------------------------------------------------------------------


def _round_trip(client, user, response, filename):
    before = db_state()
    preview = imports.import_preview(user=user, content=response.content, filename=filename)
    assert preview.errors == []
    assert preview.rows and {r.status for r in preview.rows} == {"unchanged"}
    imports.import_confirm(
        user=user, content=response.content, filename=filename, fingerprint=preview.fingerprint
    )
    assert db_state() == before
    return preview


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_its_own_export_as_unchanged(client, tree, officer, figures, fmt):
    client.force_login(officer)
    preview = _round_trip(client, officer, _get(client, "export_returns", fmt=fmt), f"so-lieu.{fmt}")
    assert len(preview.rows) == 5


@pytest.mark.parametrize("name", ["export_fund_balances", "export_scholarships"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_round_trips_funds_and_scholarships(client, tree, officer, figures, name, fmt):
    client.force_login(officer)
    _round_trip(client, officer, _get(client, name, fmt=fmt), f"tep.{fmt}")


def test_it_imports_its_own_template_as_unchanged(client, tree, officer, figures):
    client.force_login(officer)
    _round_trip(client, officer, client.get(reverse("import_template"), {"nam": YEAR}), "mau.xlsx")


def test_it_round_trips_through_the_pages(client, tree, officer, figures):
    client.force_login(officer)
    exported = _get(client, "export_returns")
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile("so-lieu.xlsx", exported.content)}, follow=True
    )
    body = r.content.decode()
    assert "Không có thay đổi nào" in body


# --- text a spreadsheet cannot hold ---------------------------------------------------------------


@pytest.fixture
def control_characters(tree):
    """Stored text holding control characters, as pasted from Word or typed in a browser's text box."""
    Association.objects.filter(pk=tree.c1.pk).update(name="Hội Khuyến học\x0bxã Bắc\x01")
    AnnualReturn.objects.create(
        association=tree.c1, year=YEAR, mobilised_cash=5, notes="Dòng một\x0bDòng hai\r\nDòng ba\x1f"
    )
    fund = Fund.objects.create(association=tree.c1, name="Quỹ\x0cÁnh Dương", kind=Fund.Kind.NAMED)
    FundBalance.objects.create(fund=fund, year=YEAR, balance=7)
    Scholarship.objects.create(
        association=tree.c1, year=YEAR, programme="Học bổng\x0b2023", donor="=Công ty\x02", awards=1
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("name", ["export_returns", "export_fund_balances", "export_scholarships"])
def test_it_exports_text_holding_control_characters(client, tree, officer, control_characters, name, fmt):
    client.force_login(officer)
    r = _get(client, name, fmt=fmt)
    assert r.status_code == 200
    if fmt == "xlsx":
        text = [v for line in read_xlsx(r.content) for v in line if isinstance(v, str)]
    else:
        text = [
            v for line in csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")) for v in line
        ]
    assert "Hội Khuyến học\nxã Bắc" in text
    assert not any(c in value for value in text for c in "\x01\x02\x0b\x0c\x1f\r")
    _round_trip(client, officer, r, f"tep.{fmt}")


def test_it_writes_line_breaks_as_excel_does(client, tree, officer, control_characters):
    client.force_login(officer)
    sheet = read_xlsx(_get(client, "export_returns").content)
    notes = sheet[3][sheet[0].index("Ghi chú")]
    assert notes == "Dòng một\nDòng hai\nDòng ba"


def test_it_fills_the_template_despite_control_characters(client, tree, officer, control_characters):
    client.force_login(officer)
    for kind in ("returns", "funds", "scholarships"):
        r = client.get(reverse("import_template"), {"nam": YEAR, "loai": kind})
        assert r.status_code == 200
        _round_trip(client, officer, r, "mau.xlsx")


@pytest.mark.parametrize("hoi", ["²", "٣", str(10**20), "-1", "x"])
def test_it_answers_404_for_a_subtree_id_that_is_not_an_ascii_number(client, tree, reviewer, hoi):
    client.raise_request_exception = False
    client.force_login(reviewer)
    assert _get(client, "export_returns", hoi=hoi).status_code == 404

"""Hostile and broken files: each gets a clear Vietnamese message, and the database is unchanged."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from funds import imports
from funds.models import MAX_AMOUNT, AnnualReturn
from funds.spreadsheets import files
from tests.funds.test_import_support import HEADERS, YEAR, csv_bytes, db_state, row, xlsx


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def stored(tree):
    """A return already in the database, so that 'unchanged' means something."""
    return AnnualReturn.objects.create(
        association=tree.d1, year=YEAR, population=5000, mobilised_cash=1_000_000
    )


def refused(user, content: bytes, filename: str = "so-lieu.xlsx") -> list:
    """Preview and try to confirm; assert that nothing changed and return the preview's errors."""
    before = db_state()
    preview = imports.import_preview(user=user, content=content, filename=filename)
    assert preview.errors, "the file should have been refused"
    assert not preview.ok
    with pytest.raises(imports.ImportRefused):
        imports.import_confirm(user=user, content=content, filename=filename, fingerprint=preview.fingerprint)
    assert db_state() == before
    return preview.errors


def only_error(errors):
    assert len(errors) == 1, errors
    return errors[0]


# --- not a spreadsheet --------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (PNG, "so-lieu.xlsx"),
        (PNG, "so-lieu.csv"),
        (b"%PDF-1.7\n1 0 obj\n", "bao-cao.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "so-lieu.exe"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_spreadsheet(stored, officer, content, filename):
    error = only_error(refused(officer, content, filename))
    assert error.line is None
    assert "không phải là bảng tính" in error.message


def test_it_refuses_an_old_excel_file_with_advice(stored, officer):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert ".xlsx" in only_error(refused(officer, content, "so-lieu.xls")).message


def test_it_refuses_a_corrupt_xlsx(stored, officer):
    content = xlsx([row(stored.association, mobilised_cash=1)])
    assert "Không đọc được tệp Excel" in only_error(refused(officer, content[: len(content) // 2])).message


def test_it_refuses_a_zip_that_is_not_a_workbook(stored, officer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "Không đọc được tệp Excel" in only_error(refused(officer, out.getvalue(), "thu.docx")).message


def test_it_refuses_a_zip_bomb_without_inflating_it(stored, officer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (files.MAX_UNZIPPED_BYTES + 1))
    assert len(out.getvalue()) < 1024 * 1024
    assert "quá nhiều dữ liệu" in only_error(refused(officer, out.getvalue())).message


def test_it_refuses_a_csv_in_an_unknown_encoding_saying_what_to_save_in(stored, officer):
    # Western European: read as Windows-1258 the headers do not match, so the encoding is the news.
    content = "Mã,Cấp,Tên hội\n".encode("cp1252", errors="replace")
    message = only_error(refused(officer, content, "so-lieu.csv")).message
    assert "Windows-1258" in message and "“CSV UTF-8 (Comma delimited) (*.csv)”" in message
    # Bytes that no encoding we read can hold.
    message = only_error(refused(officer, b"M\x81,C\x8dp\n", "so-lieu.csv")).message
    assert "Không nhận ra bảng mã" in message and "CSV UTF-8" in message


# --- size and emptiness -------------------------------------------------------------------------


def test_it_refuses_an_oversized_file_stating_the_limit(stored, officer, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    content = xlsx([row(stored.association, mobilised_cash=1)]) + b"\x00" * (5 * 1024 * 1024)
    message = only_error(refused(officer, content)).message
    assert "quá lớn" in message and "5 MB" in message


def test_it_refuses_an_oversized_upload_before_reading_it(client, stored, officer, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(officer)
    before = db_state()
    upload = SimpleUploadedFile("so-lieu.xlsx", b"x" * 2048)
    r = client.post(reverse("import_upload"), {"file": upload})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Tệp quá lớn (2 KB). Giới hạn là 1 KB" in body
    assert db_state() == before


def test_it_refuses_an_empty_file(stored, officer):
    assert "Tệp rỗng" in only_error(refused(officer, b"")).message
    assert "Tệp rỗng" in only_error(refused(officer, b"\n\n", "so-lieu.csv")).message
    assert "Tệp rỗng" in only_error(refused(officer, xlsx([], headers=None))).message


def test_it_refuses_a_file_with_headers_only(stored, officer):
    assert "chưa có dòng số liệu" in only_error(refused(officer, xlsx([]))).message
    assert "chưa có dòng số liệu" in only_error(refused(officer, xlsx([[None] * 11, [""] * 11]))).message


def test_it_refuses_more_rows_than_the_limit(stored, officer, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    content = csv_bytes([row(stored.association, mobilised_cash=i) for i in range(4)])
    assert "hơn 3 dòng" in only_error(refused(officer, content, "so-lieu.csv")).message


# --- headers ------------------------------------------------------------------------------------


def test_it_refuses_a_missing_column_naming_it(stored, officer):
    headers = [h for h in HEADERS if h != "Dân số"]
    rows = [[v for h, v in zip(HEADERS, row(stored.association), strict=True) if h != "Dân số"]]
    error = only_error(refused(officer, xlsx(rows, headers=headers)))
    assert (error.line, error.column) == (1, "Dân số")
    assert "Thiếu cột “Dân số”" in error.message


def test_it_refuses_an_unknown_column_listing_the_expected_ones(stored, officer):
    headers = [*HEADERS, "Ghi chú thêm"]
    error = only_error(refused(officer, xlsx([[*row(stored.association), "x"]], headers=headers)))
    assert "Cột “Ghi chú thêm” không có trong mẫu" in error.message
    assert "Vận động bằng tiền" in error.message


def test_it_refuses_a_renamed_key_column(stored, officer):
    headers = ["Mã số", *HEADERS[1:]]
    messages = [e.message for e in refused(officer, xlsx([row(stored.association)], headers=headers))]
    assert any("Mã số" in m for m in messages) and any("Thiếu cột “Mã”" in m for m in messages)


def test_it_refuses_a_repeated_column(stored, officer):
    headers = [*HEADERS, "Dân số"]
    errors = refused(officer, xlsx([[*row(stored.association), 5]], headers=headers))
    assert "xuất hiện hai lần" in only_error(errors).message


def test_it_refuses_a_file_of_another_shape(stored, officer):
    errors = refused(officer, xlsx([["a", "b"]], headers=["Họ tên", "Điện thoại"]))
    assert any("Thiếu cột “Mã”" in e.message for e in errors)


def test_it_matches_headers_whatever_their_case_and_spacing(tree, officer):
    headers = [f"  {h.upper()} " for h in HEADERS]
    preview = imports.import_preview(
        user=officer, content=xlsx([row(tree.c1, mobilised_cash=1)], headers=headers), filename="a.xlsx"
    )
    assert preview.errors == []


# --- rows ---------------------------------------------------------------------------------------


def test_it_refuses_duplicate_rows_naming_the_first(stored, officer):
    node = stored.association
    errors = refused(officer, xlsx([row(node, mobilised_cash=1), row(node, mobilised_cash=2)]))
    error = only_error(errors)
    assert (error.line, error.column) == (3, "Mã")
    assert "Trùng với hàng 2" in error.message


def test_it_refuses_duplicate_rows_written_differently(tree, stored, officer):
    node = stored.association
    second = row(node, mobilised_cash=2)
    second[1] = "huyện"
    assert (
        "Trùng với hàng 2"
        in only_error(refused(officer, xlsx([row(node, mobilised_cash=1), second]))).message
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("mobilised_cash", -5, "không được âm"),
        ("mobilised_cash", "-5", "không được âm"),
        ("fund_balance", "mười triệu", "không phải là một số nguyên"),
        ("awards_paid", "12,5", "Có phải ý bạn là “12,5 tỷ”"),
        ("awards_paid", "12.5", "không phải là một số nguyên"),
        ("facilities", 1.5, "Có phải ý bạn là “1,5 tỷ”"),
        ("population", 1.5, "không phải là một số nguyên"),
        ("mobilised_in_kind", True, "không phải là một số nguyên"),
        ("mobilised_cash", MAX_AMOUNT + 1, "vượt quá giới hạn"),
        ("population", 0, "ít nhất là 1"),
        ("population", 300_000_000, "vượt quá giới hạn"),
    ],
)
def test_it_refuses_bad_numbers_as_the_browser_form_does(stored, officer, column, value, reason):
    error = only_error(refused(officer, xlsx([row(stored.association, **{column: value})])))
    assert error.line == 2
    assert reason in error.message


def test_it_reports_every_bad_cell_of_a_row(stored, officer):
    errors = refused(officer, xlsx([row(stored.association, population=-1, mobilised_cash="abc")]))
    assert [(e.line, e.column) for e in errors] == [(2, "Dân số"), (2, "Vận động bằng tiền")]


def test_it_refuses_formulas_in_xlsx(stored, officer):
    node = stored.association
    content = xlsx(
        [
            row(node, mobilised_cash="=SUM(1,2)"),
            row(stored.association.get_children()[0], notes='=HYPERLINK("http://x")'),
        ]
    )
    errors = refused(officer, content)
    assert [(e.line, e.column) for e in errors] == [(2, "Vận động bằng tiền"), (3, "Ghi chú")]
    assert all("công thức" in e.message for e in errors)


def test_it_sees_a_formula_whose_cached_value_looks_harmless(stored, officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row(stored.association, mobilised_cash=1_000_000))
    sheet["F2"] = "=1000000*1"  # a spreadsheet program would have cached 1000000 next to it
    out = io.BytesIO()
    workbook.save(out)
    assert "công thức" in only_error(refused(officer, out.getvalue())).message


def test_it_refuses_formulas_in_csv(stored, officer):
    content = csv_bytes([row(stored.association, mobilised_cash="=1+1")])
    assert "công thức" in only_error(refused(officer, content, "so-lieu.csv")).message


def test_it_refuses_an_unknown_code(stored, officer):
    values = row(stored.association, mobilised_cash=1)
    values[0] = "X99"
    error = only_error(refused(officer, xlsx([values])))
    assert (error.line, error.column) == (2, "Mã")
    assert "“X99”" in error.message and "Không có hội" in error.message


def test_it_refuses_a_missing_code(stored, officer):
    values = row(stored.association, mobilised_cash=1)
    values[0] = None
    assert "Thiếu mã" in only_error(refused(officer, xlsx([values]))).message


def test_it_refuses_an_unknown_tier(stored, officer):
    values = row(stored.association, mobilised_cash=1)
    values[1] = "Thôn"
    error = only_error(refused(officer, xlsx([values])))
    assert error.column == "Cấp" and "Huyện/quận" in error.message


@pytest.mark.parametrize("year", ["năm ngoái", 1999, 2101, "2023.5", None])
def test_it_refuses_a_bad_year(stored, officer, year):
    values = row(stored.association, mobilised_cash=1)
    values[3] = year
    assert only_error(refused(officer, xlsx([values]))).column == "Năm"


def test_it_refuses_the_whole_file_for_one_bad_row(tree, stored, officer):
    rows = [row(n, mobilised_cash=10) for n in (tree.p1, tree.c1, tree.c2, tree.c3)]
    rows.append(row(tree.d1, mobilised_cash=-1))
    errors = refused(officer, xlsx(rows))
    assert [e.line for e in errors] == [6]


def test_it_shows_a_hostile_file_on_the_page_without_a_confirm_button(client, stored, officer):
    client.force_login(officer)
    before = db_state()
    r = client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")}, follow=True
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "không phải là bảng tính" in body and "Xác nhận nhập" not in body
    assert db_state() == before


def test_it_refuses_text_longer_than_the_database_holds(tree, officer):
    from funds.spreadsheets.resources import ScholarshipResource

    values = [tree.c1.code, "Xã/phường", tree.c1.name, YEAR, "Học bổng " + "x" * 200, "", 1, 1, "", ""]
    error = only_error(refused(officer, xlsx([values], headers=ScholarshipResource.headers())))
    assert (error.line, error.column) == (2, "Chương trình học bổng")
    assert "200 ký tự" in error.message


def test_it_turns_an_unexpected_failure_into_an_error_and_writes_nothing(tree, officer, monkeypatch, caplog):
    from funds.spreadsheets.resources import AnnualReturnResource

    def broken(self, state):
        raise RuntimeError("boom")

    monkeypatch.setattr(AnnualReturnResource, "find_existing", broken)
    errors = refused(officer, xlsx([row(tree.c1, mobilised_cash=1)]))
    assert [(e.line, e.message) for e in errors] == [(2, "Lỗi hệ thống khi đọc hàng này.")]
    assert "boom" in caplog.text

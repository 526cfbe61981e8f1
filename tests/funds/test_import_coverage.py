"""The returns file's "Phạm vi số liệu" column: what a return covers, written, read, optional."""

import pytest

from funds import imports
from funds.models import AnnualReturn
from funds.spreadsheets.exports import export_file
from tests.funds.test_import_support import HEADERS, YEAR, csv_bytes, db_state, read_xlsx, row, xlsx

COLUMN = "Phạm vi số liệu"
ALL, OWN = AnnualReturn.Coverage.ALL, AnnualReturn.Coverage.OWN


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


def _confirm(user, content, filename="so-lieu.xlsx"):
    preview = imports.import_preview(user=user, content=content, filename=filename)
    assert preview.errors == []
    return imports.import_confirm(
        user=user, content=content, filename=filename, fingerprint=preview.fingerprint
    )


def _coverage(node, year=YEAR) -> str:
    return AnnualReturn.objects.get(association=node, year=year).coverage


def _without_column(rows):
    """The file of a template from before the column: its header and its cells left out."""
    keep = [i for i, h in enumerate(HEADERS) if h != COLUMN]
    return [HEADERS[i] for i in keep], [[r[i] for i in keep] for r in rows]


def test_it_has_the_column_in_the_template(tree, officer):
    _name, _type, content = export_file(user=officer, kind="returns", year=YEAR, fmt="xlsx", template=True)
    assert COLUMN in read_xlsx(content)[0]


def test_it_writes_what_each_return_covers_in_the_export(tree, officer):
    AnnualReturn.objects.create(association=tree.p1, year=YEAR, mobilised_cash=1, coverage=ALL)
    AnnualReturn.objects.create(association=tree.d1, year=YEAR, mobilised_cash=2, coverage=OWN)
    _name, _type, content = export_file(user=officer, kind="returns", year=YEAR, fmt="xlsx")
    sheet = read_xlsx(content)
    column, code = sheet[0].index(COLUMN), sheet[0].index("Mã")
    by_code = {r[code]: r[column] for r in sheet[1:]}
    assert (by_code["P1"], by_code["D1"], by_code["C1"]) == ("toàn bộ", "riêng", "riêng")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("toàn bộ", ALL),
        ("Toàn tỉnh", ALL),
        ("CÁC CẤP", ALL),
        ("toan  bo", ALL),
        ("all", ALL),
        ("Riêng", OWN),
        ("rieng", OWN),
        ("Own", OWN),
    ],
)
def test_it_reads_what_a_return_covers_written_loosely(written, stored, tree, officer):
    AnnualReturn.objects.create(association=tree.d1, year=YEAR, coverage=OWN if stored == ALL else ALL)
    _confirm(officer, xlsx([row(tree.d1, mobilised_cash=5, coverage=written)]))
    assert _coverage(tree.d1) == stored


def test_it_sets_the_coverage_of_a_new_return(tree, officer):
    _confirm(
        officer,
        xlsx(
            [
                row(tree.p1, mobilised_cash=10_939_000_000, coverage="toàn tỉnh"),
                row(tree.d1, mobilised_cash=2),
            ]
        ),
    )
    assert (_coverage(tree.p1), _coverage(tree.d1)) == (ALL, OWN)


def test_it_shows_the_change_of_coverage_in_the_preview_in_the_files_words(tree, officer):
    AnnualReturn.objects.create(association=tree.p1, year=YEAR, mobilised_cash=1)
    preview = imports.import_preview(
        user=officer,
        content=xlsx([row(tree.p1, mobilised_cash=1, coverage="toàn bộ")]),
        filename="so-lieu.xlsx",
    )
    [change] = preview.rows[0].changes
    assert (change.column, change.old_text, change.new_text) == (COLUMN, "riêng", "toàn bộ")


def test_it_refuses_another_value_naming_the_row_and_the_words_allowed(tree, officer):
    before = db_state()
    content = xlsx([row(tree.c1, mobilised_cash=1), row(tree.d1, mobilised_cash=2, coverage="cả huyện")])
    preview = imports.import_preview(user=officer, content=content, filename="so-lieu.xlsx")
    [error] = preview.errors
    assert (error.line, error.column) == (3, COLUMN)
    assert "“cả huyện”" in error.message and "“riêng”" in error.message and "“toàn bộ”" in error.message
    assert db_state() == before


def test_it_keeps_the_stored_coverage_when_the_cell_is_blank(tree, officer):
    AnnualReturn.objects.create(association=tree.p1, year=YEAR, mobilised_cash=1, coverage=ALL)
    _confirm(officer, xlsx([row(tree.p1, mobilised_cash=2, coverage="")]))
    assert _coverage(tree.p1) == ALL


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_a_file_without_the_column(fmt, tree, officer):
    AnnualReturn.objects.create(association=tree.p1, year=YEAR, mobilised_cash=1, coverage=ALL)
    headers, rows = _without_column([row(tree.p1, mobilised_cash=2), row(tree.d1, mobilised_cash=3)])
    content = xlsx(rows, headers=headers) if fmt == "xlsx" else csv_bytes(rows, headers=headers)
    _confirm(officer, content, f"so-lieu.{fmt}")
    p1 = AnnualReturn.objects.get(association=tree.p1, year=YEAR)
    assert (p1.mobilised_cash, p1.coverage, _coverage(tree.d1)) == (2, ALL, OWN)


def test_it_imports_its_own_export_back_unchanged(tree, officer):
    AnnualReturn.objects.create(association=tree.p1, year=YEAR, mobilised_cash=1, coverage=ALL)
    AnnualReturn.objects.create(association=tree.d1, year=YEAR, mobilised_cash=2)
    _name, _type, content = export_file(user=officer, kind="returns", year=YEAR, fmt="xlsx")
    preview = imports.import_preview(user=officer, content=content, filename="so-lieu.xlsx")
    assert (preview.errors, preview.new, preview.changed) == ([], 0, 0)

"""The returns import asks, as the entry form does, to confirm figures fivefold up or down on last year's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from associations.models import Tier
from associations.services import association_create
from funds import imports
from funds.models import AnnualReturn
from tests.funds.helpers import table_rows
from tests.funds.test_import_support import YEAR, db_state, row, xlsx

CASH = "Vận động bằng tiền"
# The associations named by the file, those the user may edit, their returns, their returns of the
# year before (the preview runs outside a transaction: it writes nothing).
PREVIEW_QUERIES = 4


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def last_year(make_return):
    """C1's return of the year before, with 1,000,000 mobilised in cash."""

    def _last_year(node, **values):
        return make_return(node, YEAR - 1, **({"mobilised_cash": 1_000_000} | values))

    return _last_year


def _preview(user, content):
    return imports.import_preview(user=user, content=content, filename="so-lieu.xlsx")


def _confirm(user, content, *, confirm_outliers=False, preview=None):
    preview = preview or _preview(user, content)
    assert preview.errors == []
    return imports.import_confirm(
        user=user,
        content=content,
        filename="so-lieu.xlsx",
        fingerprint=preview.fingerprint,
        confirm_outliers=confirm_outliers,
    )


def _flags(preview) -> list[tuple]:
    return [(o.line, o.code, o.name, o.column, o.previous, o.value) for o in preview.outliers]


# --- the preview --------------------------------------------------------------------------------


def test_it_flags_a_figure_six_times_last_years_in_the_preview(tree, officer, last_year):
    last_year(tree.c1, population=5000)
    preview = _preview(officer, xlsx([row(tree.c1, population=5000, mobilised_cash=6_000_000)]))
    assert preview.errors == [] and preview.ok
    assert _flags(preview) == [(2, "C1", tree.c1.name, CASH, 1_000_000, 6_000_000)]
    assert (preview.outliers[0].previous_text, preview.outliers[0].value_text) == ("1.000.000", "6.000.000")


def test_it_flags_a_figure_under_a_fifth_of_last_years(tree, officer, last_year):
    last_year(tree.c1, population=5000)
    preview = _preview(officer, xlsx([row(tree.c1, population=999, mobilised_cash=1_000_000)]))
    assert _flags(preview) == [(2, "C1", tree.c1.name, "Dân số", 5000, 999)]


def test_it_does_not_flag_exactly_five_times_last_years(tree, officer, last_year):
    last_year(tree.c1, population=5000)
    preview = _preview(officer, xlsx([row(tree.c1, population=1000, mobilised_cash=5_000_000)]))
    assert preview.outliers == [] and preview.ok


def test_it_does_not_question_again_a_figure_stored_with_the_same_value(
    tree, officer, last_year, make_return
):
    last_year(tree.c1)
    make_return(tree.c1, mobilised_cash=6_000_000)
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=6_000_000, notes="Đã kiểm tra")]))
    assert [r.status for r in preview.rows] == ["changed"]
    assert preview.outliers == []


def test_it_questions_a_stored_figure_the_file_changes(tree, officer, last_year, make_return):
    last_year(tree.c1)
    make_return(tree.c1, mobilised_cash=1_200_000)
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=7_000_000)]))
    assert _flags(preview) == [(2, "C1", tree.c1.name, CASH, 1_000_000, 7_000_000)]


def test_it_flags_nothing_without_a_return_the_year_before(tree, officer, make_return):
    make_return(tree.c1, YEAR - 2, mobilised_cash=1)
    preview = _preview(officer, xlsx([row(tree.c1, mobilised_cash=6_000_000)]))
    assert preview.outliers == [] and preview.ok


def test_it_compares_with_the_year_before_as_the_same_file_leaves_it(tree, officer, last_year):
    last_year(tree.c1)
    content = xlsx([row(tree.c1, mobilised_cash=6_000_000), row(tree.c1, YEAR - 1, mobilised_cash=5_000_000)])
    preview = _preview(officer, content)
    # This year's 6,000,000 against last year's row of the file; last year's 5,000,000 is exactly five times.
    assert preview.outliers == [] and preview.ok


def test_it_flags_only_the_returns_file(tree, officer, last_year):
    last_year(tree.c1)
    headers = ["Mã", "Cấp", "Tên hội", "Năm", "Tên quỹ", "Loại quỹ", "Số dư cuối năm"]
    content = xlsx([[tree.c1.code, "Xã/phường", tree.c1.name, YEAR, "Quỹ A", "", 6_000_000]], headers=headers)
    preview = _preview(officer, content)
    assert preview.kind == "funds" and preview.ok and preview.outliers == []


# --- the confirmation ---------------------------------------------------------------------------


def test_it_writes_nothing_when_the_outliers_are_not_confirmed(tree, officer, last_year):
    last_year(tree.c1)
    content = xlsx([row(tree.c1, mobilised_cash=6_000_000), row(tree.c2, mobilised_cash=1)])
    before = db_state()
    with pytest.raises(imports.ImportOutliersUnconfirmed) as refused:
        _confirm(officer, content)
    assert db_state() == before
    assert "gấp 5 lần" in str(refused.value) and "Chưa có số liệu nào được ghi" in refused.value.message
    assert [(o.line, o.column, o.previous, o.value) for o in refused.value.outliers] == [
        (2, CASH, 1_000_000, 6_000_000)
    ]


def test_it_writes_the_outliers_once_confirmed(tree, officer, last_year):
    last_year(tree.c1)
    preview = _confirm(officer, xlsx([row(tree.c1, mobilised_cash=6_000_000)]), confirm_outliers=True)
    assert preview.new == 1
    assert AnnualReturn.objects.get(association=tree.c1, year=YEAR).mobilised_cash == 6_000_000


def test_it_finds_the_outliers_again_on_confirm(tree, officer, last_year):
    previous = last_year(tree.c1, mobilised_cash=2_000_000)
    content = xlsx([row(tree.c1, mobilised_cash=6_000_000)])
    preview = _preview(officer, content)
    assert preview.outliers == []
    # Last year's return is corrected after the preview: this year's figure is now sixfold.
    AnnualReturn.objects.filter(pk=previous.pk).update(mobilised_cash=1_000_000)
    before = db_state()
    with pytest.raises(imports.ImportConflict) as conflict:
        _confirm(officer, content, preview=preview)
    assert db_state() == before
    assert _flags(conflict.value.preview) == [(2, "C1", tree.c1.name, CASH, 1_000_000, 6_000_000)]


def test_it_reads_the_previous_year_in_one_query_whatever_the_file_length(
    tree, officer, make_return, django_assert_num_queries
):
    nodes = [tree.c1, tree.c2] + [
        association_create(
            tier=Tier.COMMUNE, name=f"Xã {n}", short_name=f"X{n}", code=f"X{n}", parent=tree.d1
        )
        for n in range(18)
    ]
    for node in nodes:
        make_return(node, YEAR - 1, mobilised_cash=1_000_000)
    make_return(tree.c1, mobilised_cash=2_000_000)
    with django_assert_num_queries(PREVIEW_QUERIES):
        small = _preview(officer, xlsx([row(n, mobilised_cash=6_000_000) for n in nodes[:2]]))
    with django_assert_num_queries(PREVIEW_QUERIES):
        large = _preview(officer, xlsx([row(n, mobilised_cash=6_000_000) for n in nodes]))
    assert (len(small.outliers), len(large.outliers)) == (2, 20)


# --- the pages ----------------------------------------------------------------------------------


def _upload(client, content):
    return client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile("so-lieu.xlsx", content)}, follow=True
    )


def _confirm_page(client, **data):
    return client.post(
        reverse("import_confirm"), {"token": client.session["funds_import"]["token"], **data}, follow=True
    )


def test_it_asks_through_the_pages_to_confirm_the_outliers(officer_client, tree, last_year):
    last_year(tree.c1)
    r = _upload(officer_client, xlsx([row(tree.c1, mobilised_cash=6_000_000)]))
    body = r.content.decode()
    assert r.status_code == 200
    assert table_rows(r, "outlier-rows") == [
        ["2", "C1", tree.c1.name, "2023", CASH, "1.000.000", "6.000.000"]
    ]
    assert 'name="confirm_outliers"' in body
    assert "Tôi đã kiểm tra, các số liệu khác thường này là đúng." in body

    r = _confirm_page(officer_client)
    body = r.content.decode()
    assert r.status_code == 200
    assert "Chưa có số liệu nào được ghi" in body and 'name="confirm_outliers"' in body
    assert not AnnualReturn.objects.filter(year=YEAR).exists()

    r = _confirm_page(officer_client, confirm_outliers="on")
    assert r.status_code == 200 and "Đã nhập tệp" in r.content.decode()
    assert AnnualReturn.objects.get(association=tree.c1, year=YEAR).mobilised_cash == 6_000_000
    assert "funds_import" not in officer_client.session


def test_it_asks_for_no_confirmation_without_outliers(officer_client, tree, last_year):
    last_year(tree.c1)
    r = _upload(officer_client, xlsx([row(tree.c1, mobilised_cash=2_000_000)]))
    assert 'name="confirm_outliers"' not in r.content.decode()
    assert table_rows(r, "outlier-rows") == []
    assert "Đã nhập tệp" in _confirm_page(officer_client).content.decode()
    assert AnnualReturn.objects.get(association=tree.c1, year=YEAR).mobilised_cash == 2_000_000


def test_it_warns_of_the_outliers_in_english(officer_client, tree, last_year, settings):
    last_year(tree.c1)
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The middleware leaves the page's language active: the override puts Vietnamese back after.
    with translation.override("vi"):
        body = _upload(officer_client, xlsx([row(tree.c1, mobilised_cash=6_000_000)])).content.decode()
        refused = _confirm_page(officer_client).content.decode()
    assert "Figures unusual compared with the previous year" in body
    assert "I have checked: these unusual figures are correct." in body
    assert "Nothing has been written" in refused

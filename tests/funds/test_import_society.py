"""The returns file and the new figures: their columns may be left out of older files, a blank cell
clears a figure, and the rules of the entry form hold (pay-outs split or not, recognised within its
denominator)."""

import pytest

from funds import imports
from funds.models import AnnualReturn

from .test_import_support import HEADERS, row, xlsx

YEAR = 2023
OLD_HEADERS = [
    "Mã",
    "Cấp",
    "Tên hội",
    "Năm",
    "Dân số",
    "Vận động bằng tiền",
    "Vận động bằng hiện vật",
    "Số dư quỹ cuối năm",
    "Khen thưởng, hỗ trợ đã chi",
    "Cơ sở vật chất",
    "Ghi chú",
]


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


def _import(user, content):
    preview = imports.import_preview(user=user, content=content, filename="f.xlsx")
    if preview.errors:
        return preview
    return imports.import_confirm(
        user=user, content=content, filename="f.xlsx", fingerprint=preview.fingerprint
    )


def _cells(node, headers, **by_header):
    return [
        {"Mã": node.code, "Cấp": "Huyện/quận", "Tên hội": node.name, "Năm": YEAR, **by_header}.get(h)
        for h in headers
    ]


def test_a_file_from_before_the_new_figures_keeps_them(tree, officer, make_return):
    make_return(tree.d1, members=500, households=100, learning_families_recognised=60)
    done = _import(
        officer, xlsx([_cells(tree.d1, OLD_HEADERS, **{"Vận động bằng tiền": 1000})], headers=OLD_HEADERS)
    )
    assert done.errors == []
    stored = AnnualReturn.objects.get(association=tree.d1)
    assert (stored.mobilised_cash, stored.members, stored.households) == (1000, 500, 100)


def test_a_blank_cell_in_a_new_figures_column_clears_it(tree, officer, make_return):
    make_return(tree.d1, members=500)
    done = _import(officer, xlsx([_cells(tree.d1, HEADERS, **{"Hội viên": None, "Chi hội": 12})]))
    assert done.errors == []
    stored = AnnualReturn.objects.get(association=tree.d1)
    assert (stored.members, stored.chapters) == (None, 12)


def test_it_refuses_a_row_that_would_hold_both_payouts(tree, officer, make_return):
    make_return(tree.d1, awards_paid=5_000_000)
    preview = _import(officer, xlsx([row(tree.d1, awards_paid=5_000_000, **{"Chi khen thưởng": 1_000_000})]))
    assert [(e.line, e.column) for e in preview.errors] == [(2, "Khen thưởng, hỗ trợ đã chi")]
    assert AnnualReturn.objects.get(association=tree.d1).payout_awards is None


def test_it_refuses_more_recognised_than_the_denominator(tree, officer):
    cells = {"Gia đình học tập được công nhận": 120, "Số hộ gia đình": 100}
    preview = _import(officer, xlsx([_cells(tree.d1, HEADERS, **cells)]))
    assert [(e.line, e.column) for e in preview.errors] == [(2, "Gia đình học tập được công nhận")]
    assert not AnnualReturn.objects.exists()


def test_it_imports_the_split_in_place_of_the_unsplit_amount(tree, officer, make_return):
    make_return(tree.d1, awards_paid=5_000_000)
    cells = {"Khen thưởng, hỗ trợ đã chi": None, "Chi học bổng": "3 triệu", "Chi hỗ trợ": "2 triệu"}
    done = _import(officer, xlsx([_cells(tree.d1, HEADERS, **cells)]))
    assert done.errors == []
    stored = AnnualReturn.objects.get(association=tree.d1)
    assert (stored.awards_paid, stored.payout_scholarships, stored.payout_support) == (
        None,
        3_000_000,
        2_000_000,
    )

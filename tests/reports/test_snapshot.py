"""What a correction changed, named from two report snapshots."""

import copy

import pytest

from reports import snapshot

FIGURES = {key: None for key, *_rest in snapshot.FIGURES}


@pytest.fixture
def old() -> dict:
    member = {
        "id": 7,
        "name": "Hà Giang",
        "state": "approved",
        "state_label": "đã duyệt",
        "note": "",
        "figures": FIGURES | {"cash": 10_939_000_000, "mobilised": 10_939_000_000, "per_inhabitant": 12_196},
        "qualifiers": {},
    }
    return {
        "members": [member],
        "funds": [{"member_id": 7, "name": "Quỹ A", "balance": 1_000_000_000, "qualifier": ""}],
        "local_funds": [],
        "scholarships": [],
        "transfers": [],
        "conference": {"place": "Hà Giang", "signer": {"name": "A"}},
    }


def test_it_names_a_changed_figure_and_leaves_out_what_follows_from_it(old):
    new = copy.deepcopy(old)
    new["members"][0]["figures"] |= {
        "cash": 11_200_000_000,
        "mobilised": 11_200_000_000,
        "per_inhabitant": 12_487,
    }
    assert snapshot.changes(old, new) == ["Hà Giang: vận động bằng tiền 10,939 tỷ đồng → 11,2 tỷ đồng"]


def test_it_names_a_qualifier_that_appears(old):
    new = copy.deepcopy(old)
    new["members"][0]["qualifiers"] = {"cash": "trên", "mobilised": "trên"}
    assert snapshot.changes(old, new) == ["Hà Giang: vận động bằng tiền 10,939 tỷ đồng → trên 10,939 tỷ đồng"]


def test_it_pairs_list_items_by_name(old):
    new = copy.deepcopy(old)
    new["funds"][0]["balance"] = 1_200_000_000
    new["funds"].append({"member_id": 7, "name": "Quỹ B", "balance": None, "qualifier": ""})
    assert snapshot.changes(old, new) == ["Quỹ: Quỹ A: 1 tỷ đồng → 1,2 tỷ đồng", "Quỹ: thêm Quỹ B (—)"]
    assert snapshot.changes(new, old) == ["Quỹ: Quỹ A: 1,2 tỷ đồng → 1 tỷ đồng", "Quỹ: bỏ Quỹ B (—)"]


def test_it_names_conference_fields_that_changed(old):
    new = copy.deepcopy(old)
    new["conference"]["signer"] = {"name": "B"}
    assert snapshot.changes(old, new) == ["Thông tin hội nghị: sửa người ký"]


def test_equal_snapshots_have_no_changes(old):
    assert snapshot.changes(old, copy.deepcopy(old)) == []


def test_it_words_the_total_of_lower_bounds_and_of_mixed_qualifiers():
    from reports.snapshot import total_qualifiers

    members = [{"qualifiers": {"cash": "trên"}}, {"qualifiers": {"cash": "hơn"}}, {"qualifiers": {}}]
    assert total_qualifiers(members)["cash"] == "trên"
    members = [{"qualifiers": {"cash": "trên"}}, {"qualifiers": {"cash": "gần"}}]
    assert total_qualifiers(members)["cash"] == "khoảng"
    assert total_qualifiers([{"qualifiers": {}}])["cash"] == ""

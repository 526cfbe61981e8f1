"""The report's sentences, written from figures: wording, qualifiers, and no fact said twice."""

from datetime import date

import pytest
from django.utils import translation

from reports import prose
from reports.rendering import place_date


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def member(**overrides) -> dict:
    figures = {
        "cash": None,
        "in_kind": None,
        "mobilised": None,
        "population": None,
        "per_inhabitant": None,
        "per_inhabitant_change": None,
        "fund_balance": None,
        "scholarship_awards": None,
        "scholarship_value": None,
        "awards_paid": None,
        "facilities": None,
    }
    figures.update(overrides.pop("figures", {}))
    data = {"id": 1, "name": "Hòa Bình", "has_data": True, "state": "approved", "note": "", "qualifiers": {}}
    data.update(overrides)
    data["figures"] = figures
    return data


def test_it_writes_a_province_as_the_article_does():
    m = member(
        figures={"cash": 43_200_000_000, "mobilised": 43_200_000_000, "per_inhabitant": 51_733}
        | {"per_inhabitant_change": 4_782}
    )
    assert prose.member_sentence(m, year=2022) == (
        "Hòa Bình vận động được 43,2 tỷ đồng, bình quân đạt 51.733 đồng/người "
        "(tăng 4.782 đồng so với năm 2021)."
    )


def test_it_keeps_the_word_the_source_put_before_a_figure():
    m = member(
        name="Lai Châu",
        figures={"cash": 2_200_000_000, "mobilised": 2_200_000_000, "per_inhabitant": 4_719},
        qualifiers={"cash": "trên", "mobilised": "trên"},
    )
    assert prose.member_sentence(m, year=2022) == (
        "Lai Châu vận động được trên 2,2 tỷ đồng, bình quân đạt 4.719 đồng/người."
    )


def test_it_splits_cash_and_in_kind():
    m = member(
        name="Sơn La",
        figures={"cash": 7_800_000_000, "in_kind": 8_000_000_000, "mobilised": 15_800_000_000},
    )
    assert prose.member_sentence(m, year=2022) == (
        "Sơn La vận động được 15,8 tỷ đồng (tiền 7,8 tỷ đồng, hiện vật quy ra tiền 8 tỷ đồng)."
    )


def test_it_joins_awards_and_facilities():
    m = member(
        name="Yên Bái",
        figures={"awards_paid": 10_300_000_000, "facilities": 18_700_000_000},
        qualifiers={"awards_paid": "trên"},
    )
    assert prose.member_sentence(m, year=2022) == (
        "Yên Bái hỗ trợ, trao thưởng trên 10,3 tỷ đồng và huy động 18,7 tỷ đồng xây dựng cơ sở vật chất trường học."
    )


@pytest.mark.parametrize("note", ["Thu trên 12 tỉ đồng.", "Thu được 12 tỷ.", "Tổng thu 12.000.000.000 đồng."])
def test_it_leaves_out_a_figure_the_note_already_states(note):
    m = member(
        name="Điện Biên",
        figures={"cash": 12_000_000_000, "mobilised": 12_000_000_000, "per_inhabitant": 20_000},
        note=note,
    )
    assert prose.member_sentence(m, year=2022) == f"Điện Biên bình quân đạt 20.000 đồng/người. {note}"


def test_a_different_figure_in_the_note_does_not_hide_the_sentence():
    m = member(figures={"cash": 12_000_000_000, "mobilised": 12_000_000_000}, note="Năm trước thu 112 tỷ.")
    assert "vận động được 12 tỷ đồng" in prose.member_sentence(m, year=2022)


def test_a_note_alone_speaks_for_the_province():
    m = member(name="Phú Thọ", note="100% xã có quỹ khuyến học")
    assert prose.member_sentence(m, year=2022) == "Phú Thọ: 100% xã có quỹ khuyến học."


def test_a_province_without_a_return_says_so():
    assert prose.member_sentence(member(has_data=False), year=2022) == "Hòa Bình: chưa có báo cáo năm 2022."


def test_funds_with_the_same_balance_share_one_clause():
    funds = [
        {"member_id": 1, "name": "Quỹ Hùng Vương", "balance": 11_100_000_000, "qualifier": ""},
        {"member_id": 1, "name": "Quỹ dòng họ Lê", "balance": 1_000_000_000, "qualifier": "trên"},
        {"member_id": 1, "name": "Quỹ dòng họ Dương", "balance": 1_000_000_000, "qualifier": "trên"},
        {"member_id": 1, "name": "Học bổng Bùi Kim Đỉnh", "balance": None, "qualifier": ""},
    ]
    [(name, text)] = prose.funds_paragraphs(members=[member()], funds=funds, local_funds=[], scholarships=[])
    assert name == "Hòa Bình"
    assert text == (
        "Quỹ Hùng Vương có số dư 11,1 tỷ đồng; Quỹ dòng họ Lê và Quỹ dòng họ Dương, mỗi quỹ có số dư "
        "trên 1 tỷ đồng; Học bổng Bùi Kim Đỉnh (chưa báo cáo số dư)."
    )


def test_local_funds_and_scholarships_join_their_province():
    local = [
        {"member_id": 1, "name": "Hội Khuyến học huyện Cẩm Khê", "parent": "Hòa Bình"}
        | {"balance": 5_000_000_000, "qualifier": "trên"},
        {"member_id": 1, "name": "Hội Khuyến học xã Tứ Xã", "parent": "Lâm Thao"}
        | {"balance": 10_500_000_000, "qualifier": ""},
    ]
    scholarships = [
        {"member_id": 1, "programme": "Học bổng du học Nhật Bản", "awards": 10, "value": 5_000_000_000}
        | {"in_kind": True, "abroad": True, "donor": ""}
    ]
    [(_name, text)] = prose.funds_paragraphs(
        members=[member()], funds=[], local_funds=local, scholarships=scholarships
    )
    assert text == (
        "quỹ khuyến học của Hội Khuyến học huyện Cẩm Khê có số dư trên 5 tỷ đồng; quỹ khuyến học của Hội "
        "Khuyến học xã Tứ Xã (Lâm Thao) có số dư 10,5 tỷ đồng; Học bổng du học Nhật Bản: 10 suất, bằng hiện "
        "vật, ở nước ngoài, trị giá 5 tỷ đồng."
    )


def test_a_transfer_whose_purpose_names_the_recipient_is_said_once():
    t = {
        "giver": "Hội Khuyến học Việt Nam",
        "recipient": "Hội Khuyến học huyện Yên Minh",
        "recipient_short": "Yên Minh",
        "amount": 50_000_000,
        "purpose": "Hỗ trợ Hội Khuyến học huyện Yên Minh",
    }
    assert (
        prose.transfer_sentence(t)
        == "Hội Khuyến học Việt Nam trao 50 triệu đồng hỗ trợ Hội Khuyến học huyện Yên Minh."
    )
    t |= {"purpose": "Học bổng cho học sinh nghèo", "amount": None}
    assert prose.transfer_sentence(t) == (
        "Hội Khuyến học Việt Nam trao cho Hội Khuyến học huyện Yên Minh (học bổng cho học sinh nghèo)."
    )


@pytest.mark.parametrize(
    ("kind", "number", "expected"),
    [
        (
            "giao_ban",
            None,
            "Hội nghị giao ban công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm 2022",
        ),
        (
            "giao_ban",
            28,
            "Hội nghị giao ban lần thứ 28 công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm 2022",
        ),
        (
            "so_ket",
            None,
            "Hội nghị sơ kết 6 tháng đầu năm 2022 công tác khuyến học, khuyến tài, xây dựng xã hội học tập",
        ),
        (
            "tong_ket",
            3,
            "Hội nghị tổng kết lần thứ 3 công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm 2022",
        ),
    ],
)
def test_it_names_the_conference_by_kind_and_number(kind, number, expected):
    assert prose.conference_title(kind, number, 2022) == expected


def test_it_says_whether_the_figures_are_approved():
    members = [
        member(name="A", state="approved"),
        member(name="B", state="submitted"),
        member(name="C", state="draft"),
        member(name="D", state="missing", has_data=False),
    ]
    assert prose.figures_status(members=members, year=2022) == (
        "Số liệu trong báo cáo là số liệu năm 2022 của 3/4 hội thành viên, chưa được duyệt đầy đủ "
        "(đã duyệt: A; chờ duyệt: B; chưa gửi duyệt: C); chưa có báo cáo năm 2022: D."
    )
    approved = [member(name="A"), member(name="D", state="missing", has_data=False)]
    assert prose.figures_status(members=approved, year=2022) == (
        "Số liệu trong báo cáo là số liệu năm 2022 của 1/2 hội thành viên, đã được duyệt; "
        "chưa có báo cáo năm 2022: D."
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 11, 29), "Hà Giang, ngày 29 tháng 11 năm 2022"),
        (date(2023, 2, 5), "Hà Giang, ngày 05 tháng 02 năm 2023"),
        (date(2023, 3, 9), "Hà Giang, ngày 09 tháng 3 năm 2023"),
    ],
)
def test_the_date_line_pads_as_decree_30_asks(day, expected):
    assert place_date("Hà Giang", day) == expected

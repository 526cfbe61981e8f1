"""Amounts as people type them: Vietnamese grouping, a decimal comma with its unit, refusals."""

import unicodedata

import pytest
from django.utils import translation

from core.numbers import AmbiguousAmount, parse_amount


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43.200.000.000", 43_200_000_000),
        ("43 200 000 000", 43_200_000_000),
        ("43\u00a0200\u00a0000\u00a0000", 43_200_000_000),
        ("43\u202f200\u202f000", 43_200_000),
        ("43200000000", 43_200_000_000),
        ("  43200000000  ", 43_200_000_000),
        ("0", 0),
        ("999", 999),
        ("1.000", 1_000),
        ("+1.000", 1_000),
        ("-5", -5),
        ("-1.000", -1_000),
        ("43.200.000.000 đ", 43_200_000_000),
        ("43.200.000.000đ", 43_200_000_000),
        ("43.200.000.000 đồng", 43_200_000_000),
        ("43.200.000.000 Đồng", 43_200_000_000),
        ("5000 d", 5_000),
        ("5000 VND", 5_000),
        ("5000 vnđ", 5_000),
        ("43,2 tỷ", 43_200_000_000),
        ("43,2 TỶ", 43_200_000_000),
        ("43,2 Tỷ đồng", 43_200_000_000),
        ("43,2tỷ", 43_200_000_000),
        ("43,2 tỷđồng", 43_200_000_000),
        ("10,939 tỉ", 10_939_000_000),
        ("10,939 ty", 10_939_000_000),
        ("10,939 ti", 10_939_000_000),
        ("0,5 tỷ", 500_000_000),
        ("3 tỷ", 3_000_000_000),
        ("50 triệu", 50_000_000),
        ("50 trieu", 50_000_000),
        ("50 tr", 50_000_000),
        ("50,75 triệu đồng", 50_750_000),
        ("1,5 nghìn", 1_500),
        ("1,5 nghin", 1_500),
        ("2 ngàn", 2_000),
        ("2 ngan", 2_000),
        ("1.234 triệu", 1_234_000_000),
        ("1.234,5 triệu", 1_234_500_000),
        ("1 234,5 triệu", 1_234_500_000),
        ("+43,2 tỷ", 43_200_000_000),
        ("-43,2 tỷ", -43_200_000_000),
        ("1,123456789 tỷ", 1_123_456_789),
        # Only a grouping mark comes more than once: a foreign spreadsheet's integer.
        ("43,200,000,000", 43_200_000_000),
        ("1.000.000.000.000.000.000", 10**18),
    ],
)
def test_it_reads_an_amount_as_written(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["43,2 tỷ đồng", "10,939 tỉ", "50 triệu", "2 ngàn", "1,5 nghìn"])
def test_it_reads_decomposed_vietnamese_as_composed(text):
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != unicodedata.normalize("NFC", text) or text.isascii()
    assert parse_amount(decomposed) == parse_amount(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "mười tỷ",
        "1.23.456",
        "1,234.5",
        "12.34",
        "1.5",
        "43.2",
        "1234.567",
        "1.2345",
        "43 200.000",
        "4 3200",
        "1,234,567.5",
        ",5 tỷ",
        "43, tỷ",
        "43,2,1 tỷ",
        "1,2345 nghìn",
        "1,0000000001 tỷ",
        "1,0000000000000000000000000000001 tỷ",
        "1 tỷ 200 triệu",
        "43,2 tỷ tỷ",
        "5 đô",
        "--5",
        "+-5",
        "5-",
        "1e9",
        "0x10",
        "²",
        "10²",
        "١٢٣",
        "۱۲۳",
        "１２３",
        "४२",
        "1" * 19 + "0",
        "1.000.000.000.000.000.001",
        "2 tỷ tỷ",
        "1" * 200,
    ],
)
def test_it_refuses_what_is_not_a_whole_amount(text):
    with pytest.raises(ValueError) as refused:
        parse_amount(text)
    assert not isinstance(refused.value, AmbiguousAmount)


@pytest.mark.parametrize(
    ("text", "suggestion", "amount"),
    [
        ("10,939", "10,939 tỷ", 10_939_000_000),
        ("1,500", "1,500 tỷ", 1_500_000_000),
        ("43,2", "43,2 tỷ", 43_200_000_000),
        ("0,5", "0,5 tỷ", 500_000_000),
        ("43,2 đồng", "43,2 tỷ", 43_200_000_000),
        ("10,939đ", "10,939 tỷ", 10_939_000_000),
        ("-43,2", "43,2 tỷ", 43_200_000_000),
        # A thousand tỷ or more is written "nghìn tỷ": four digits before the comma mean triệu.
        ("1.234,5", "1.234,5 triệu", 1_234_500_000),
        ("2500,25", "2.500,25 triệu", 2_500_250_000),
        # No unit gives whole đồng: nothing to suggest.
        ("1,1234567891", None, None),
    ],
)
def test_it_refuses_decimals_without_a_unit_suggesting_one(text, suggestion, amount):
    with pytest.raises(AmbiguousAmount) as refused:
        parse_amount(text)
    assert (refused.value.suggestion, refused.value.amount) == (suggestion, amount)


def test_it_says_what_a_bare_decimal_comma_probably_meant():
    with pytest.raises(AmbiguousAmount) as refused:
        parse_amount("10,939")
    assert str(refused.value) == (
        "“10,939” có phần thập phân nhưng không có đơn vị (nghìn, triệu, tỷ). "
        "Có phải ý bạn là “10,939 tỷ” = 10.939.000.000 đồng? Nếu là số nguyên, hãy viết 10.939."
    )


def test_it_offers_the_whole_number_only_when_the_comma_could_group_thousands():
    with pytest.raises(AmbiguousAmount) as refused:
        parse_amount("43,2")
    assert refused.value.integer is None
    assert "số nguyên" not in str(refused.value)


def test_it_asks_for_a_unit_when_none_gives_whole_dong():
    with pytest.raises(AmbiguousAmount) as refused:
        parse_amount("1,1234567891")
    assert str(refused.value) == (
        "“1,1234567891” có phần thập phân nhưng không có đơn vị. "
        "Hãy ghi số nguyên hoặc thêm đơn vị, ví dụ “43,2 tỷ”."
    )


def test_it_says_the_suggestion_in_english_on_english_pages():
    with translation.override("en"), pytest.raises(AmbiguousAmount) as refused:
        parse_amount("10,939")
    assert "Did you mean “10,939 tỷ” = 10.939.000.000 đ?" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43,200,000,000", 43_200_000_000),
        ("10,939", 10_939),
        ("1,500", 1_500),
        ("43 200", 43_200),
        ("43.2 tỷ", 43_200_000_000),
        ("43.200.000.000", 43_200_000_000),
    ],
)
def test_it_reads_english_grouping_when_asked(text, expected):
    assert parse_amount(text, thousands=",") == expected


@pytest.mark.parametrize(("text", "ambiguous"), [("43.2", True), ("1,23,456", False), ("1.234,5", False)])
def test_it_refuses_english_decimals_without_a_unit(text, ambiguous):
    with pytest.raises(ValueError) as refused:
        parse_amount(text, thousands=",")
    assert isinstance(refused.value, AmbiguousAmount) is ambiguous

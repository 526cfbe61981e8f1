"""The entry form's checks, each with its Vietnamese message, and nothing written when refused."""

import re
import unicodedata

import pytest
from django.urls import reverse

from funds.models import MAX_AMOUNT, MAX_POPULATION, AnnualReturn

from .conftest import YEAR
from .helpers import form_data, input_values, table_rows


@pytest.fixture
def existing(draft, attachments):
    """P1's draft for YEAR with rows attached, so that a refused save has something to keep."""
    return draft


def _post(client, url, existing, **figures):
    base = {"population": existing.population, "mobilised_cash": existing.mobilised_cash}
    return client.post(url, form_data(version=existing.version, **(base | figures)))


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"mobilised_cash": "-5"}, "Số liệu không được âm."),
        ({"mobilised_in_kind": "-1.000"}, "Số liệu không được âm."),
        (
            {"mobilised_cash": "mười tỷ"},
            "“mười tỷ” không phải là một số nguyên. Ví dụ hợp lệ: 43.200.000.000, 43200000000 hoặc 43,2 tỷ.",
        ),
        # A decimal comma without its unit must not be read as 432, nor as 43 đồng.
        ({"fund_balance": "43,2"}, "Có phải ý bạn là “43,2 tỷ” = 43.200.000.000 đồng?"),
        ({"awards_paid": "1.5"}, "“1.5” không phải là một số nguyên."),
        (
            {"facilities": str(MAX_AMOUNT + 1)},
            "Số liệu vượt quá giới hạn hợp lý (tối đa 1.000.000.000.000.000).",
        ),
        (
            {"population": str(MAX_POPULATION + 1)},
            "Số liệu vượt quá giới hạn hợp lý (tối đa 200.000.000).",
        ),
        ({"population": "0"}, "Giá trị phải ít nhất là 1."),
    ],
    ids=[
        "negative",
        "negative-dotted",
        "text",
        "decimal-comma",
        "decimal-point",
        "amount-bound",
        "pop-bound",
        "pop-0",
    ],
)
def test_it_refuses_a_bad_figure_with_its_message(
    figures, message, officer_client, existing, edit_url, snapshot
):
    before = snapshot()
    response = _post(officer_client, edit_url(), existing, **figures)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_it_refuses_a_bad_figure_on_a_new_return(officer_client, tree, edit_url, snapshot):
    before = snapshot()
    response = officer_client.post(edit_url(tree.c1), form_data(mobilised_cash="-5"))
    assert "Số liệu không được âm." in response.content.decode()
    assert snapshot() == before


def test_it_accepts_the_largest_allowed_figures(officer_client, existing, edit_url):
    response = _post(officer_client, edit_url(), existing, population=MAX_POPULATION, facilities=MAX_AMOUNT)
    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.population, existing.facilities) == (MAX_POPULATION, MAX_AMOUNT)


def test_it_keeps_what_was_typed_after_a_refusal(officer_client, existing, edit_url):
    response = _post(officer_client, edit_url(), existing, mobilised_cash="mười tỷ", awards_paid="12.345")
    values = input_values(response)
    assert values["mobilised_cash"] == "mười tỷ"
    assert values["awards_paid"] == "12.345"


def test_it_accepts_vietnamese_thousands_dots(officer_client, tree, edit_url):
    response = officer_client.post(
        edit_url(tree.c1), form_data(mobilised_cash="43.200.000.000", population="835.057")
    )
    assert response.status_code == 302
    saved = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert (saved.mobilised_cash, saved.population) == (43_200_000_000, 835_057)


def test_it_accepts_plain_digits(officer_client, tree, edit_url):
    officer_client.post(edit_url(tree.c1), form_data(mobilised_cash="43200000000"))
    assert AnnualReturn.objects.get(association=tree.c1, year=YEAR).mobilised_cash == 43_200_000_000


def test_it_shows_saved_amounts_grouped_with_dots(officer_client, tree, edit_url):
    officer_client.post(edit_url(tree.c1), form_data(mobilised_cash="43200000000"))
    assert input_values(officer_client.get(edit_url(tree.c1)))["mobilised_cash"] == "43.200.000.000"


def test_it_treats_a_blank_figure_as_not_reported(officer_client, tree, edit_url):
    officer_client.post(edit_url(tree.c1), form_data(mobilised_cash="", population=""))
    saved = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert saved.mobilised_cash is None and saved.population is None


# Amounts as Vietnamese write them: a decimal comma needs its unit.

SUGGESTION = (
    "“10,939” có phần thập phân nhưng không có đơn vị (nghìn, triệu, tỷ). "
    "Có phải ý bạn là “10,939 tỷ” = 10.939.000.000 đồng? Nếu là số nguyên, hãy viết 10.939."
)


def test_it_refuses_a_bare_decimal_comma_suggesting_its_unit(officer_client, existing, edit_url, snapshot):
    before = snapshot()
    response = _post(officer_client, edit_url(), existing, fund_balance="10,939")
    assert response.status_code == 200
    assert response.context["form"].errors == {"fund_balance": [SUGGESTION]}
    assert snapshot() == before


def test_it_shows_the_suggestion_under_the_field_typed(officer_client, existing, edit_url):
    body = _post(officer_client, edit_url(), existing, fund_balance="10,939").content.decode()
    field = body[body.index('name="fund_balance"') : body.index('name="awards_paid"')]
    assert '<ul class="errorlist"' in field and SUGGESTION in field


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("10,939 tỷ", 10_939_000_000),
        ("10,939 tỉ", 10_939_000_000),
        ("43,2 tỷ đồng", 43_200_000_000),
        ("43,2tỷ", 43_200_000_000),
        ("50 triệu", 50_000_000),
        ("1,5 nghìn", 1_500),
        ("43\u00a0200\u00a0000\u00a0000", 43_200_000_000),
        (unicodedata.normalize("NFD", "10,939 Tỷ Đồng"), 10_939_000_000),
    ],
)
def test_it_saves_an_amount_written_with_its_unit(typed, saved, officer_client, tree, edit_url):
    response = officer_client.post(edit_url(tree.c1), form_data(mobilised_cash=typed))
    assert response.status_code == 302
    assert AnnualReturn.objects.get(association=tree.c1, year=YEAR).mobilised_cash == saved


def test_it_refuses_a_decimal_comma_in_a_count_without_speaking_of_money(
    officer_client, existing, edit_url, snapshot
):
    before = snapshot()
    response = _post(officer_client, edit_url(), existing, population="1,5")
    assert response.context["form"].errors == {
        "population": ["“1,5” không phải là một số nguyên. Ví dụ hợp lệ: 1.500 hoặc 1500."]
    }
    assert snapshot() == before


def test_it_refuses_a_decimal_comma_in_a_scholarships_awards(officer_client, tree, edit_url, snapshot):
    before = snapshot()
    row = {"programme": "Du học", "awards": "1,5", "total_value": "1,5 tỷ"}
    response = officer_client.post(edit_url(), form_data(scholarships=[row]))
    assert response.status_code == 200
    assert response.context["scholarship_set"].errors == [
        {"awards": ["“1,5” không phải là một số nguyên. Ví dụ hợp lệ: 1.500 hoặc 1500."]}
    ]
    assert snapshot() == before


def test_it_reads_commas_as_thousands_on_english_pages(officer_client, tree, edit_url):
    officer_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = officer_client.post(
        edit_url(tree.c1), form_data(population="1,000", mobilised_cash="10,939", facilities="43.2 tỷ")
    )
    assert response.status_code == 302
    saved = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert (saved.population, saved.mobilised_cash, saved.facilities) == (1_000, 10_939, 43_200_000_000)


def test_it_resaves_an_english_page_as_loaded(officer_client, tree, make_return, edit_url):
    # Below a million, English grouping has a single comma, which Vietnamese reads as decimals.
    stored = make_return(tree.c1, population=5_000, mobilised_cash=250_000)
    officer_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    values = input_values(officer_client.get(edit_url(tree.c1)))
    assert (values["population"], values["mobilised_cash"]) == ("5,000", "250,000")
    assert officer_client.post(edit_url(tree.c1), values).status_code == 302
    saved = AnnualReturn.objects.get(pk=stored.pk)
    assert (saved.population, saved.mobilised_cash) == (stored.population, stored.mobilised_cash)


# Outliers against last year: asked to confirm, not refused.


@pytest.fixture
def last_year(tree, make_return):
    return make_return(tree.p1, YEAR - 1, population=1_000_000, mobilised_cash=10_000_000)


OUTLIER = "Một số số liệu lớn hơn gấp 5 lần hoặc nhỏ hơn 1/5 so với năm trước."


@pytest.mark.parametrize("cash", [50_000_001, 1_999_999], ids=["above-5x", "below-a-fifth"])
def test_it_asks_to_confirm_an_outlier_and_saves_nothing(cash, officer_client, last_year, edit_url, snapshot):
    before = snapshot()
    response = officer_client.post(edit_url(), form_data(population=1_000_000, mobilised_cash=cash))
    body = response.content.decode()
    assert response.status_code == 200
    assert OUTLIER in body
    assert 'name="confirm_outliers"' in body
    assert snapshot() == before


def test_it_lists_the_outlier_with_last_years_value(officer_client, last_year, edit_url):
    response = officer_client.post(edit_url(), form_data(population=1_000_000, mobilised_cash=60_000_000))
    rows = table_rows(response, "outliers")
    assert rows == [["Vận động bằng tiền (đồng)", "10.000.000", "60.000.000"]]


@pytest.mark.parametrize("cash", [50_000_000, 2_000_000], ids=["exactly-5x", "exactly-a-fifth"])
def test_it_does_not_ask_at_exactly_five_times(cash, officer_client, last_year, edit_url):
    response = officer_client.post(edit_url(), form_data(population=1_000_000, mobilised_cash=cash))
    assert response.status_code == 302


def test_it_saves_an_outlier_once_confirmed(officer_client, last_year, edit_url):
    data = form_data(population=1_000_000, mobilised_cash=60_000_000)
    officer_client.post(edit_url(), data)
    response = officer_client.post(edit_url(), data | {"confirm_outliers": "on"})
    assert response.status_code == 302
    assert AnnualReturn.objects.get(association=last_year.association, year=YEAR).mobilised_cash == 60_000_000


def test_it_does_not_compare_with_a_figure_missing_last_year(officer_client, last_year, edit_url):
    response = officer_client.post(
        edit_url(), form_data(population=1_000_000, mobilised_cash=10_000_000, facilities=10**12)
    )
    assert response.status_code == 302


# The rows attached to the return.


def test_it_refuses_a_negative_fund_balance(officer_client, tree, edit_url, snapshot):
    before = snapshot()
    response = officer_client.post(
        edit_url(), form_data(funds=[{"name": "Quỹ A", "kind": "named", "balance": "-1"}])
    )
    assert "Số liệu không được âm." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_the_same_fund_twice(officer_client, tree, edit_url, snapshot):
    rows = [{"name": "Quỹ A", "kind": "named", "balance": 1}, {"name": "quỹ a", "kind": "clan", "balance": 2}]
    before = snapshot()
    response = officer_client.post(edit_url(), form_data(funds=rows))
    assert "Quỹ “quỹ a” xuất hiện hai lần." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_the_same_scholarship_programme_twice(officer_client, tree, edit_url, snapshot):
    rows = [{"programme": "Học bổng A"}, {"programme": "Học bổng A"}]
    before = snapshot()
    response = officer_client.post(edit_url(), form_data(scholarships=rows))
    assert "Chương trình học bổng “Học bổng A” xuất hiện hai lần." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_a_transfer_without_a_giver(officer_client, tree, edit_url, snapshot):
    before = snapshot()
    response = officer_client.post(edit_url(), form_data(transfers=[{"purpose": "Hỗ trợ", "amount": 1}]))
    assert "Cần ghi rõ hội hoặc người/tổ chức trao." in response.content.decode()
    assert snapshot() == before


def test_it_refuses_a_transfer_dated_in_another_year(officer_client, tree, edit_url, snapshot):
    row = {"purpose": "Hỗ trợ", "giver_name": "Doanh nghiệp X", "date": f"{YEAR - 1}-12-31"}
    before = snapshot()
    response = officer_client.post(edit_url(), form_data(transfers=[row]))
    assert f"Ngày trao phải thuộc năm {YEAR}." in response.content.decode()
    assert snapshot() == before


def _field_block(body: str, name: str) -> str:
    """The markup of the field `name` on the entry page, from its container's start to its end."""
    found = re.search(
        rf'<(div|fieldset) class="field[^"]*">(?:(?!</\1>).)*?name="{name}"(?:(?!</\1>).)*</\1>', body, re.S
    )
    assert found, f"no field container around {name}"
    return found.group(0)


def test_it_shows_an_amount_refusal_inside_its_own_field(officer_client, existing, edit_url):
    # A list inside a <p> closes it, and the grid then set the suggestion beside the next field.
    body = _post(officer_client, edit_url(), existing, mobilised_cash="10,939").content.decode()
    assert "Có phải ý bạn là “10,939 tỷ”" in _field_block(body, "mobilised_cash")


def test_it_lists_the_coverage_choices_under_their_question(officer_client, existing, edit_url):
    block = _field_block(officer_client.get(edit_url()).content.decode(), "coverage")
    assert "<legend>Các số liệu trên là</legend>" in block
    assert block.count('type="radio"') == 2
    assert "Toàn bộ các cấp trực thuộc" in block

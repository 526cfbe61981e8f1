"""Entering a year's figures in the browser: the return, its funds, scholarships and transfers."""

import datetime

from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer

from .conftest import YEAR
from .helpers import form_data, input_values


def grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_it_shows_an_empty_form_for_a_year_without_return(officer_client, edit_url):
    response = officer_client.get(edit_url())
    assert response.status_code == 200
    assert "Chưa có báo cáo" in response.content.decode()
    assert input_values(response)["mobilised_cash"] == ""


def test_it_creates_a_draft_return(officer_client, tree, edit_url):
    data = form_data(population=1_000_000, mobilised_cash=40_000_000_000, awards_paid=7, notes="Ghi chú")
    response = officer_client.post(edit_url(), data)
    assert response.status_code == 302 and response["Location"] == edit_url()
    saved = AnnualReturn.objects.get(association=tree.p1, year=YEAR)
    assert (saved.population, saved.mobilised_cash, saved.awards_paid, saved.notes) == (
        1_000_000,
        40_000_000_000,
        7,
        "Ghi chú",
    )
    assert saved.status == AnnualReturn.Status.DRAFT


def test_it_updates_the_return_and_bumps_its_version(officer_client, draft, edit_url):
    officer_client.post(edit_url(), form_data(version=draft.version, population=900_000, facilities=5))
    saved = AnnualReturn.objects.get(pk=draft.pk)
    assert (saved.population, saved.facilities, saved.mobilised_cash) == (900_000, 5, None)
    assert saved.version == draft.version + 1


def test_it_shows_the_saved_message_and_the_subtree_totals(officer_client, tree, make_return, edit_url):
    make_return(tree.c1, mobilised_cash=3_000_000_000)
    data = form_data(population=1_000_000, mobilised_cash=40_000_000_000)
    body = officer_client.post(edit_url(), data, follow=True).content.decode()
    assert f"Đã lưu số liệu năm {YEAR}." in body
    per_inhabitant = (40_000_000_000 + 3_000_000_000) // 1_000_000
    assert f"{grouped(per_inhabitant)} đồng/người" in body
    assert "43 tỷ đồng" in body


def test_it_shows_a_dash_per_inhabitant_without_population(officer_client, tree, edit_url):
    body = officer_client.post(edit_url(), form_data(mobilised_cash=5_000), follow=True).content.decode()
    assert "<dt>Bình quân đầu người</dt><dd>—</dd>" in body


def test_it_resaves_the_page_as_loaded_without_changing_anything(
    officer_client, draft, attachments, edit_url
):
    values = input_values(officer_client.get(edit_url()))
    assert officer_client.post(edit_url(), values).status_code == 302
    saved = AnnualReturn.objects.get(pk=draft.pk)
    assert (saved.population, saved.mobilised_cash) == (draft.population, draft.mobilised_cash)
    assert FundBalance.objects.get().balance == attachments["balance"].balance
    assert Scholarship.objects.get().total_value == attachments["scholarship"].total_value
    assert Transfer.objects.get().amount == attachments["transfer"].amount


def test_it_lists_the_attached_rows_with_grouped_amounts(officer_client, draft, attachments, tree, edit_url):
    values = input_values(officer_client.get(edit_url()))
    assert (values["funds-0-name"], values["funds-0-balance"]) == ("Quỹ Một", "1.000.000")
    assert (values["scholarships-0-programme"], values["scholarships-0-total_value"]) == (
        "Học bổng Một",
        "9.000.000",
    )
    assert (values["transfers-0-giver_name"], values["transfers-0-amount"]) == (
        tree.central.name,
        "5.000.000",
    )


# Named funds and their balance for the year.


def test_it_adds_a_fund_with_its_balance(officer_client, tree, edit_url):
    rows = [{"name": "Quỹ Hùng Vương", "kind": "named", "balance": "11.100.000.000"}]
    officer_client.post(edit_url(), form_data(funds=rows))
    fund = Fund.objects.get(association=tree.p1)
    assert (fund.name, fund.kind) == ("Quỹ Hùng Vương", "named")
    assert fund.balances.get(year=YEAR).balance == 11_100_000_000


def test_it_changes_a_fund_balance_in_place(officer_client, draft, attachments, edit_url):
    fund = attachments["fund"]
    rows = [{"fund_id": fund.pk, "name": fund.name, "kind": "clan", "balance": 2_000_000}]
    officer_client.post(edit_url(), form_data(version=draft.version, funds=rows))
    assert Fund.objects.get().kind == "clan"
    assert FundBalance.objects.get().balance == 2_000_000


def test_it_removes_a_fund_row_and_the_fund_it_no_longer_needs(officer_client, draft, attachments, edit_url):
    fund = attachments["fund"]
    rows = [{"fund_id": fund.pk, "name": fund.name, "kind": fund.kind, "balance": 1, "DELETE": True}]
    officer_client.post(edit_url(), form_data(version=draft.version, funds=rows))
    assert not FundBalance.objects.exists()
    assert not Fund.objects.exists()


def test_it_keeps_a_fund_with_balances_in_other_years(officer_client, draft, attachments, edit_url):
    fund = attachments["fund"]
    FundBalance.objects.create(fund=fund, year=YEAR - 1, balance=5)
    rows = [{"fund_id": fund.pk, "name": fund.name, "kind": fund.kind, "DELETE": True}]
    officer_client.post(edit_url(), form_data(version=draft.version, funds=rows))
    assert list(fund.balances.values_list("year", flat=True)) == [YEAR - 1]


def test_it_ignores_a_fund_of_another_association_in_the_post(officer_client, tree, edit_url):
    other = Fund.objects.create(association=tree.p2, name="Quỹ Hai")
    FundBalance.objects.create(fund=other, year=YEAR, balance=9)
    rows = [{"fund_id": other.pk, "name": "Quỹ Hai", "kind": "named", "DELETE": True}]
    officer_client.post(edit_url(), form_data(funds=rows))
    assert FundBalance.objects.get(fund=other).balance == 9


# Scholarships and transfers received.


def test_it_adds_a_scholarship(officer_client, tree, edit_url):
    row = {"programme": "Du học Nhật Bản", "donor": "X", "awards": 10, "total_value": "5.000.000.000"}
    officer_client.post(edit_url(), form_data(scholarships=[row | {"in_kind": True, "abroad": True}]))
    s = Scholarship.objects.get(association=tree.p1, year=YEAR)
    assert (s.programme, s.awards, s.total_value, s.in_kind, s.abroad) == (
        "Du học Nhật Bản",
        10,
        5_000_000_000,
        True,
        True,
    )


def test_it_updates_a_scholarship_in_place(officer_client, draft, attachments, edit_url):
    s = attachments["scholarship"]
    row = {"id": s.pk, "programme": s.programme, "awards": 4, "total_value": s.total_value}
    officer_client.post(edit_url(), form_data(version=draft.version, scholarships=[row]))
    assert list(Scholarship.objects.values_list("pk", "awards")) == [(s.pk, 4)]


def test_it_removes_a_scholarship_row(officer_client, draft, attachments, edit_url):
    s = attachments["scholarship"]
    row = {"id": s.pk, "programme": s.programme, "DELETE": True}
    officer_client.post(edit_url(), form_data(version=draft.version, scholarships=[row]))
    assert not Scholarship.objects.exists()


def test_it_adds_a_transfer_from_an_outside_giver(officer_client, tree, edit_url):
    row = {"giver_name": "Quỹ Khuyến học Việt Nam", "date": f"{YEAR}-11-29", "amount": "100.000.000"}
    officer_client.post(edit_url(), form_data(transfers=[row | {"purpose": "Học bổng"}]))
    t = Transfer.objects.get(recipient=tree.p1, year=YEAR)
    assert (t.giver_id, t.giver_name, t.date, t.amount) == (
        None,
        "Quỹ Khuyến học Việt Nam",
        datetime.date(YEAR, 11, 29),
        100_000_000,
    )


def test_it_keeps_an_undisclosed_transfer_amount_blank(officer_client, tree, edit_url):
    row = {"giver_id": tree.central.pk, "giver_name": "", "purpose": "Học bổng", "amount": ""}
    officer_client.post(edit_url(), form_data(transfers=[row]))
    t = Transfer.objects.get(recipient=tree.p1)
    assert (t.giver_id, t.amount) == (tree.central.pk, None)


def test_it_removes_a_transfer_row(officer_client, draft, attachments, edit_url):
    t = attachments["transfer"]
    row = {"id": t.pk, "giver_id": t.giver_id, "purpose": t.purpose, "DELETE": True}
    officer_client.post(edit_url(), form_data(version=draft.version, transfers=[row]))
    assert not Transfer.objects.exists()


def test_it_bumps_the_version_when_only_rows_change(officer_client, draft, edit_url):
    rows = [{"programme": "Học bổng mới", "awards": 1}]
    data = form_data(
        version=draft.version,
        population=draft.population,
        mobilised_cash=draft.mobilised_cash,
        scholarships=rows,
    )
    officer_client.post(edit_url(), data)
    assert AnnualReturn.objects.get(pk=draft.pk).version == draft.version + 1


def test_it_shows_the_change_on_last_year_in_dong_and_percent(officer_client, tree, make_return, edit_url):
    make_return(tree.p1, YEAR - 1, population=1_000_000, mobilised_cash=40_000_000_000)
    make_return(tree.p1, population=1_000_000, mobilised_cash=43_000_000_000)
    body = officer_client.get(edit_url()).content.decode()
    # 43.000 − 40.000 đồng per inhabitant = +3.000 đồng, +7,5 %
    assert "<dt>So với năm trước</dt><dd>+3.000 đ (+7,5%)</dd>" in body

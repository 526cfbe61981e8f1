"""The history page of a return: who changed what, from which value to which, attachments included."""

import pytest
from django.urls import reverse

from funds import workflow
from funds.models import AnnualReturn

from .conftest import YEAR
from .helpers import form_data, history_entries

RETURN = f"Báo cáo năm {YEAR}"


@pytest.fixture
def history(tree, login, reviewer):
    """The entries of P1's history page for YEAR (or another node and year), read by the reviewer."""
    client = login(reviewer)

    def _history(association=None, year: int = YEAR) -> list[dict]:
        url = reverse("return_history", args=[(association or tree.p1).pk, year])
        return history_entries(client.get(url))

    return _history


@pytest.fixture
def entered(officer, login, edit_url):
    """P1's return for YEAR created by `officer` through the form, with a fund, scholarship and transfer."""
    data = form_data(
        population=1_000_000,
        mobilised_cash="40.000.000.000",
        funds=[{"name": "Quỹ A", "kind": "named", "balance": "1.000"}],
        scholarships=[{"programme": "Học bổng B", "awards": 2, "total_value": "3.000"}],
        transfers=[{"giver_name": "Doanh nghiệp C", "purpose": "Tặng quỹ", "amount": "4.000"}],
    )
    assert login(officer).post(edit_url(), data).status_code == 302
    return AnnualReturn.objects.get()


def _entry(entries, what: str, action: str) -> dict:
    found = [e for e in entries if (e["what"], e["action"]) == (what, action)]
    assert len(found) == 1, (what, action, entries)
    return found[0]


def test_it_records_the_creation_with_author_and_new_values(entered, history):
    entry = _entry(history(), RETURN, "Tạo mới")
    assert entry["user"] == "officer"
    assert ("dân số", "—", "1.000.000") in entry["changes"]
    assert ("vận động bằng tiền", "—", "40.000.000.000") in entry["changes"]


def test_it_records_an_edit_with_the_old_and_new_value_only(entered, officer2, login, edit_url, history):
    data = form_data(version=entered.version, population=1_000_000, mobilised_cash="41.000.000.000")
    login(officer2).post(edit_url(), data)
    entry = _entry(history(), RETURN, "Sửa")
    assert entry["user"] == "officer2"
    assert entry["changes"] == [("vận động bằng tiền", "40.000.000.000", "41.000.000.000")]


def test_it_records_the_submission(entered, officer, login, history):
    login(officer).post(reverse("return_submit", args=[entered.pk]))
    entry = _entry(history(), RETURN, "Sửa")
    assert entry["user"] == "officer"
    assert ("trạng thái", "Nháp", "Đã gửi") in entry["changes"]


def test_it_records_the_approval(entered, officer, reviewer, login, history):
    workflow.annual_return_submit(user=officer, annual_return=entered)
    version = AnnualReturn.objects.get(pk=entered.pk).version
    login(reviewer).post(reverse("return_approve", args=[entered.pk]), {"version": version})
    approvals = [e for e in history() if ("trạng thái", "Đã gửi", "Đã duyệt") in e["changes"]]
    assert [e["user"] for e in approvals] == ["reviewer"]


def test_it_records_a_bulk_approval(entered, officer, reviewer, login, history):
    submitted = workflow.annual_return_submit(user=officer, annual_return=entered)
    login(reviewer).post(reverse("review_list"), {"returns": [f"{submitted.pk}:{submitted.version}"]})
    approvals = [e for e in history() if ("trạng thái", "Đã gửi", "Đã duyệt") in e["changes"]]
    assert [e["user"] for e in approvals] == ["reviewer"]


def test_it_records_a_reopening_with_its_reason(entered, officer, reviewer, login, history):
    submitted = workflow.annual_return_submit(user=officer, annual_return=entered)
    workflow.annual_return_approve(user=reviewer, annual_return=submitted, expected_version=submitted.version)
    login(reviewer).post(reverse("return_reopen", args=[entered.pk]), {"reason": "Sai dân số"})
    entry = history()[0]
    assert entry["user"] == "reviewer"
    assert ("trạng thái", "Đã duyệt", "Nháp") in entry["changes"]
    assert ("lý do mở lại / trả lại", "—", "Sai dân số") in entry["changes"]


def test_it_lists_the_newest_change_first(entered, officer, login, history):
    login(officer).post(reverse("return_submit", args=[entered.pk]))
    assert ("trạng thái", "Nháp", "Đã gửi") in history()[0]["changes"]


def test_it_records_a_new_fund_and_its_balance(entered, history):
    entries = history()
    assert _entry(entries, "Quỹ A", "Tạo mới")["user"] == "officer"
    balance = _entry(entries, "Số dư Quỹ A", "Tạo mới")
    assert balance["user"] == "officer"
    assert ("số dư cuối năm", "—", "1.000") in balance["changes"]


def test_it_records_a_changed_fund_balance(entered, officer2, login, edit_url, history):
    fund = entered.association.funds.get()
    rows = [{"fund_id": fund.pk, "name": "Quỹ A", "kind": "named", "balance": "2.000"}]
    login(officer2).post(edit_url(), form_data(version=entered.version, population=1_000_000, funds=rows))
    entry = _entry(history(), "Số dư Quỹ A", "Sửa")
    assert entry["user"] == "officer2"
    assert entry["changes"] == [("số dư cuối năm", "1.000", "2.000")]


def test_it_records_a_changed_scholarship(entered, officer2, login, edit_url, history):
    s = entered.association.scholarships.get()
    rows = [{"id": s.pk, "programme": s.programme, "awards": 5, "total_value": "3.000", "abroad": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, scholarships=rows))
    entry = _entry(history(), "Học bổng: Học bổng B", "Sửa")
    assert entry["user"] == "officer2"
    assert sorted(entry["changes"]) == [("số suất", "2", "5"), ("ở nước ngoài", "không", "có")]


def test_it_records_a_removed_scholarship(entered, officer2, login, edit_url, history):
    s = entered.association.scholarships.get()
    rows = [{"id": s.pk, "programme": s.programme, "DELETE": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, scholarships=rows))
    assert _entry(history(), "Học bổng: Học bổng B", "Xoá")["user"] == "officer2"


def test_it_records_a_changed_transfer(entered, officer2, login, edit_url, history):
    t = entered.association.transfers_received.get()
    rows = [{"id": t.pk, "giver_name": t.giver_name, "purpose": t.purpose, "amount": "5.000"}]
    login(officer2).post(edit_url(), form_data(version=entered.version, transfers=rows))
    entry = _entry(history(), "Khoản nhận: Tặng quỹ", "Sửa")
    assert entry["user"] == "officer2"
    assert entry["changes"] == [("số tiền", "4.000", "5.000")]


def test_it_keeps_other_years_and_associations_out(entered, tree, officer, login, edit_url, history):
    login(officer).post(edit_url(tree.c1), form_data(mobilised_cash=1))
    login(officer).post(edit_url(year=YEAR - 1), form_data(mobilised_cash=2))
    assert {e["what"] for e in history()} == {
        RETURN,
        "Quỹ A",
        "Số dư Quỹ A",
        "Học bổng: Học bổng B",
        "Khoản nhận: Tặng quỹ",
    }


def test_it_says_when_nothing_was_recorded(tree, history, login, reviewer):
    response = login(reviewer).get(reverse("return_history", args=[tree.p1.pk, YEAR]))
    assert "Chưa có thay đổi nào được ghi lại cho năm này." in response.content.decode()
    assert history() == []


def test_it_shows_the_old_values_of_a_removed_scholarship(entered, officer2, login, edit_url, history):
    s = entered.association.scholarships.get()
    rows = [{"id": s.pk, "programme": s.programme, "DELETE": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, scholarships=rows))
    entry = _entry(history(), "Học bổng: Học bổng B", "Xoá")
    assert sorted(entry["changes"]) == [
        ("chương trình học bổng", "Học bổng B", "—"),
        ("số suất", "2", "—"),
        ("tổng giá trị", "3.000", "—"),
    ]


def test_it_shows_the_old_values_of_a_removed_fund_balance(entered, officer2, login, edit_url, history):
    fund = entered.association.funds.get()
    rows = [{"fund_id": fund.pk, "name": "Quỹ A", "kind": "named", "balance": "1.000", "DELETE": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, population=1_000_000, funds=rows))
    entries = history()
    assert _entry(entries, "Số dư Quỹ A", "Xoá")["changes"] == [("số dư cuối năm", "1.000", "—")]
    assert ("tên quỹ", "Quỹ A", "—") in _entry(entries, "Quỹ A", "Xoá")["changes"]


def test_it_shows_the_old_values_of_a_removed_transfer(entered, officer2, login, edit_url, history):
    t = entered.association.transfers_received.get()
    rows = [{"id": t.pk, "giver_name": t.giver_name, "purpose": t.purpose, "DELETE": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, population=1_000_000, transfers=rows))
    changes = _entry(history(), "Khoản nhận: Tặng quỹ", "Xoá")["changes"]
    assert ("số tiền", "4.000", "—") in changes
    assert ("người/tổ chức trao", "Doanh nghiệp C", "—") in changes


def test_it_shows_a_removed_fund_balance_with_its_old_value(entered, officer2, login, edit_url, history):
    fund = entered.association.funds.get()
    rows = [{"fund_id": fund.pk, "name": "Quỹ A", "kind": "named", "balance": "1.000", "DELETE": True}]
    login(officer2).post(edit_url(), form_data(version=entered.version, population=1_000_000, funds=rows))
    entry = _entry(history(), "Số dư Quỹ A", "Xoá")
    assert (entry["user"], entry["changes"]) == ("officer2", [("số dư cuối năm", "1.000", "—")])

"""The entry form under hostile POSTs: no server error, all or nothing, markup shown as text."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from funds import services, views
from funds.forms import FundFormSet, ReturnForm, ScholarshipFormSet, TransferFormSet
from funds.models import MAX_AMOUNT, MAX_POPULATION, AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from tests.funds.helpers import FIGURES

from .support import (
    TRICKY_TEXT,
    UNICODE_DIGITS,
    assert_escaped,
    cases,
    db_state,
    id_text,
    number_text,
    rolled_back,
    text,
)

YEAR = 2023
MODELS = (AnnualReturn, Fund, FundBalance, Scholarship, Transfer)
COUNTS = ["-1", "", "abc", "1001", "2001", str(10**18), *UNICODE_DIGITS[:3], " 2", "2.0"]
DATES = ["2023-05-01", "2022-12-31", "2023-02-30", "0000-00-00", "9999-12-31", "01/05/2023", "²⁰²³-01-01"]


@pytest.fixture
def entry(tree, officer):
    """P1's draft with a fund, a scholarship and a transfer, last year's return, and P2's rows to forge."""
    AnnualReturn.objects.create(
        association=tree.p1, year=YEAR - 1, population=1_000_000, mobilised_cash=10**9
    )
    current = AnnualReturn.objects.create(
        association=tree.p1, year=YEAR, population=1_000_000, mobilised_cash=2 * 10**9, notes="cũ"
    )
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Một")
    FundBalance.objects.create(fund=fund, year=YEAR, balance=1_000_000)
    scholarship = Scholarship.objects.create(association=tree.p1, year=YEAR, programme="Học bổng Một")
    transfer = Transfer.objects.create(recipient=tree.p1, year=YEAR, giver=tree.central, purpose="Hỗ trợ")
    theirs = Fund.objects.create(association=tree.p2, name="Quỹ Hai")
    FundBalance.objects.create(fund=theirs, year=YEAR, balance=5)
    their_scholarship = Scholarship.objects.create(association=tree.p2, year=YEAR, programme="Học bổng Hai")
    their_transfer = Transfer.objects.create(recipient=tree.p2, year=YEAR, giver_name="Ai đó", purpose="X")
    client = Client()
    client.force_login(officer)
    return {
        "client": client,
        "url": reverse("return_edit", args=[tree.p1.pk, YEAR]),
        "version": current.version,
        "p1": tree.p1,
        "fund_ids": [fund.pk, theirs.pk],
        "scholarship_ids": [scholarship.pk, their_scholarship.pk],
        "transfer_ids": [transfer.pk, their_transfer.pk],
        "giver_ids": [tree.central.pk, tree.p2.pk, tree.p3.pk],
    }


def valid_or(hostile, valid):
    return st.one_of(valid, hostile)


@st.composite
def rows(draw, prefix: str, fields: dict, ids: list[int]) -> dict:
    """A formset's POST data: a few rows, forged ids, DELETE on any row, forged management counts."""
    n = draw(st.integers(min_value=0, max_value=3))
    data = {}
    for i in range(n):
        for name, strategy in fields.items():
            value = draw(st.one_of(st.none(), strategy))
            if value is not None:
                data[f"{prefix}-{i}-{name}"] = value
        key = "fund_id" if prefix == "funds" else "id"
        if draw(st.booleans()):
            data[f"{prefix}-{i}-{key}"] = draw(id_text(ids))
        if draw(st.integers(0, 3)) == 0:
            data[f"{prefix}-{i}-DELETE"] = draw(st.sampled_from(["on", "", "off", "²"]))
    initial = sum(1 for i in range(n) if f"{prefix}-{i}-id" in data or f"{prefix}-{i}-fund_id" in data)
    data[f"{prefix}-TOTAL_FORMS"] = draw(valid_or(st.sampled_from(COUNTS), st.just(str(n))))
    data[f"{prefix}-INITIAL_FORMS"] = draw(valid_or(st.sampled_from(COUNTS), st.just(str(initial))))
    data[f"{prefix}-MIN_NUM_FORMS"] = "0"
    data[f"{prefix}-MAX_NUM_FORMS"] = draw(st.sampled_from(["1000", "0", "-1", str(10**18)]))
    return data


def amount():
    return valid_or(number_text(), st.integers(min_value=0, max_value=10**10).map(str))


@st.composite
def posts(draw, entry) -> dict:
    """One POST of the entry form; in half of them only a field or two are hostile, so some are saved."""
    figures = {
        name: draw(
            valid_or(number_text(), st.integers(min_value=1_000_000, max_value=1_500_000).map(str))
            if name == "population"
            else valid_or(number_text(), st.integers(min_value=10**9, max_value=3 * 10**9).map(str))
        )
        for name in FIGURES
    }
    data = {name: value for name, value in figures.items()}
    data["notes"] = draw(text())
    data["coverage"] = draw(st.sampled_from(["own", "all", "", "ALL", "both", "<script>", "\x00"]))
    data["version"] = draw(valid_or(id_text(), st.just(str(entry["version"]))))
    if draw(st.booleans()):
        data["confirm_outliers"] = draw(st.sampled_from(["on", "1", "false", "²"]))
    data |= draw(
        rows(
            "funds",
            {
                "name": text(),
                "kind": st.sampled_from(["named", "general", "clan", "x", ""]),
                "balance": amount(),
            },
            entry["fund_ids"],
        )
    )
    data |= draw(
        rows(
            "scholarships",
            {
                "programme": text(),
                "donor": text(),
                "awards": amount(),
                "total_value": amount(),
                "in_kind": st.sampled_from(["on", ""]),
                "abroad": st.sampled_from(["on", ""]),
            },
            entry["scholarship_ids"],
        )
    )
    data |= draw(
        rows(
            "transfers",
            {
                "giver_id": id_text(entry["giver_ids"]),
                "giver_name": text(),
                "date": valid_or(text(), st.sampled_from(DATES)),
                "amount": amount(),
                "purpose": text(),
            },
            entry["transfer_ids"],
        )
    )
    return data


def _whole(text: str) -> int | None:
    """The number a plain ASCII integer stands for, else None (then only the bounds are checked)."""
    return int(text) if text.isascii() and text.isdigit() else None


def check_saved(p1, data: dict) -> None:
    """After a save: every figure within its bounds, plain integers stored as typed, the notes as typed."""
    saved = AnnualReturn.objects.get(association=p1, year=YEAR)
    for name in FIGURES:
        value = getattr(saved, name)
        low, high = (1, MAX_POPULATION) if name == "population" else (0, MAX_AMOUNT)
        assert value is None or low <= value <= high, (name, value)
        typed = _whole(data[name].strip())
        if typed is not None:
            assert value == typed, (name, value, data[name])
    assert saved.notes == data["notes"].strip()
    assert saved.coverage in ("own", "all")
    for model, field in ((FundBalance, "balance"), (Scholarship, "total_value"), (Transfer, "amount")):
        for value in model.objects.values_list(field, flat=True):
            assert value is None or 0 <= value <= MAX_AMOUNT


def others(p1) -> dict:
    """The rows of every association but P1: no POST of P1's form may touch them."""
    return {
        "funds": list(Fund.objects.exclude(association=p1).order_by("pk").values()),
        "balances": list(FundBalance.objects.exclude(fund__association=p1).order_by("pk").values()),
        "scholarships": list(Scholarship.objects.exclude(association=p1).order_by("pk").values()),
        "transfers": list(Transfer.objects.exclude(recipient=p1).order_by("pk").values()),
    }


@cases(40)
@given(data=st.data())
def test_it_answers_every_entry_post_without_error_and_writes_all_or_nothing(entry, data):
    """Through the page, as the browser posts: the slow path, so fewer cases (see the next test)."""
    post = data.draw(posts(entry))
    with rolled_back():
        before, theirs = db_state(*MODELS), others(entry["p1"])
        response = entry["client"].post(entry["url"], post)
        event(f"status {response.status_code}")
        assert response.status_code < 500
        assert others(entry["p1"]) == theirs
        if response.status_code == 302:
            check_saved(entry["p1"], post)
            page = entry["client"].get(entry["url"])
            assert page.status_code == 200
            assert_escaped(page.content, post.values())
        else:
            assert db_state(*MODELS) == before
            assert_escaped(response.content, post.values())


@cases(150)
@given(data=st.data())
def test_it_saves_every_entry_post_through_the_view_path_all_or_nothing(entry, officer, data):
    """The view's own write path without the page (forms, `_changes`, the service), many more cases.

    Only the exceptions the view turns into messages may come out of the service.
    """
    post = data.draw(posts(entry))
    querydict = QueryDict(mutable=True)
    for key, value in post.items():
        querydict[key] = value
    with rolled_back():
        before, theirs = db_state(*MODELS), others(entry["p1"])
        form = ReturnForm(querydict)
        fund_set = FundFormSet(querydict, prefix="funds")
        scholarship_set = ScholarshipFormSet(querydict, prefix="scholarships")
        transfer_set = TransferFormSet(querydict, prefix="transfers", form_kwargs={"year": YEAR})
        forms = [form, fund_set, scholarship_set, transfer_set]
        saved = False
        if all([f.is_valid() for f in forms]):
            try:
                with transaction.atomic():
                    services.annual_return_save(
                        user=officer,
                        association=entry["p1"],
                        year=YEAR,
                        changes=views._changes(form, fund_set, scholarship_set, transfer_set),
                        expected_version=form.cleaned_data.get("version"),
                        confirm_outliers=form.cleaned_data.get("confirm_outliers", False),
                    )
            except (services.ConflictError, ValidationError) as exc:
                event(f"refused: {type(exc).__name__}")
            else:
                saved = True
        else:
            event("invalid form")
        assert others(entry["p1"]) == theirs
        if saved:
            event("saved")
            check_saved(entry["p1"], post)
        else:
            assert db_state(*MODELS) == before


@cases(20)
@given(notes=st.sampled_from(TRICKY_TEXT))
def test_it_stores_any_tricky_note_and_shows_it_as_text(entry, notes):
    """The same with only the notes hostile: each must be saved (or refused) and shown escaped."""
    with rolled_back():
        figures = {"population": "1000000", "mobilised_cash": "2000000000"}
        post = {name: figures.get(name, "") for name in FIGURES}
        post |= {"notes": notes, "version": str(entry["version"]), "coverage": "own"}
        for prefix in ("funds", "scholarships", "transfers"):
            post |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
        before = db_state(*MODELS)
        response = entry["client"].post(entry["url"], post)
        assert response.status_code < 500
        if response.status_code == 302:
            check_saved(entry["p1"], post)
            assert_escaped(entry["client"].get(entry["url"]).content, [notes])
        else:
            assert "\x00" in notes, "only a NUL may refuse a note"
            assert db_state(*MODELS) == before

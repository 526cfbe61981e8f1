"""Imports racing each other or a form on a return that does not exist yet: one wins, the other is told.

The threaded tests need real parallel connections and row locks, so they run on PostgreSQL only
(SQLite's test database is one connection, and its write lock serialises everything anyway).
"""

import threading
import time
from functools import partial

import pytest
from django.conf import settings
from django.db import connection

from funds import imports, services, workflow
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship
from funds.spreadsheets.cells import tier_label
from funds.spreadsheets.resources import FundBalanceResource, ScholarshipResource
from tests.funds.test_import_support import YEAR, db_state, xlsx

ROUNDS = 6
TOLD = (imports.ImportConflict, services.ConflictError)

postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs parallel connections and row locks: run with DATABASE_URL=postgres://…",
)


def _scholarships(node, year, total_value) -> bytes:
    values = [node.code, tier_label(node.tier), node.name, year, "Học bổng Ánh Dương", "Công ty A"]
    return xlsx([[*values, 10, total_value, "Không", "Không"]], headers=ScholarshipResource.headers())


def _balances(node, year, balance) -> bytes:
    values = [node.code, tier_label(node.tier), node.name, year, "Quỹ Một", "Quỹ mang tên", balance]
    return xlsx([values], headers=FundBalanceResource.headers())


class _Import:
    """One officer's import: previewed before the start line, confirmed after it."""

    def __init__(self, user, content: bytes, *, delay: float = 0):
        self.user, self.content, self.delay = user, content, delay

    def prepare(self) -> None:
        preview = imports.import_preview(user=self.user, content=self.content, filename="a.xlsx")
        assert preview.errors == []
        self.fingerprint = preview.fingerprint

    def go(self):
        time.sleep(self.delay)
        return imports.import_confirm(
            user=self.user, content=self.content, filename="a.xlsx", fingerprint=self.fingerprint
        )


class _FirstSave:
    """The entry form of a return not created yet, saved with the given figures."""

    def __init__(self, user, association, year, **figures):
        self.user, self.association, self.year, self.figures = user, association, year, figures

    def prepare(self) -> None:
        connection.ensure_connection()  # as the import's preview did: connecting is slow

    def go(self):
        return services.annual_return_save(
            user=self.user,
            association=self.association,
            year=self.year,
            changes=services.ReturnChanges(figures=self.figures),
            expected_version=None,
        )


def _race(*contenders) -> list:
    """Run the contenders in threads, released together after each has prepared; what each returned
    or raised, in order."""
    barrier = threading.Barrier(len(contenders), timeout=10)
    outcomes: list = [None] * len(contenders)

    def run(i, contender):
        try:
            contender.prepare()
            barrier.wait()
            outcomes[i] = contender.go()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _one_winner(outcomes) -> int:
    """The index of the only contender that succeeded; every other one must have been told."""
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, TOLD)]
    assert unexpected == []
    winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    return winners[0]


def _rounds():
    """(whether the row is already stored, year): a fresh year per round, so that each round
    starts with no return; the rows alternate between new and already stored (without a return)."""
    return [(i % 2 == 1, YEAR - i) for i in range(ROUNDS)]


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_lets_one_of_two_scholarship_imports_win(tree, officer):
    started = time.perf_counter()
    for stored, year in _rounds():
        if stored:
            Scholarship.objects.create(association=tree.c1, year=year, programme="Học bổng Ánh Dương")
        values = [1_000_000, 2_000_000]
        outcomes = _race(*(_Import(officer, _scholarships(tree.c1, year, v)) for v in values))
        winner = _one_winner(outcomes)
        assert isinstance(outcomes[1 - winner], imports.ImportConflict)
        scholarship = Scholarship.objects.get(association=tree.c1, year=year)
        assert scholarship.total_value == values[winner]
        # The return was created for the import, so that an entry form opened before it sees a conflict.
        assert AnnualReturn.objects.filter(association=tree.c1, year=year).exists()
    print(f"\n{ROUNDS} rounds of two scholarship imports: {time.perf_counter() - started:.2f} s")


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_lets_one_of_two_fund_balance_imports_win(tree, officer):
    started = time.perf_counter()
    for stored, year in _rounds():
        if stored:
            fund, _created = Fund.objects.get_or_create(association=tree.c1, name="Quỹ Một")
            FundBalance.objects.create(fund=fund, year=year, balance=1)
        values = [100, 200]
        outcomes = _race(*(_Import(officer, _balances(tree.c1, year, v)) for v in values))
        winner = _one_winner(outcomes)
        assert isinstance(outcomes[1 - winner], imports.ImportConflict)
        balance = FundBalance.objects.get(fund__association=tree.c1, year=year)
        assert balance.balance == values[winner]
        assert AnnualReturn.objects.filter(association=tree.c1, year=year).exists()
    print(f"\n{ROUNDS} rounds of two fund balance imports: {time.perf_counter() - started:.2f} s")


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_lets_an_import_or_a_first_form_save_win_not_both(tree, officer):
    started = time.perf_counter()
    wins = {"import": 0, "form": 0}
    for late, year in _rounds():
        # The form is slower to reach its insert; every other round, the import starts a little later.
        outcomes = _race(
            _Import(officer, _scholarships(tree.c1, year, 1_000_000), delay=0.06 if late else 0),
            _FirstSave(officer, tree.c1, year, mobilised_cash=5_000_000),
        )
        winner = _one_winner(outcomes)
        wins[["import", "form"][winner]] += 1
        annual_return = AnnualReturn.objects.get(association=tree.c1, year=year)
        has_scholarship = Scholarship.objects.filter(association=tree.c1, year=year).exists()
        if winner == 0:
            assert (annual_return.mobilised_cash, has_scholarship) == (None, True)
        else:
            assert (annual_return.mobilised_cash, has_scholarship) == (5_000_000, False)
    print(
        f"\n{ROUNDS} rounds of an import against a first save: {wins}, {time.perf_counter() - started:.2f} s"
    )


@pytest.mark.parametrize("content", [_scholarships, _balances], ids=["scholarships", "balances"])
def test_it_refuses_an_import_when_the_return_was_created_after_the_preview(tree, officer, content):
    file = content(tree.c1, YEAR, 3_000_000)
    preview = imports.import_preview(user=officer, content=file, filename="a.xlsx")
    assert preview.errors == [] and preview.new == 1
    services.annual_return_save(
        user=officer,
        association=tree.c1,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 1}),
        expected_version=None,
    )
    before = db_state()
    with pytest.raises(imports.ImportConflict):
        imports.import_confirm(user=officer, content=file, filename="a.xlsx", fingerprint=preview.fingerprint)
    assert db_state() == before


def test_it_creates_the_missing_return_so_that_an_open_form_sees_a_conflict(tree, officer):
    file = _scholarships(tree.c1, YEAR, 3_000_000)
    preview = imports.import_preview(user=officer, content=file, filename="a.xlsx")
    imports.import_confirm(user=officer, content=file, filename="a.xlsx", fingerprint=preview.fingerprint)
    annual_return = AnnualReturn.objects.get(association=tree.c1, year=YEAR)
    assert (annual_return.version, annual_return.history.get().history_user) == (1, officer)
    with pytest.raises(services.ConflictError):
        services.annual_return_save(
            user=officer,
            association=tree.c1,
            year=YEAR,
            changes=services.ReturnChanges(figures={"mobilised_cash": 1}),
            expected_version=None,
        )


class _Call:
    """A workflow step of its own connection, started `delay` seconds after the start line."""

    def __init__(self, step, *, delay: float = 0):
        self.step, self.delay = step, delay

    def prepare(self) -> None:
        connection.ensure_connection()

    def go(self):
        time.sleep(self.delay)
        return self.step()


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_lets_a_bulk_approval_or_a_send_back_win_not_both(tree, reviewer):
    started = time.perf_counter()
    wins = {"approval": 0, "send-back": 0}
    for i in range(ROUNDS):
        year = YEAR - i
        annual_return = AnnualReturn.objects.create(
            association=tree.c1, year=year, status=AnnualReturn.Status.SUBMITTED
        )
        seen = annual_return.version
        # Released together, or one with a head start of 0.1 s in turn, so that both refusals are tested.
        approval_delay, send_back_delay = [(0, 0), (0, 0.1), (0.1, 0)][i % 3]
        approval, send_back = _race(
            _Call(
                partial(workflow.annual_returns_approve_many, user=reviewer, seen={annual_return.pk: seen}),
                delay=approval_delay,
            ),
            _Call(
                partial(
                    workflow.annual_return_send_back,
                    user=reviewer,
                    annual_return=annual_return,
                    reason="Thiếu số liệu",
                    expected_version=seen,
                ),
                delay=send_back_delay,
            ),
        )
        assert not isinstance(approval, Exception), approval  # a bulk approval reports, it does not raise
        after = AnnualReturn.objects.get(pk=annual_return.pk)
        assert after.version == seen + 1  # one step was taken, not two
        if after.status == AnnualReturn.Status.APPROVED:
            wins["approval"] += 1
            assert (approval.approved, approval.changed) == (1, [])
            assert isinstance(send_back, workflow.StaleVersionError), send_back
            assert after.reopen_reason == ""
        else:
            wins["send-back"] += 1
            assert not isinstance(send_back, Exception), send_back
            assert (after.status, after.reopen_reason) == (AnnualReturn.Status.DRAFT, "Thiếu số liệu")
            assert approval.approved == 0 and [r.pk for r in approval.changed] == [annual_return.pk]
            assert after.approved_by is None
    assert wins["approval"] and wins["send-back"], wins
    print(
        f"\n{ROUNDS} rounds of a bulk approval against a send-back: {wins}, {time.perf_counter() - started:.2f} s"
    )

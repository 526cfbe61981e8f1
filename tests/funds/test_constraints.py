"""The database itself refuses negative or absurd amounts and duplicates, whatever skips full_clean()."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction

from funds.models import MAX_AMOUNT, MAX_POPULATION, AnnualReturn, Fund, FundBalance, Scholarship, Transfer

from .conftest import YEAR


@contextmanager
def refused():
    """Expect an IntegrityError, inside a savepoint so that the test can go on using the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


@pytest.mark.parametrize("field", AnnualReturn.AMOUNT_FIELDS)
def test_it_refuses_a_negative_amount_on_create(field, tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, **{field: -1})
    assert not AnnualReturn.objects.exists()


def test_it_refuses_a_negative_amount_in_bulk_create(tree):
    rows = [
        AnnualReturn(association=tree.p1, year=YEAR, mobilised_cash=1),
        AnnualReturn(association=tree.p2, year=YEAR, mobilised_cash=-1),
    ]
    with refused():
        AnnualReturn.objects.bulk_create(rows)
    assert not AnnualReturn.objects.exists()


def test_it_refuses_a_negative_amount_written_by_update(tree, make_return):
    make_return(tree.p1, mobilised_cash=1)
    with refused():
        AnnualReturn.objects.update(mobilised_cash=-1)
    assert AnnualReturn.objects.get().mobilised_cash == 1


@pytest.mark.parametrize("field", AnnualReturn.AMOUNT_FIELDS)
def test_it_refuses_an_amount_above_the_bound(field, tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, **{field: MAX_AMOUNT + 1})


def test_it_accepts_the_bound_itself(tree):
    AnnualReturn.objects.create(
        association=tree.p1, year=YEAR, mobilised_cash=MAX_AMOUNT, population=MAX_POPULATION
    )


@pytest.mark.parametrize("population", [0, -5, MAX_POPULATION + 1])
def test_it_refuses_a_population_out_of_range(population, tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, population=population)


def test_it_refuses_an_unknown_status(tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, status="lost")


def test_it_refuses_a_second_return_for_the_same_year(tree, make_return):
    make_return(tree.p1)
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR)
    assert AnnualReturn.objects.count() == 1


def test_it_refuses_a_duplicate_return_in_bulk_create(tree):
    rows = [AnnualReturn(association=tree.p1, year=YEAR), AnnualReturn(association=tree.p1, year=YEAR)]
    with refused():
        AnnualReturn.objects.bulk_create(rows)
    assert not AnnualReturn.objects.exists()


def test_it_allows_the_same_association_in_another_year(tree, make_return):
    make_return(tree.p1)
    make_return(tree.p1, YEAR + 1)
    assert AnnualReturn.objects.count() == 2


@pytest.fixture
def fund(tree):
    return Fund.objects.create(association=tree.p1, name="Quỹ Một")


def test_it_refuses_a_second_balance_of_a_fund_for_the_same_year(fund):
    FundBalance.objects.create(fund=fund, year=YEAR, balance=1)
    with refused():
        FundBalance.objects.create(fund=fund, year=YEAR, balance=2)


def test_it_refuses_a_duplicate_balance_in_bulk_create(fund):
    with refused():
        FundBalance.objects.bulk_create(
            [FundBalance(fund=fund, year=YEAR), FundBalance(fund=fund, year=YEAR)]
        )
    assert not FundBalance.objects.exists()


def test_it_refuses_a_negative_fund_balance(fund):
    with refused():
        FundBalance.objects.create(fund=fund, year=YEAR, balance=-1)


def test_it_refuses_two_funds_of_the_same_name(fund):
    with refused():
        Fund.objects.create(association=fund.association, name=fund.name)


def test_it_refuses_a_negative_scholarship_value(tree):
    with refused():
        Scholarship.objects.create(association=tree.p1, year=YEAR, programme="Học bổng", total_value=-1)


def test_it_refuses_a_negative_number_of_awards(tree):
    with refused():
        Scholarship.objects.create(association=tree.p1, year=YEAR, programme="Học bổng", awards=-1)


def test_it_refuses_a_negative_transfer(tree):
    with refused():
        Transfer.objects.create(recipient=tree.p1, year=YEAR, giver=tree.central, amount=-1, purpose="Hỗ trợ")


def test_it_refuses_a_transfer_without_giver(tree):
    with refused():
        Transfer.objects.create(recipient=tree.p1, year=YEAR, amount=1, purpose="Hỗ trợ")

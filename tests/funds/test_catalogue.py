"""The catalogue of figures: the typed columns it describes, their bounds, and the rules that tie
figures of one return together, on every write path (service, database, history, outliers)."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funds import catalogue, services
from funds.history import return_history
from funds.models import AnnualReturn

from .conftest import YEAR

NEW_COUNTS = [
    f.name for f in catalogue.figures(column=True) if f.unit != catalogue.MONEY and f.name != "population"
]


@contextmanager
def refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def _save(user, association, year=YEAR, version=None, confirm=False, **figures):
    return services.annual_return_save(
        user=user,
        association=association,
        year=year,
        changes=services.ReturnChanges(figures=figures),
        expected_version=version,
        confirm_outliers=confirm,
    )


def test_it_describes_each_figure_column_of_the_return_once():
    names = catalogue.columns()
    assert len(names) == len(set(names))
    for figure in catalogue.figures(column=True):
        field = AnnualReturn._meta.get_field(figure.name)
        assert field.null and field.verbose_name == figure.label
        assert figure.header and figure.group in catalogue.GROUPS
    assert names == AnnualReturn.FIGURE_FIELDS


def test_it_derives_what_it_does_not_store_from_figures_it_knows():
    known = {f.name for f in catalogue.FIGURES}
    for figure in catalogue.figures(column=False):
        inputs = [*figure.parts, figure.numerator, figure.denominator]
        assert all(name in known for name in inputs if name), figure.name


@pytest.mark.parametrize("name", NEW_COUNTS)
def test_it_refuses_a_count_above_its_bound_in_the_database(name, tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, **{name: catalogue.MAX_COUNT + 1})


@pytest.mark.parametrize("name", NEW_COUNTS)
def test_it_refuses_a_negative_count_in_the_database(name, tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, **{name: -1})


def test_it_saves_the_new_figures_through_the_service_with_their_history(tree, officer):
    figures = {
        "members": 3_600_000,
        "chapters": 20_000,
        "boards": 8_700,
        "learning_families_registered": 900,
        "learning_families_recognised": 700,
        "households": 1000,
        "payout_scholarships": 5_000_000,
        "payout_scholarships_recipients": 10,
    }
    saved = _save(officer, tree.p1, **figures)
    assert {name: getattr(saved, name) for name in figures} == figures
    entry = return_history(association_id=tree.p1.pk, year=YEAR)[0]
    changes = {(c.field, c.new) for c in entry.changes}
    assert ("số hội viên", "3.600.000") in changes
    assert ("chi học bổng", "5.000.000") in changes


def test_it_refuses_the_unsplit_payout_beside_the_split_one(tree, officer):
    with pytest.raises(ValidationError) as exc:
        _save(officer, tree.p1, awards_paid=9_000_000, payout_support=1_000_000)
    assert "awards_paid" in exc.value.message_dict
    assert not AnnualReturn.objects.exists()


def test_it_refuses_a_split_payout_added_to_a_return_that_holds_the_unsplit_one(tree, officer):
    first = _save(officer, tree.p1, awards_paid=9_000_000)
    with pytest.raises(ValidationError):
        _save(officer, tree.p1, version=first.version, payout_awards=1_000_000)
    assert AnnualReturn.objects.get().payout_awards is None


def test_it_accepts_the_split_once_the_unsplit_amount_is_cleared(tree, officer):
    first = _save(officer, tree.p1, awards_paid=9_000_000)
    saved = _save(officer, tree.p1, version=first.version, awards_paid=None, payout_awards=9_000_000)
    assert (saved.awards_paid, saved.payout_awards) == (None, 9_000_000)


def test_the_database_refuses_both_payouts_whatever_skips_full_clean(tree):
    with refused():
        AnnualReturn.objects.create(association=tree.p1, year=YEAR, awards_paid=1, payout_scholarships=1)


@pytest.mark.parametrize("share", catalogue.shares(), ids=lambda f: f.name)
def test_it_refuses_more_recognised_than_the_denominator(share, tree, officer):
    with pytest.raises(ValidationError) as exc:
        _save(officer, tree.p1, **{share.numerator: 11, share.denominator: 10})
    assert share.numerator in exc.value.message_dict
    with refused():
        AnnualReturn.objects.create(
            association=tree.p1, year=YEAR, **{share.numerator: 11, share.denominator: 10}
        )


def test_it_asks_to_confirm_a_new_figure_five_times_last_years(tree, officer):
    _save(officer, tree.p1, year=YEAR - 1, members=1000)
    with pytest.raises(services.OutlierError) as exc:
        _save(officer, tree.p1, members=5001)
    assert [(o.field, o.previous, o.value) for o in exc.value.outliers] == [("members", 1000, 5001)]
    assert _save(officer, tree.p1, members=5001, confirm=True).members == 5001


def test_it_locks_the_new_figures_of_an_approved_return(tree, officer, make_return):
    make_return(tree.p1, members=10, status=AnnualReturn.Status.APPROVED)
    with pytest.raises(services.LockedError):
        _save(officer, tree.p1, version=1, members=20)
    assert AnnualReturn.objects.get().members == 10


@pytest.mark.parametrize(
    ("year", "pct"),
    [(2022, 40), (2025, 40), (2026, 60), (2030, 60), (2031, 60)],
)
def test_it_measures_a_year_against_the_next_target_due(year, pct):
    assert catalogue.get("learning_citizens_share").target_for(year).pct == pct


def test_it_offers_a_progress_figure_for_each_share_with_a_target():
    progress = {f.numerator for f in catalogue.FIGURES if f.adds_up == catalogue.PROGRESS}
    assert progress == {f.name for f in catalogue.shares() if f.targets}

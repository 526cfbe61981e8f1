"""One rule for the year a page opens on and the years it offers: the reporting year, within a node's span."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from core import years


@pytest.fixture
def today(monkeypatch):
    """Pretend today is 2 December 2026: the reporting year is 2025."""
    monkeypatch.setattr(years.timezone, "localdate", lambda: datetime.date(2026, 12, 2))


def node(first=None, last=None):
    return SimpleNamespace(active_from=first, active_until=last)


def test_it_opens_on_the_year_just_ended(today):
    assert years.default_year() == 2025
    assert years.default_year(node()) == 2025


def test_it_clamps_the_year_to_a_node_that_ended(today):
    assert years.default_year(node(None, 2024)) == 2024


def test_it_clamps_the_year_to_a_node_that_begins_later(today):
    assert years.default_year(node(2027, None)) == 2027


def test_it_keeps_the_reporting_year_of_a_node_active_then(today):
    assert years.default_year(node(2025, None)) == 2025
    assert years.default_year(node(2020, 2030)) == 2025


def test_it_offers_the_last_eleven_years_without_a_node(today):
    assert years.year_choices() == list(range(2026, 2015, -1))


def test_it_offers_only_the_years_a_node_is_active(today):
    assert years.year_choices(node(2025, None)) == [2026, 2025]
    assert years.year_choices(node(None, 2024)) == list(range(2024, 2013, -1))
    assert years.year_choices(node(2021, 2024)) == [2024, 2023, 2022, 2021]


def test_it_offers_the_first_years_of_a_node_that_begins_after_this_year(today):
    assert years.year_choices(node(2028, 2029)) == [2029, 2028]


def test_it_offers_the_default_year_among_the_choices(today):
    for span in [(None, None), (None, 2024), (2025, None), (2021, 2024), (2028, 2029), (2010, 2012)]:
        assert years.default_year(node(*span)) in years.year_choices(node(*span))


def test_it_reads_the_year_asked_for_even_outside_the_span(today):
    # The page says the node was not active then; silently showing another year would hide that.
    request = RequestFactory().get("/", {"nam": "2025"})
    assert years.selected_year(request, node(None, 2024)) == 2025


def test_it_falls_back_to_the_default_year_for_a_bad_year(today):
    request = RequestFactory().get("/", {"nam": "20x5"})
    assert years.selected_year(request, node(None, 2024)) == 2024
    assert years.selected_year(request) == 2025

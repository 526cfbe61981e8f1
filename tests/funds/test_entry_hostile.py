"""Entry form POSTs no browser sends: blank added rows, forged row counts, deleting a row that fails validation."""

import time

from funds.forms import ScholarshipFormSet
from funds.models import Scholarship, Transfer
from tests.funds.conftest import YEAR
from tests.funds.helpers import form_data


def test_it_skips_two_added_rows_left_blank(officer_client, edit_url, draft):
    data = form_data(version=draft.version, population=1_000_000, mobilised_cash=40_000_000_000)
    data |= {"scholarships-TOTAL_FORMS": "2", "scholarships-0-donor": "", "scholarships-1-donor": ""}
    response = officer_client.post(edit_url(), data)
    assert response.status_code == 302
    assert not Scholarship.objects.exists()


def test_it_builds_no_more_rows_than_were_posted():
    data = {"scholarships-TOTAL_FORMS": str(10**18), "scholarships-INITIAL_FORMS": str(10**18)}
    data |= {"scholarships-0-programme": "Học bổng Một"}
    assert len(ScholarshipFormSet(data, prefix="scholarships").forms) == 1


def test_it_answers_a_forged_row_count_quickly(officer_client, edit_url, draft):
    data = form_data(version=draft.version, population=1_000_000, mobilised_cash=40_000_000_000)
    for prefix in ("funds", "scholarships", "transfers"):
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(10**18)
    started = time.perf_counter()
    response = officer_client.post(edit_url(), data)
    assert response.status_code == 200  # refused: Django's "at most 1000 forms"
    assert time.perf_counter() - started < 5


def test_it_deletes_a_scholarship_whose_row_fails_validation(officer_client, edit_url, draft, attachments):
    scholarship = attachments["scholarship"]
    data = form_data(
        version=draft.version,
        population=1_000_000,
        mobilised_cash=40_000_000_000,
        scholarships=[{"id": scholarship.pk, "programme": "", "awards": "abc", "DELETE": True}],
    )
    response = officer_client.post(edit_url(), data)
    assert response.status_code == 302
    assert not Scholarship.objects.filter(pk=scholarship.pk).exists()


def test_it_deletes_a_transfer_whose_row_fails_validation(officer_client, edit_url, draft, attachments):
    transfer = attachments["transfer"]
    data = form_data(
        version=draft.version,
        population=1_000_000,
        mobilised_cash=40_000_000_000,
        transfers=[{"id": transfer.pk, "purpose": "", "date": "2023-02-30", "DELETE": True}],
    )
    response = officer_client.post(edit_url(), data)
    assert response.status_code == 302
    assert not Transfer.objects.filter(year=YEAR, pk=transfer.pk).exists()

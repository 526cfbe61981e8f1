"""Two people editing the same return: the second save is told, sees both values and loses nothing."""

import pytest

from funds import workflow
from funds.models import AnnualReturn, Scholarship

from .helpers import form_data, input_values, table_rows

CONFLICT = "Có người khác vừa lưu báo cáo này"


@pytest.fixture
def both(officer, officer2, login, edit_url, draft, attachments):
    """Two officers of P1 who loaded the form of the same draft (with its rows), at the same version."""
    first, second = login(officer), login(officer2)
    loaded = [input_values(first.get(edit_url())), input_values(second.get(edit_url()))]
    assert loaded[0]["version"] == loaded[1]["version"] == str(draft.version)
    return first, second, loaded


def test_it_saves_the_first_of_two_concurrent_edits(both, draft, edit_url):
    first, _, (loaded, _) = both
    assert first.post(edit_url(), loaded | {"mobilised_cash": "41.000.000.000"}).status_code == 302
    assert AnnualReturn.objects.get(pk=draft.pk).mobilised_cash == 41_000_000_000


def test_it_answers_409_to_the_second_save(both, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"mobilised_cash": "41.000.000.000"})
    response = second.post(edit_url(), loaded2 | {"mobilised_cash": "42.000.000.000"})
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()


def test_it_keeps_the_first_persons_values_in_the_database(both, draft, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"mobilised_cash": "41.000.000.000"})
    second.post(edit_url(), loaded2 | {"mobilised_cash": "42.000.000.000", "population": "999.999"})
    saved = AnnualReturn.objects.get(pk=draft.pk)
    assert (saved.mobilised_cash, saved.population) == (41_000_000_000, draft.population)


def test_it_shows_both_values_to_the_second_person(both, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"mobilised_cash": "41.000.000.000"})
    response = second.post(edit_url(), loaded2 | {"mobilised_cash": "42.000.000.000"})
    assert table_rows(response, "conflict") == [
        ["Vận động bằng tiền (đồng)", "41.000.000.000", "42.000.000.000"]
    ]


def test_it_keeps_what_the_second_person_typed_in_the_form(both, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"mobilised_cash": "41.000.000.000"})
    typed = loaded2 | {
        "mobilised_cash": "42.000.000.000",
        "notes": "Số của tôi",
        "scholarships-0-awards": "8",
    }
    values = input_values(second.post(edit_url(), typed))
    assert values["mobilised_cash"] == "42.000.000.000"
    assert values["notes"] == "Số của tôi"
    assert values["scholarships-0-awards"] == "8"


def test_it_saves_the_second_persons_values_when_posted_again(both, draft, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"mobilised_cash": "41.000.000.000"})
    refused = second.post(edit_url(), loaded2 | {"mobilised_cash": "42.000.000.000"})
    assert second.post(edit_url(), input_values(refused)).status_code == 302
    assert AnnualReturn.objects.get(pk=draft.pk).mobilised_cash == 42_000_000_000


def test_it_refuses_a_stale_save_after_only_rows_changed(both, edit_url):
    first, second, (loaded1, loaded2) = both
    first.post(edit_url(), loaded1 | {"scholarships-0-awards": "4"})
    response = second.post(edit_url(), loaded2 | {"scholarships-0-awards": "5"})
    assert response.status_code == 409
    assert "phần quỹ, học bổng hoặc khoản nhận có thể đã thay đổi" in response.content.decode()
    assert Scholarship.objects.get().awards == 4


def test_it_refuses_a_second_first_save_of_a_new_return(officer, officer2, login, tree, edit_url):
    first, second = login(officer), login(officer2)
    first.post(edit_url(tree.c1), form_data(mobilised_cash=1_000))
    response = second.post(edit_url(tree.c1), form_data(mobilised_cash=2_000))
    assert response.status_code == 409
    assert table_rows(response, "conflict") == [["Vận động bằng tiền (đồng)", "1.000", "2.000"]]
    assert AnnualReturn.objects.get(association=tree.c1).mobilised_cash == 1_000


def test_it_refuses_a_form_loaded_before_an_approval(both, draft, reviewer, edit_url):

    first, _, (loaded1, _) = both
    submitted = workflow.annual_return_submit(
        user=reviewer.__class__.objects.get(username="officer"), annual_return=draft
    )
    workflow.annual_return_approve(user=reviewer, annual_return=submitted, expected_version=submitted.version)
    response = first.post(edit_url(), loaded1 | {"mobilised_cash": "1"})
    assert response.status_code == 409
    assert AnnualReturn.objects.get(pk=draft.pk).mobilised_cash == draft.mobilised_cash

"""The exports' ?hoi= takes ASCII digits only: '²' passes str.isdigit() but not int()."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("hoi", ["²", "٣", "３", "9" * 30])
def test_it_answers_404_for_a_malformed_association_id(client, officer, hoi):
    client.force_login(officer)
    assert client.get(reverse("export_returns", args=["csv"]), {"hoi": hoi}).status_code == 404

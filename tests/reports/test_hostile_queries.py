"""Ids and years in query strings are ASCII digits only: '²' passes str.isdigit() but not int()."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("scope", ["tinh-²", "cum-²", "tinh-٣", "cum-" + "9" * 30])
def test_it_answers_404_to_a_malformed_ranking_scope(client, chair, scope):
    client.force_login(chair)
    assert client.get(reverse("rankings"), {"pham_vi": scope}).status_code == 404


@pytest.mark.parametrize("year", ["²", "٢٠٢٣", "1999"])
def test_it_opens_a_new_conference_on_its_default_year_for_a_malformed_year(client, chair, tree, year):
    client.force_login(chair)
    response = client.get(reverse("conference_create", args=[tree.cluster_a.pk]), {"nam": year})
    assert response.status_code == 200
    assert 2000 <= response.context["form"].initial["year"] <= 2100

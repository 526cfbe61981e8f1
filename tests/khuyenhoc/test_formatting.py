"""English formatting agrees on server and browser: "11,834,000,000 đ" and "11.834 billion đ"."""

import pytest
from django.urls import reverse
from django.utils import translation

from core import numbers


def test_it_writes_amounts_the_english_way_in_english():
    with translation.override("en"):
        assert numbers.grouped(11_834_000_000) == "11,834,000,000"
        assert numbers.money_short(11_834_000_000) == "11.834 billion đ"
        assert numbers.money_short(43_200_000_000) == "43.2 billion đ"
        assert numbers.money_short(50_000_000) == "50 million đ"
        assert numbers.money_short(5_000) == "5,000 đ"
        assert numbers.per_person(51_733) == "51,733 đ per person"


def test_it_keeps_the_vietnamese_units_in_vietnamese():
    with translation.override("vi"):
        assert numbers.money_short(11_834_000_000) == "11,834 tỷ đồng"
        assert numbers.money_short(5_000) == "5.000 đồng"
        assert numbers.per_person(51_733) == "51.733 đồng/người"


@pytest.mark.parametrize(("lang", "separator"), [("vi", "."), ("en", ",")])
def test_it_tells_the_browser_the_pages_thousands_separator(client, officer, lang, separator):
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": lang, "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert f'<html lang="{lang}" data-thousand-separator="{separator}">' in body


def test_it_shows_english_amounts_on_the_entry_page(client, officer, tree):
    from funds.models import AnnualReturn

    AnnualReturn.objects.create(
        association=tree.p1, year=2023, population=1_000, mobilised_cash=11_834_000_000
    )
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("return_edit", args=[tree.p1.pk, 2023])).content.decode()
    assert "11,834,000,000 đ" in body and "11.834 billion đ" in body

"""The load generator of `make load`: it posts forms as a browser does, and it counts lost writes right."""

from urllib.parse import urlencode

from django.urls import reverse

from funds.models import AnnualReturn
from khuyenhoc import loadtest


def test_it_posts_the_entry_form_as_a_browser_would(client, officer, tree):
    AnnualReturn.objects.create(association=tree.c1, year=2022, population=1000, mobilised_cash=5_000_000)
    client.force_login(officer)
    url = reverse("return_edit", args=[tree.c1.pk, 2022])
    fields = loadtest.form_fields_by_action(client.get(url).content.decode(), "")
    names = [name for name, _value in fields]
    assert "csrfmiddlewaretoken" in names and "version" in names and "funds-TOTAL_FORMS" in names
    assert ("language", "vi") not in fields  # not the language switch's form
    changed = [(k, v) for k, v in fields if k != "population"] + [("population", "1234")]
    body = urlencode(changed)
    assert client.post(url, body, content_type="application/x-www-form-urlencoded").status_code == 302
    saved = AnnualReturn.objects.get(association=tree.c1, year=2022)
    assert (saved.population, saved.mobilised_cash) == (1234, 5_000_000)


def test_it_reads_a_form_field_by_field():
    html = """<form method="get"><input name="q" value="x"></form>
    <form method="post" action="/i18n/setlang/"><input name="language" value="en"></form>
    <form method="post"><input type="hidden" name="a" value="1"><input type="checkbox" name="b">
    <input type="checkbox" name="c" checked><input type="radio" name="r" value="x">
    <input type="radio" name="r" value="y" checked><select name="s"><option value="1">
    <option value="2" selected></select><textarea name="t">
ghi chú</textarea><input name="d" value="z" disabled><button type="submit" name="go">Lưu</button></form>"""
    assert loadtest.form_fields_by_action(html, "") == [
        ("a", "1"),
        ("c", "on"),
        ("r", "y"),
        ("s", "2"),
        ("t", "ghi chú"),
    ]


def test_it_counts_lost_and_silently_overwritten_writes():
    # (return, the version the save was made from, the value it wrote)
    fine = [(1, 3, 10), (1, 4, 11), (2, 7, 20)]
    assert loadtest.check_writes(fine, {1: 11, 2: 20}) == (0, 0)
    # The newest acknowledged save of return 1 is not what the database holds.
    assert loadtest.check_writes(fine, {1: 10, 2: 20}) == (1, 0)
    # Two saves made from version 4 were both acknowledged: one overwrote the other unseen.
    assert loadtest.check_writes([*fine, (1, 4, 12)], {1: 12, 2: 20}) == (0, 1)

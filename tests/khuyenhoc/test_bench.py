"""`make bench` measures what a page asks of the database, and replays only its reads."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import AnnualReturn
from khuyenhoc import bench


def test_it_counts_the_statements_a_page_sends(client, settings, officer, tree):
    settings.ALLOWED_HOSTS = ["testserver"]
    url = reverse("association_detail", args=[tree.p1.pk]) + "?nam=2022"
    client.force_login(officer)
    client.get(url)
    cache.clear()  # the bench counts a cold read, the one that reaches every table
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    expected = len(queries)  # now: the next request clears the log the context reads lazily
    measured = bench.measure_page("test", "P1", officer.username, url, repeat=2)
    # The bench's client signs in afresh, so the session is read like any signed-in request's.
    assert measured.queries == expected
    assert measured.sql_ms > 0 and measured.median_ms > 0 and measured.ratio > 0


def test_it_replays_reads_and_never_writes(tree):
    recorder = bench._Recorder()
    with connection.execute_wrapper(recorder):
        AnnualReturn.objects.create(association=tree.c1, year=2022, population=5)
        list(AnnualReturn.objects.filter(year=2022))
    AnnualReturn.objects.all().delete()
    bench._replay(recorder.statements)
    assert not AnnualReturn.objects.exists()


def test_the_naive_walk_agrees_with_the_totals(tree):
    from funds.selectors import subtree_totals

    for node, cash in [(tree.c1, 100), (tree.c2, 20), (tree.d1, 3), (tree.p1, 4000)]:
        AnnualReturn.objects.create(association=node, year=2020, mobilised_cash=cash)
    assert (
        bench.naive_totals(tree.p1, 2020) == subtree_totals(year=2020, nodes=[tree.p1])[tree.p1.pk].mobilised
    )


def test_it_imports_a_year_back_with_every_row_changed(tree):
    AnnualReturn.objects.create(association=tree.p1, year=2022, mobilised_cash=500)
    AnnualReturn.objects.create(association=tree.c1, year=2022)
    measured = bench.measure_import("test", repeat=2)
    assert [m.name.split(":")[0] for m in measured] == ["import preview", "import confirm"]
    assert all(m.median_ms > 0 for m in measured)
    # Written through the import's services: one đồng more where there was a figure, 1 where blank.
    cash = dict(AnnualReturn.objects.filter(year=2022).values_list("association__code", "mobilised_cash"))
    assert cash[tree.p1.code] == 501 and cash[tree.c1.code] == 1

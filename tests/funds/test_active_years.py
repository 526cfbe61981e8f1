"""Being active in a year is written once per layer; its Python, ORM and raw SQL forms select the same nodes."""

import itertools
import math

from django.db import connection
from django.db.models import F

from associations.models import Association, Tier, active_during_q, active_in_q
from funds import sql
from funds.models import AnnualReturn

SPANS = [(None, None), (None, 2020), (2021, None), (2020, 2022), (2021, 2021)]
YEARS = range(2018, 2025)


def _nodes(tree) -> dict[int, tuple[int | None, int | None]]:
    nodes = {}
    for i, (first, last) in enumerate(SPANS):
        node = Association.objects.create(
            tier=Tier.COMMUNE,
            name=f"Xã {i}",
            short_name=f"Xã {i}",
            code=f"SPAN{i}",
            parent=tree.p3,
            active_from=first,
            active_until=last,
        )
        nodes[node.pk] = (first, last)
    return nodes


def _expected(span, first_year: int, last_year: int) -> bool:
    # Written here from the bounds, not taken from the code under test.
    start = -math.inf if span[0] is None else span[0]
    end = math.inf if span[1] is None else span[1]
    return start <= last_year and end >= first_year


def _sql_active(ids: list[int], year: int) -> set[int]:
    placeholders = ", ".join(f"%(n{i})s" for i in range(len(ids)))
    params = {"y": year, **{f"n{i}": pk for i, pk in enumerate(ids)}}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id FROM {sql.ASSOCIATIONS} a WHERE a.id IN ({placeholders}) AND {sql.active('a', '%(y)s')}",
            params,
        )
        return {pk for (pk,) in cursor.fetchall()}


def test_it_selects_the_same_nodes_in_python_the_orm_and_sql(tree):
    nodes = _nodes(tree)
    ids = list(nodes)
    for year in YEARS:
        expected = {pk for pk, span in nodes.items() if _expected(span, year, year)}
        assert expected and expected != set(ids)
        assert {n.pk for n in Association.objects.filter(pk__in=ids) if n.is_active_in(year)} == expected
        assert (
            set(Association.objects.filter(pk__in=ids).active_in(year).values_list("pk", flat=True))
            == expected
        )
        assert _sql_active(ids, year) == expected


def test_it_selects_returns_by_their_association_through_a_prefix(tree):
    nodes = _nodes(tree)
    for pk in nodes:
        for year in YEARS:
            AnnualReturn.objects.create(association_id=pk, year=year)
    got = set(
        AnnualReturn.objects.filter(association__in=nodes)
        .filter(active_in_q(F("year"), prefix="association__"))
        .values_list("association_id", "year")
    )
    assert got == {(pk, year) for pk, span in nodes.items() for year in YEARS if _expected(span, year, year)}


def test_it_selects_the_nodes_active_in_some_year_of_a_span(tree):
    nodes = _nodes(tree)
    bounds = [None, 2019, 2020, 2021, 2023]
    for first, last in itertools.product(bounds, bounds):
        if first is not None and last is not None and first > last:
            continue
        lo = -math.inf if first is None else first
        hi = math.inf if last is None else last
        expected = {pk for pk, span in nodes.items() if _expected(span, lo, hi)}
        got = set(
            Association.objects.filter(pk__in=nodes)
            .filter(active_during_q(first, last))
            .values_list("pk", flat=True)
        )
        assert got == expected, (first, last)

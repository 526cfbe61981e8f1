"""Query strings of the read pages and downloads, hostile: any value answers without a server error."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl import load_workbook

from funds.models import AnnualReturn

from .support import UNICODE_DIGITS, assert_escaped, cases, id_text, text

YEAR = 2023


@pytest.fixture
def reader(tree, chair):
    """The chair of cluster A, with figures in both clusters."""
    for node, cash in ((tree.p1, 10**9), (tree.p2, 2 * 10**9), (tree.p3, 3 * 10**9)):
        AnnualReturn.objects.create(association=node, year=YEAR, population=1000, mobilised_cash=cash)
    client = Client()
    client.force_login(chair)
    return {"client": client, "tree": tree}


def years():
    return st.one_of(
        st.just(str(YEAR)), st.sampled_from(["", "1999", "2101", "0", "-2023", *UNICODE_DIGITS]), text()
    )


def scopes(tree):
    nodes = [tree.p1.pk, tree.p3.pk, tree.cluster_a.pk, tree.cluster_b.pk, tree.c1.pk]
    return st.one_of(
        st.sampled_from(["tinh", "cum", "provinces", "clusters"]),
        st.builds(lambda kind, pk: f"{kind}-{pk}", st.sampled_from(["tinh", "cum", "x", ""]), id_text(nodes)),
        text(),
    )


def query(draw, params: dict) -> str:
    """A query string with some of `params`; values may be lists (the parameter repeated)."""
    chosen = {}
    for name, strategy in params.items():
        if draw(st.booleans()):
            chosen[name] = draw(st.one_of(strategy, st.lists(strategy, min_size=2, max_size=2)))
    return chosen


@cases(100)
@given(data=st.data())
def test_it_answers_any_ranking_query(reader, data):
    params = query(
        data.draw,
        {
            "pham_vi": scopes(reader["tree"]),
            "nam": years(),
            "chi_so": st.one_of(st.sampled_from(["per_inhabitant", "mobilised", "change_pct"]), text()),
            "sap_xep": st.one_of(st.sampled_from(["-mobilised", "name", "-", "--", "rank"]), text()),
        },
    )
    url = data.draw(
        st.sampled_from(
            [
                reverse("rankings"),
                reverse("rankings_export", args=["xlsx"]),
                reverse("rankings_export", args=["csv"]),
            ]
        )
    )
    response = reader["client"].get(url, params)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 404)
    if response.status_code == 200 and url.endswith("xlsx"):
        load_workbook(io.BytesIO(response.content))
    elif response.status_code == 200 and url == reverse("rankings"):
        assert_escaped(response.content, [v for v in params.values() if isinstance(v, str)])


@cases(100)
@given(data=st.data())
def test_it_answers_any_export_query(reader, data):
    tree = reader["tree"]
    params = query(data.draw, {"hoi": id_text([tree.p1.pk, tree.p3.pk, tree.cluster_a.pk]), "nam": years()})
    name = data.draw(st.sampled_from(["export_returns", "export_fund_balances", "export_scholarships"]))
    fmt = data.draw(st.sampled_from(["xlsx", "csv", "pdf", "XLSX"]))
    response = reader["client"].get(reverse(name, args=[fmt]), params)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 404)
    if response.status_code == 200 and fmt == "xlsx":
        load_workbook(io.BytesIO(response.content))


@cases(40)
@given(data=st.data())
def test_it_answers_any_year_of_a_new_conference(reader, data):
    cluster = reader["tree"].cluster_a
    params = query(data.draw, {"nam": years()})
    response = reader["client"].get(reverse("conference_create", args=[cluster.pk]), params)
    assert response.status_code == 200
    year = data.draw(st.one_of(st.sampled_from(["1999", "2101", "0", "65536", str(10**18)]), years()))
    url = reverse("conference_edit_year", args=[cluster.pk, YEAR])
    if year.isascii() and year.isdigit():
        url = url.replace(str(YEAR), year)
    assert reader["client"].get(url).status_code in (302, 404)

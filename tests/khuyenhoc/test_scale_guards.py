"""Guards, not timings: a page's query count follows what it shows, never the size of the country.

Each main page is asked on the small tree, then again once the tree (and its returns, funds,
scholarships and transfers) is ten times larger: the number of statements must not move. The cluster
report is asked once more after the rest of the country grows around it, in other clusters and
other years: its count must not move either. A page that read a row at a time, or a selector that
lost its fixed number of queries, fails here by name.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Association, RoleKind, Tier
from associations.services import association_create
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from reports.models import ClusterConference
from reports.selectors import cluster_report
from tests.conftest import make_user

YEAR = 2022
SUBMITTED, APPROVED = AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED


def _attach(node: Association, year: int, *, giver: Association | None = None, **figures) -> None:
    """A return, a fund with its balance, a scholarship and a transfer received, for `node` in `year`."""
    AnnualReturn.objects.create(association=node, year=year, **figures)
    fund, _created = Fund.objects.get_or_create(association=node, name="Quỹ khuyến học")
    FundBalance.objects.create(fund=fund, year=year, balance=1_000_000)
    Scholarship.objects.create(association=node, year=year, programme="Học bổng", awards=2, total_value=2_000)
    Transfer.objects.create(
        recipient=node,
        year=year,
        giver=giver,
        giver_name="" if giver else "Nhà hảo tâm",
        purpose="Trao tặng",
        amount=500_000,
    )


def _province(parent: Association, i: int, years: list[int], *, districts: int = 2, communes: int = 2):
    """A province under `parent` with its districts and communes, every node with its figures in `years`."""
    province = association_create(
        tier=Tier.PROVINCE, name=f"Tỉnh lớn {i}", short_name=f"Lớn {i}", code=f"G{i}", parent=parent
    )
    nodes = [province]
    for j in range(districts):
        district = association_create(
            tier=Tier.DISTRICT,
            name=f"Huyện lớn {i}-{j}",
            short_name=f"HL{i}-{j}",
            code=f"G{i}-{j}",
            parent=province,
        )
        nodes.append(district)
        for k in range(communes):
            nodes.append(
                association_create(
                    tier=Tier.COMMUNE,
                    name=f"Xã lớn {i}-{j}-{k}",
                    short_name=f"XL{i}-{j}-{k}",
                    code=f"G{i}-{j}-{k}",
                    parent=district,
                )
            )
    for year in years:
        for n, node in enumerate(nodes):
            population = 100_000 if node is province else 1_000 + n
            status = (SUBMITTED, APPROVED, AnnualReturn.Status.DRAFT)[n % 3]
            _attach(node, year, population=population, mobilised_cash=1_000_000 * (n + 1), status=status)
    return province


def _inside_p1(tree, years: list[int], count: int) -> None:
    """Districts with communes inside P1 (the officer's own page lists and sums them), with figures."""
    for i in range(count):
        district = association_create(
            tier=Tier.DISTRICT, name=f"Huyện trong {i}", short_name=f"Trong {i}", code=f"I{i}", parent=tree.p1
        )
        commune = association_create(
            tier=Tier.COMMUNE,
            name=f"Xã trong {i}",
            short_name=f"Xã trong {i}",
            code=f"I{i}X",
            parent=district,
        )
        for year in years:
            for node in (district, commune):
                _attach(
                    node, year, giver=tree.p1, population=2_000, mobilised_cash=3_000_000, status=SUBMITTED
                )


@pytest.fixture
def small(tree):
    """The small tree with figures on every node of cluster A for 2021 and 2022, and a conference."""
    for year in (YEAR - 1, YEAR):
        for n, node in enumerate([tree.p1, tree.p2, tree.d1, tree.d2, tree.c1, tree.c2, tree.c3, tree.c4]):
            population = 100_000 if node.tier == Tier.PROVINCE else 1_000
            _attach(
                node,
                year,
                giver=tree.p2 if node != tree.p2 else None,
                population=population,
                mobilised_cash=2_000_000 * (n + 1),
                status=(SUBMITTED, APPROVED)[n % 2],
            )
        _attach(tree.p3, year, population=50_000, mobilised_cash=9_000_000, status=SUBMITTED)
    ClusterConference.objects.create(cluster=tree.cluster_a, year=YEAR, host=tree.p1)
    return tree


@pytest.fixture
def clients(small, client_factory):
    return {
        "officer": client_factory(make_user("officer", RoleKind.OFFICER, small.p1)),
        "reviewer": client_factory(make_user("reviewer", RoleKind.REVIEWER, small.central)),
        "chair": client_factory(make_user("chair", RoleKind.CHAIR, small.cluster_a)),
    }


@pytest.fixture
def client_factory():
    from django.test import Client

    def _client(user):
        client = Client()
        client.force_login(user)
        return client

    return _client


def _pages(tree) -> dict[str, tuple[str, str, dict]]:
    """(who, path, query) of each main page, on cluster A, P1 and the year 2022."""
    year = {"nam": YEAR}
    rankings = reverse("rankings")
    conference = ClusterConference.objects.get(cluster=tree.cluster_a, year=YEAR)
    return {
        "home (officer)": ("officer", reverse("home"), {}),
        "home (chair)": ("chair", reverse("home"), {}),
        "home (reviewer)": ("reviewer", reverse("home"), {}),
        "association page": ("officer", reverse("association_detail", args=[tree.p1.pk]), year),
        "entry": ("officer", reverse("return_edit", args=[tree.p1.pk, YEAR]), {}),
        "rankings: provinces": ("reviewer", rankings, year),
        "rankings: clusters": ("reviewer", rankings, {**year, "pham_vi": "clusters"}),
        "rankings: cluster members": ("reviewer", rankings, {**year, "pham_vi": f"cum-{tree.cluster_a.pk}"}),
        "completeness": ("reviewer", reverse("completeness"), year),
        "review queue": ("reviewer", reverse("review_list"), {}),
        "cluster report": ("chair", reverse("conference_report", args=[conference.pk]), {}),
        "export": ("reviewer", reverse("export_returns", args=["xlsx"]), year),
    }


def _count(client, path: str, query: dict) -> int:
    # A cold read: the one whose cost could grow with the tree (a warm one reads the cache).
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, query)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def _counts(clients, tree) -> dict[str, int]:
    tree.refresh()
    pages = _pages(tree)
    for who, path, query in pages.values():
        clients[who].get(path, query)  # warm: the session and the content types are read once
    return {name: _count(clients[who], path, query) for name, (who, path, query) in pages.items()}


def test_every_main_page_asks_as_much_of_a_tree_ten_times_larger(small, clients):
    before = _counts(clients, small)
    nodes = Association.objects.count()
    # 14 provinces of 7 nodes (7 in cluster A, 7 in cluster B) and 10 districts and communes inside P1.
    for i in range(14):
        _province(small.cluster_a if i % 2 else small.cluster_b, i, [YEAR - 1, YEAR])
    _inside_p1(small, [YEAR - 1, YEAR], 5)
    assert Association.objects.count() >= 10 * nodes
    after = _counts(clients, small)
    assert after == before
    # The pages did read the larger tree: the rankings list every new province.
    response = clients["reviewer"].get(reverse("rankings"), {"nam": YEAR})
    assert len(response.context["table"].rows) == 3 + 14


def test_the_cluster_reports_query_count_ignores_the_rest_of_the_country(small, clients):
    _who, path, query = _pages(small)["cluster report"]
    chair = clients["chair"]
    chair.get(path, query)
    page = _count(chair, path, query)
    with CaptureQueriesContext(connection) as ctx:
        report = cluster_report(cluster=small.cluster_a, year=YEAR)
    selector = len(ctx.captured_queries)
    members = [m.association.pk for m in report.members]

    # The rest of the country: provinces in cluster B with figures in many years, other years of
    # cluster A's own nodes, and conferences of other clusters and years.
    years = [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]
    for i in range(6):
        _province(small.cluster_b, i, years)
    for year in (2018, 2019, 2020, 2023):
        for node in (small.p1, small.p2, small.d1, small.c1):
            _attach(node, year, population=5_000, mobilised_cash=7_000_000, status=SUBMITTED)
    ClusterConference.objects.create(cluster=small.cluster_b, year=YEAR, host=small.p3)
    ClusterConference.objects.create(cluster=small.cluster_a, year=2023, host=small.p2)
    small.refresh()

    assert _count(chair, path, query) == page
    with CaptureQueriesContext(connection) as ctx:
        again = cluster_report(cluster=small.cluster_a, year=YEAR)
    assert len(ctx.captured_queries) == selector
    # And the report is the same: nothing from the rest of the country leaked in.
    assert [m.association.pk for m in again.members] == members
    assert again.total.mobilised == report.total.mobilised
    assert [f.pk for f in again.local_funds] == [f.pk for f in report.local_funds]

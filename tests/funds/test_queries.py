"""Query counts of the pages and reads of the yearly figures, pinned and flat in the size of the tree."""

import pytest
from django.urls import reverse

from associations.services import association_create
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer
from funds.selectors import subtree_totals

from .conftest import YEAR
from .helpers import form_data


@pytest.fixture
def grow(tree, make_return):
    """Add `n` communes under D1, each with a return for YEAR and last year, a fund, a scholarship."""
    counter = iter(range(10_000))

    def _grow(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            node = association_create(
                tier="commune", name=f"Xã số {i}", short_name=f"Xã số {i}", code=f"X{i}", parent=tree.d1
            )
            make_return(node, population=1_000 + i, mobilised_cash=1_000_000 * (i + 1))
            make_return(node, YEAR - 1, population=1_000 + i, mobilised_cash=900_000 * (i + 1))
            Scholarship.objects.create(association=node, year=YEAR, programme="Học bổng xã", awards=1)
        tree.refresh()

    return _grow


@pytest.fixture
def p1_rows(tree, draft, attachments):
    """P1's draft with several funds, scholarships and transfers, so that rows are not one query each."""
    for i in range(5):
        fund = Fund.objects.create(association=tree.p1, name=f"Quỹ {i}")
        FundBalance.objects.create(fund=fund, year=YEAR, balance=i)
        Scholarship.objects.create(association=tree.p1, year=YEAR, programme=f"Học bổng {i}", awards=i)
        Transfer.objects.create(recipient=tree.p1, year=YEAR, giver=tree.p2, purpose=f"Khoản {i}", amount=i)
    return draft


# 1 session, 2 user, 3 the association (visible_to), 4 the return (with submitted_by, approved_by),
# 5 last year's return (outlier check), 6 funds with this year's balance (subqueries),
# 7 scholarships, 8 transfers received (with giver), 9 the data version (the totals' cache key),
# 10 subtree totals of the returns, 11 subtree totals of the scholarships, 12 entry right (roles),
# 13 review right (roles)
ENTRY_PAGE_QUERIES = 13


def test_it_pins_the_queries_of_the_entry_page(officer, p1_rows, login, edit_url, django_assert_num_queries):
    client = login(officer)
    with django_assert_num_queries(ENTRY_PAGE_QUERIES):
        assert client.get(edit_url()).status_code == 200


def test_it_keeps_the_entry_page_queries_flat_with_more_communes(
    officer, p1_rows, grow, login, edit_url, django_assert_num_queries
):
    client = login(officer)
    grow(3)
    with django_assert_num_queries(ENTRY_PAGE_QUERIES):
        client.get(edit_url())
    grow(40)
    with django_assert_num_queries(ENTRY_PAGE_QUERIES):
        body = client.get(edit_url()).content.decode()
    assert f"<dt>Số hội đã báo cáo</dt><dd>{1 + 43}</dd>" in body  # P1 and the 43 communes


# 1 subtree sums of the returns for every node given, 2 subtree sums of the scholarships
TOTALS_QUERIES = 2
# the same two for clusters and the central node: the first sums their provinces too (per inhabitant)
AGGREGATE_TOTALS_QUERIES = 2


def test_it_pins_the_queries_of_subtree_totals(tree, draft, django_assert_num_queries):
    with django_assert_num_queries(TOTALS_QUERIES):
        subtree_totals(year=YEAR, nodes=[tree.p1, tree.p2, tree.d1, tree.c1])


def test_it_pins_the_queries_of_subtree_totals_with_clusters(tree, draft, django_assert_num_queries):
    with django_assert_num_queries(AGGREGATE_TOTALS_QUERIES):
        subtree_totals(year=YEAR, nodes=[tree.central, tree.cluster_a, tree.cluster_b, tree.p1, tree.c1])


def test_it_keeps_subtree_totals_flat_with_more_communes(tree, grow, django_assert_num_queries):
    def nodes():  # re-read after each grow, which shifts the MPTT columns
        return [tree.central, tree.cluster_a, tree.p1, tree.d1]

    grow(3)
    with django_assert_num_queries(AGGREGATE_TOTALS_QUERIES):
        small = subtree_totals(year=YEAR, nodes=nodes())
    grow(40)
    with django_assert_num_queries(AGGREGATE_TOTALS_QUERIES):
        large = subtree_totals(year=YEAR, nodes=nodes())
    assert (small[tree.central.pk].returns, large[tree.central.pk].returns) == (3, 43)


def test_it_keeps_subtree_totals_flat_with_more_nodes_asked(tree, grow, django_assert_num_queries):
    grow(30)
    communes = list(tree.d1.get_children())
    with django_assert_num_queries(TOTALS_QUERIES):
        totals = subtree_totals(year=YEAR, nodes=communes)
    assert sum(t.returns for t in totals.values()) == 30


def test_it_spends_no_query_on_totals_of_no_nodes(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert subtree_totals(year=YEAR, nodes=[]) == {}


# 1 session, 2 user, 3 the association (visible_to), 4 fund history, 5 return history,
# 6 fund balance history, 7 scholarship history, 8 transfer history
HISTORY_PAGE_QUERIES = 8


def test_it_keeps_the_history_page_queries_flat(officer, login, tree, django_assert_num_queries):
    client = login(officer)
    url = reverse("return_history", args=[tree.p1.pk, YEAR])
    edit = reverse("return_edit", args=[tree.p1.pk, YEAR])
    client.post(edit, form_data(mobilised_cash=1, funds=[{"name": "Quỹ 0", "kind": "named", "balance": 0}]))
    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        client.get(url)
    for version in range(1, 6):
        rows = [{"name": f"Quỹ {version}", "kind": "named", "balance": version}]
        client.post(edit, form_data(version=version, mobilised_cash=version + 1, funds=rows))
    assert AnnualReturn.history.count() == 6
    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        client.get(url)


# 1 session, 2 user, 3 has the review right somewhere, 4 the clusters and provinces to filter by,
# 5 the reviewer's review roles (their ranges), 6 the returns of the filter counted by status, 7 the
# pager's count, 8 the page of returns (with association, parent, submitter and province name), 9 last
# year's returns of the page, 10 the year's data version, 11 the progress of each province of the
# filter (cached under that version)
REVIEW_LIST_QUERIES = 11


def test_it_keeps_the_review_list_queries_flat(reviewer, login, grow, django_assert_num_queries):
    client = login(reviewer)
    grow(2)
    AnnualReturn.objects.update(status=AnnualReturn.Status.SUBMITTED)
    with django_assert_num_queries(REVIEW_LIST_QUERIES):
        client.get(reverse("review_list"), {"nam": YEAR})
    grow(20)
    AnnualReturn.objects.update(status=AnnualReturn.Status.SUBMITTED)
    with django_assert_num_queries(REVIEW_LIST_QUERIES):
        client.get(reverse("review_list"), {"nam": YEAR})


# 1 session, 2 user, 3 has the review right somewhere, 4 savepoint, 5 the reviewer's review roles
# (their ranges), 6 the returns in the reviewer's care FOR UPDATE, 7 one bulk UPDATE of those still at
# the version seen, 8 one bulk INSERT into the history, 9-10 the year's data version's bump (INSERT of
# a missing counter, UPDATE), 11 release savepoint
BULK_APPROVE_QUERIES = 11


# 15: within one SQLite batch of history rows (see tests/funds/test_workflow.py).
@pytest.mark.parametrize("count", [2, 15])
def test_it_bulk_approves_from_the_list_in_a_fixed_number_of_queries(
    count, reviewer, login, grow, django_assert_num_queries
):
    client = login(reviewer)
    grow(count)
    AnnualReturn.objects.update(status=AnnualReturn.Status.SUBMITTED)
    seen = [f"{pk}:{v}" for pk, v in AnnualReturn.objects.filter(year=YEAR).values_list("pk", "version")]
    with django_assert_num_queries(BULK_APPROVE_QUERIES):
        # The browser posts back to the list's own URL, which carries the year.
        client.post(reverse("review_list") + f"?nam={YEAR}", {"returns": seen})
    assert AnnualReturn.objects.filter(status=AnnualReturn.Status.APPROVED).count() == count

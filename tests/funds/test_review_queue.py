"""The review queue: filters, counts per status, paging, last year's figures with the outlier flag, the
progress of each province, approving all in the filter after a confirmation, and sending back."""

import re

import pytest
from django.urls import reverse

from associations.models import Association, RoleKind, Tier
from associations.services import association_create, role_grant
from funds import services
from funds.models import AnnualReturn
from funds.services import ReturnChanges, annual_return_save

from ..conftest import make_user
from .conftest import YEAR
from .helpers import input_values, table_rows

URL = reverse("review_list")
ALL_URL = reverse("review_approve_all")
DRAFT, SUBMITTED, APPROVED = (
    AnnualReturn.Status.DRAFT,
    AnnualReturn.Status.SUBMITTED,
    AnnualReturn.Status.APPROVED,
)


@pytest.fixture
def queue(tree, make_return):
    """YEAR's returns: P1, C1, P2 and P3 submitted, D1 a draft, C2 approved; last year's of P1 and C1."""
    make_return(tree.p1, YEAR - 1, population=1_000, mobilised_cash=1_000_000, fund_balance=10_000_000)
    make_return(tree.c1, YEAR - 1, population=100, mobilised_cash=100_000)
    return {
        # P1's mobilised is 1,2 times last year's, its fund balance a tenth of it: only that is flagged.
        "p1": make_return(
            tree.p1, population=1_000, mobilised_cash=1_200_000, fund_balance=1_000_000, status=SUBMITTED
        ),
        # C1's mobilised in cash is ten times last year's.
        "c1": make_return(tree.c1, population=100, mobilised_cash=1_000_000, status=SUBMITTED),
        "p2": make_return(tree.p2, population=2_000, status=SUBMITTED),
        "p3": make_return(tree.p3, status=SUBMITTED),
        "d1": make_return(tree.d1),
        "c2": make_return(tree.c2, status=APPROVED),
    }


def _names(response) -> list[str]:
    return [row[1] for row in table_rows(response, "review")]


def _get(client, **params):
    return client.get(URL, {"nam": YEAR, **params})


# Filters and counts


def test_it_lists_the_submitted_returns_by_default_in_tree_order(reviewer, queue, tree, login):
    assert _names(_get(login(reviewer))) == [tree.p2.name, tree.p1.name, tree.c1.name, tree.p3.name]


def test_it_filters_by_cluster(reviewer, queue, tree, login):
    response = _get(login(reviewer), cum=tree.cluster_b.pk)
    assert _names(response) == [tree.p3.name]


def test_it_filters_by_province_tier_and_status(reviewer, queue, tree, login):
    client = login(reviewer)
    assert _names(_get(client, tinh=tree.p1.pk)) == [tree.p1.name, tree.c1.name]
    assert _names(_get(client, cap=Tier.COMMUNE)) == [tree.c1.name]
    assert _names(_get(client, trang_thai=DRAFT)) == [tree.d1.name]
    assert _names(_get(client, trang_thai=APPROVED, tinh=tree.p1.pk)) == [tree.c2.name]
    assert len(_names(_get(client, trang_thai="all"))) == 6


def test_it_counts_each_status_within_the_other_filters(reviewer, queue, tree, login):
    response = _get(login(reviewer), tinh=tree.p1.pk, trang_thai=DRAFT)
    counts = {value: n for value, _label, n, _query in response.context["statuses"]}
    assert counts == {SUBMITTED: 2, DRAFT: 1, APPROVED: 1, "all": 4}
    tabs = re.findall(r'<nav class="status-tabs.*?</nav>', response.content.decode(), flags=re.S)[0]
    assert re.search(r"Nháp <span class=\"count\">1</span>", tabs)


def test_it_keeps_the_filter_in_the_links_it_offers(reviewer, queue, tree, login):
    response = _get(login(reviewer), cum=tree.cluster_a.pk, cap=Tier.PROVINCE)
    body = response.content.decode()
    assert (
        f'href="{ALL_URL}?nam={YEAR}&amp;cum={tree.cluster_a.pk}&amp;cap=province&amp;trang_thai=submitted"'
        in body
    )
    assert f"?nam={YEAR}&amp;cum={tree.cluster_a.pk}&amp;cap=province&amp;trang_thai=draft" in body


def test_it_drops_a_filter_value_it_does_not_offer_and_says_so(reviewer, queue, tree, login):
    client = login(reviewer)
    for params in [{"cum": tree.p1.pk}, {"tinh": "²"}, {"cap": "x"}, {"trang_thai": "x"}, {"cum": 10**20}]:
        response = _get(client, **params)
        assert response.status_code == 200
        assert "Một số điều kiện lọc không còn hợp lệ" in response.content.decode()
        assert len(_names(response)) == 4


def test_it_offers_a_cluster_reviewer_only_the_clusters_and_provinces_in_their_care(tree, queue, login):
    reviewer_a = make_user("reviewer_a", RoleKind.REVIEWER, tree.cluster_a)
    response = _get(login(reviewer_a), tinh=tree.p3.pk)
    assert [c.pk for c in response.context["clusters"]] == [tree.cluster_a.pk]
    assert "Một số điều kiện lọc" in response.content.decode()
    assert tree.p3.name not in _names(response)


def test_it_counts_only_the_associations_active_in_the_year(reviewer, queue, tree, login, make_return):
    old = association_create(
        tier=Tier.PROVINCE,
        name="Tỉnh cũ",
        short_name="Cũ",
        code="OLD",
        parent=tree.cluster_a,
        active_until=YEAR - 1,
    )
    new = association_create(
        tier=Tier.PROVINCE,
        name="Tỉnh mới",
        short_name="Mới",
        code="NEW",
        parent=tree.cluster_a,
        active_from=YEAR + 1,
    )
    for node in (old, new):
        make_return(node, status=SUBMITTED)  # should not happen, and is not listed if it does
    response = _get(login(reviewer), trang_thai="all")
    assert old.name not in _names(response) and new.name not in _names(response)
    counts = {value: n for value, _label, n, _query in response.context["statuses"]}
    assert counts[SUBMITTED] == 4
    assert [row.province.pk for row, _query in response.context["progress"]] == [
        tree.p2.pk,
        tree.p1.pk,
        tree.p3.pk,
    ]


# The figures beside last year's


def test_it_shows_last_years_figures_and_flags_outliers_by_the_services_rule(reviewer, queue, tree, login):
    response = _get(login(reviewer), tinh=tree.p1.pk)
    rows = {row.annual_return.association_id: row for row in response.context["rows"]}
    assert rows[tree.p1.pk].flags == {"population": False, "mobilised": False, "fund_balance": True}
    assert rows[tree.c1.pk].flags == {"population": False, "mobilised": True, "fund_balance": False}
    p1_cells = table_rows(response, "review")[0]
    assert p1_cells[4] == f"1.000 {YEAR - 1}: 1.000"
    assert p1_cells[5] == f"1,2 triệu đồng {YEAR - 1}: 1 triệu đồng"
    assert "⚠" in p1_cells[6] and "⚠" not in p1_cells[5]


def test_it_has_one_outlier_rule_with_the_entry_form(reviewer, queue, tree, login, monkeypatch):
    monkeypatch.setattr(services, "OUTLIER_FACTOR", 100)
    response = _get(login(reviewer), tinh=tree.p1.pk)
    assert not any(row.flagged for row in response.context["rows"])


def test_it_shows_a_dash_without_last_years_return(reviewer, queue, tree, login):
    response = _get(login(reviewer), tinh=tree.p2.pk)
    assert table_rows(response, "review")[0][5] == f"— {YEAR - 1}: —"


# Progress per province


def test_it_shows_the_progress_of_each_province_of_the_filter(reviewer, queue, tree, login):
    response = _get(login(reviewer), cum=tree.cluster_a.pk)
    progress = {row.province.short_name: row for row, _query in response.context["progress"]}
    assert set(progress) == {"Một", "Hai"}
    one = progress["Một"]
    # P1's subtree: P1, D1, C1, C2, C3; submitted P1 and C1, approved C2, draft D1, C3 missing
    assert (one.associations, one.submitted, one.approved, one.drafts, one.missing) == (5, 2, 1, 1, 1)
    assert one.sent_pct == 60
    assert '<progress max="5" value="3"' in response.content.decode()


def test_it_counts_the_progress_of_the_chosen_tier_only(reviewer, queue, tree, login):
    response = _get(login(reviewer), tinh=tree.p1.pk, cap=Tier.COMMUNE)
    [(one, _query)] = response.context["progress"]
    assert (one.associations, one.submitted, one.approved, one.missing) == (3, 1, 1, 1)


# Paging and queries


def _grow(tree, make_return, n: int) -> None:
    """`n` communes under D1 and as many under P3, each with a submitted return and last year's."""
    start = Association.objects.count()
    for i in range(start, start + n):
        for parent, prefix in ((tree.d1, "G"), (tree.p3, "H")):
            node = association_create(
                tier=Tier.COMMUNE,
                name=f"Xã {prefix}{i:03}",
                short_name=f"{prefix}{i:03}",
                code=f"{prefix}{i}",
                parent=parent,
            )
            make_return(node, population=100 + i, mobilised_cash=1_000 * (i + 1), status=SUBMITTED)
            make_return(node, YEAR - 1, population=100 + i, mobilised_cash=900 * (i + 1))
    tree.refresh()


def test_it_pages_the_queue_by_fifty_keeping_the_filter(reviewer, tree, make_return, login):
    _grow(tree, make_return, 30)
    client = login(reviewer)
    first = _get(client, cap=Tier.COMMUNE)
    assert len(table_rows(first, "review")) == 50
    assert f"?nam={YEAR}&amp;cap=commune&amp;trang_thai=submitted&amp;trang=2" in first.content.decode()
    second = _get(client, cap=Tier.COMMUNE, trang=2)
    assert len(table_rows(second, "review")) == 10
    assert not set(_names(first)) & set(_names(second))


# 1 session, 2 user, 3 has the review right somewhere, 4 the clusters and provinces to filter by,
# 5 the reviewer's review roles (their ranges), 6 the returns of the filter counted by status, 7 the
# pager's count, 8 the page of returns (with association, parent, submitter and province name), 9 last
# year's returns of the page, 10 the year's data version, 11 the progress of each province of the
# filter (cached under that version)
QUEUE_QUERIES = 11


def test_it_shows_a_page_in_the_same_queries_on_a_tree_ten_times_larger(
    reviewer, tree, make_return, login, django_assert_num_queries
):
    client = login(reviewer)
    _grow(tree, make_return, 6)
    with django_assert_num_queries(QUEUE_QUERIES):
        _get(client, trang_thai="all")
    _grow(tree, make_return, 60)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = _get(client, trang_thai="all", cum=tree.cluster_a.pk)
    assert len(response.context["rows"]) == 50


# 1 session, 2 user, 3 has the review right somewhere, 4 the clusters and provinces to filter by,
# 5 the reviewer's review roles (their ranges), 6 the submitted returns of the filter with their
# association and province name
CONFIRM_QUERIES = 6


def test_it_confirms_in_the_same_queries_on_a_tree_ten_times_larger(
    reviewer, tree, make_return, login, django_assert_num_queries
):
    client = login(reviewer)
    _grow(tree, make_return, 6)
    with django_assert_num_queries(CONFIRM_QUERIES):
        client.get(ALL_URL, {"nam": YEAR})
    _grow(tree, make_return, 60)
    with django_assert_num_queries(CONFIRM_QUERIES):
        response = client.get(ALL_URL, {"nam": YEAR})
    assert response.context["count"] == 132


# Approving


def test_it_approves_the_selected_returns_and_comes_back_to_the_filter(reviewer, queue, tree, login):
    client = login(reviewer)
    url = f"{URL}?nam={YEAR}&cum={tree.cluster_a.pk}&trang=1"
    response = client.post(url, {"returns": [f"{queue['c1'].pk}:{queue['c1'].version}"]})
    assert response["Location"] == url
    assert AnnualReturn.objects.get(pk=queue["c1"].pk).status == APPROVED


def test_it_confirms_approving_all_in_the_filter_with_how_many_and_which(reviewer, queue, tree, login):
    response = login(reviewer).get(ALL_URL, {"nam": YEAR, "cum": tree.cluster_a.pk})
    body = response.content.decode()
    assert "Sẽ duyệt 3 báo cáo đã gửi" in body
    for node in (tree.p1, tree.c1, tree.p2):
        assert node.name in body
    assert tree.p3.name not in body
    assert AnnualReturn.objects.filter(status=APPROVED).count() == 1  # looking approves nothing


def test_it_names_the_first_returns_and_counts_the_others(reviewer, queue, login, monkeypatch):
    from funds import review_views

    monkeypatch.setattr(review_views, "CONFIRM_LISTED", 2)
    body = login(reviewer).get(ALL_URL, {"nam": YEAR}).content.decode()
    assert len(re.findall(r"<li>", body)) == 2 and "và 2 báo cáo khác." in body


def test_it_approves_all_in_the_filter_as_confirmed(reviewer, queue, tree, login):
    client = login(reviewer)
    query = {"nam": YEAR, "cum": tree.cluster_a.pk}
    fields = input_values(client.get(ALL_URL, query), "flex-row")
    response = client.post(f"{ALL_URL}?nam={YEAR}&cum={tree.cluster_a.pk}", fields, follow=True)
    status = lambda key: AnnualReturn.objects.get(pk=queue[key].pk).status  # noqa: E731
    assert [status(k) for k in ("p1", "c1", "p2", "p3", "d1")] == [APPROVED] * 3 + [SUBMITTED, DRAFT]
    assert "Đã duyệt 3 báo cáo." in [str(m) for m in response.context["messages"]]
    assert response.redirect_chain[-1][0] == f"{URL}?nam={YEAR}&cum={tree.cluster_a.pk}&trang_thai=submitted"


def test_it_approves_nothing_outside_the_filter_even_if_posted(reviewer, queue, tree, login):
    p3 = queue["p3"]
    login(reviewer).post(f"{ALL_URL}?nam={YEAR}&cum={tree.cluster_a.pk}", {"seen": f"{p3.pk}:{p3.version}"})
    assert AnnualReturn.objects.get(pk=p3.pk).status == SUBMITTED


def test_it_refuses_a_return_changed_since_the_confirmation(reviewer, officer, queue, tree, login):
    client = login(reviewer)
    fields = input_values(client.get(ALL_URL, {"nam": YEAR, "tinh": tree.p1.pk}), "flex-row")
    c1 = queue["c1"]
    annual_return_save(
        user=officer,
        association=tree.c1,
        year=YEAR,
        changes=ReturnChanges(figures={"population": 120}),
        expected_version=c1.version,
    )
    response = client.post(f"{ALL_URL}?nam={YEAR}&tinh={tree.p1.pk}", fields, follow=True)
    assert AnnualReturn.objects.get(pk=c1.pk).status == SUBMITTED
    assert AnnualReturn.objects.get(pk=queue["p1"].pk).status == APPROVED
    approved, refused = [str(m) for m in response.context["messages"]]
    assert approved == "Đã duyệt 1 báo cáo." and "dân số: 100 → 120" in refused


def test_it_leaves_a_return_submitted_after_the_confirmation(reviewer, queue, tree, login, make_return):
    client = login(reviewer)
    fields = input_values(client.get(ALL_URL, {"nam": YEAR, "tinh": tree.p1.pk}), "flex-row")
    later = make_return(tree.c3, status=SUBMITTED)
    client.post(f"{ALL_URL}?nam={YEAR}&tinh={tree.p1.pk}", fields)
    assert AnnualReturn.objects.get(pk=later.pk).status == SUBMITTED


# Sending back


def test_it_sends_back_from_the_filtered_queue_and_comes_back_to_it(reviewer, queue, tree, login):
    client = login(reviewer)
    page = _get(client, cum=tree.cluster_b.pk)
    fields = input_values(page, "send-back")
    assert fields["version"] == str(queue["p3"].version)
    response = client.post(
        reverse("return_send_back", args=[queue["p3"].pk]), fields | {"reason": "Thiếu dân số"}
    )
    assert response["Location"] == f"{URL}?nam={YEAR}&cum={tree.cluster_b.pk}"
    p3 = AnnualReturn.objects.get(pk=queue["p3"].pk)
    assert (p3.status, p3.reopen_reason) == (DRAFT, "Thiếu dân số")


def test_it_offers_neither_a_checkbox_nor_send_back_on_drafts_and_approved_returns(
    reviewer, queue, tree, login
):
    response = _get(login(reviewer), tinh=tree.p1.pk, trang_thai="all")
    body = response.content.decode()
    assert body.count('name="returns"') == 2  # P1 and C1, submitted
    assert body.count('class="send-back"') == 2


# Access


@pytest.mark.parametrize("user", ["officer", "viewer", "chair"])
def test_it_is_403_for_users_who_review_nowhere(user, request, queue, tree, login):
    client = login(request.getfixturevalue(user))
    seen = {"seen": f"{queue['p1'].pk}:{queue['p1'].version}"}
    assert client.get(ALL_URL, {"nam": YEAR}).status_code == 403
    assert client.post(f"{ALL_URL}?nam={YEAR}", seen).status_code == 403
    assert client.get(URL, {"nam": YEAR}).status_code == 403
    assert AnnualReturn.objects.get(pk=queue["p1"].pk).status == SUBMITTED


def test_it_approves_for_a_cluster_reviewer_only_in_their_care(tree, queue, login):
    reviewer_a = make_user("reviewer_a", RoleKind.REVIEWER, tree.cluster_a)
    p3 = queue["p3"]
    login(reviewer_a).post(f"{ALL_URL}?nam={YEAR}", {"seen": f"{p3.pk}:{p3.version}"})
    assert AnnualReturn.objects.get(pk=p3.pk).status == SUBMITTED


def test_it_sends_anonymous_users_to_login(client, tree):
    for url in (URL, ALL_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_lets_a_province_reviewer_filter_their_province(tree, queue, login):
    user = make_user("reviewer_p1", RoleKind.VIEWER, tree.p2)
    role_grant(user=user, association=tree.p1, role=RoleKind.REVIEWER)
    response = _get(login(user))
    assert response.context["clusters"] == []
    assert [p.pk for _c, members in response.context["province_groups"] for p in members] == [tree.p1.pk]
    assert _names(response) == [tree.p1.name, tree.c1.name]

"""The completeness page's drill-down: a province's associations with no return or only a draft, each
with its officers, paged; and the page's percentages, progress bars and cluster subtotals."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import RoleKind, Tier
from associations.services import association_create
from funds.models import AnnualReturn

from ..conftest import make_user
from .conftest import html_rows, put_return

URL = reverse("completeness")


def _url(province) -> str:
    return reverse("completeness_unsent", args=[province.pk])


def _listed(response) -> list[tuple[str, str, str]]:
    """(association, state, officers) of each row."""
    return [(cells[0], cells[2], cells[3]) for cells in html_rows(response.content.decode(), "unsent")]


@pytest.fixture
def officers(figures):
    """Officers on P1 (the officer fixture's place), on D1 and on C2; a viewer on P1 and an officer of
    the cluster, which are not the province's officers."""
    p1 = make_user("officer", RoleKind.OFFICER, figures.p1)
    p1.first_name, p1.last_name = "Văn", "Một"
    p1.save()
    return {
        "p1": p1,
        "d1": make_user("cb_dong", RoleKind.OFFICER, figures.d1),
        "c2": make_user("cb_nam", RoleKind.OFFICER, figures.c2),
        "viewer": make_user("viewer", RoleKind.VIEWER, figures.p1),
        "cluster": make_user("cb_cum", RoleKind.OFFICER, figures.cluster_a),
    }


def test_it_lists_the_associations_without_a_submitted_return_with_their_officers(
    client, reviewer, officers, figures
):
    client.force_login(reviewer)
    response = client.get(_url(figures.p1), {"nam": 2022})
    # P1 approved, D1 submitted; C1 and C3 drafts, C2 missing. Nearest officer first.
    assert _listed(response) == [
        (figures.c1.name, "Nháp", "cb_dong Văn Một"),
        (figures.c2.name, "Chưa có", "cb_nam cb_dong Văn Một"),
        (figures.c3.name, "Nháp", "Văn Một"),
    ]


def test_it_lists_only_the_missing_or_only_the_drafts(client, reviewer, figures):
    client.force_login(reviewer)
    missing = client.get(_url(figures.p1), {"nam": 2022, "loai": "chua-co"})
    drafts = client.get(_url(figures.p1), {"nam": 2022, "loai": "nhap"})
    assert [row[0] for row in _listed(missing)] == [figures.c2.name]
    assert [row[0] for row in _listed(drafts)] == [figures.c1.name, figures.c3.name]


def test_it_says_who_has_no_officer(client, reviewer, figures):
    client.force_login(reviewer)
    assert {row[2] for row in _listed(client.get(_url(figures.p2), {"nam": 2022}))} == {
        "Chưa có cán bộ nhập liệu"
    }


def test_it_leaves_out_associations_inactive_in_the_year(client, reviewer, figures):
    association_create(
        tier=Tier.COMMUNE, name="Xã cũ", short_name="Cũ", code="OLD", parent=figures.d1, active_until=2021
    )
    association_create(
        tier=Tier.COMMUNE, name="Xã mới", short_name="Mới", code="NEW", parent=figures.p1, active_from=2025
    )
    client.force_login(reviewer)
    names = [row[0] for row in _listed(client.get(_url(figures.p1), {"nam": 2022}))]
    assert "Xã cũ" not in names and "Xã mới" not in names and len(names) == 3


def test_it_pages_by_fifty(client, reviewer, figures):
    for i in range(55):
        association_create(
            tier=Tier.COMMUNE, name=f"Xã {i:02}", short_name=f"Xã {i:02}", code=f"N{i}", parent=figures.p1
        )
    client.force_login(reviewer)
    first = client.get(_url(figures.p1), {"nam": 2022})
    second = client.get(_url(figures.p1), {"nam": 2022, "trang": 2})
    assert len(_listed(first)) == 50 and len(_listed(second)) == 8
    assert "58 hội" in first.content.decode()
    assert "?nam=2022&amp;trang=2" in first.content.decode()


def _grow_province(province, n: int, start: int) -> None:
    """`n` communes under the province, each with an officer of its own and no return."""
    for i in range(start, start + n):
        node = association_create(
            tier=Tier.COMMUNE, name=f"Xã {i:03}", short_name=f"Xã {i:03}", code=f"M{i}", parent=province
        )
        make_user(f"cb{i}", RoleKind.OFFICER, node)


def test_it_shows_a_page_in_the_same_queries_on_a_tree_ten_times_larger(
    client, reviewer, officers, figures, django_assert_num_queries
):
    client.force_login(reviewer)
    _grow_province(figures.p1, 5, 0)
    # 1 session, 2 user, 3 the province (visible_to), 4 the pager's count, 5 the page of associations
    # with their return's status and parent, 6 the officers on them or above them in the province
    with django_assert_num_queries(6):
        client.get(_url(figures.p1), {"nam": 2022})
    _grow_province(figures.p1, 100, 5)
    with django_assert_num_queries(6):
        response = client.get(_url(figures.p1), {"nam": 2022})
    assert len(_listed(response)) == 50 and all("Văn Một" in row[2] for row in _listed(response))


def test_it_shows_the_drill_down_to_a_viewer_of_the_province(client, officers, figures):
    client.force_login(officers["viewer"])
    assert client.get(_url(figures.p1), {"nam": 2022}).status_code == 200


@pytest.mark.parametrize("user", ["outsider", "stranger"])
def test_it_is_404_outside_the_users_subtree(user, client, request, figures):
    client.force_login(request.getfixturevalue(user))
    assert client.get(_url(figures.p1), {"nam": 2022}).status_code == 404


def test_it_is_404_for_a_node_that_is_not_a_province(client, reviewer, figures):
    client.force_login(reviewer)
    assert client.get(_url(figures.d1), {"nam": 2022}).status_code == 404


def test_it_refuses_post(client, reviewer, figures):
    client.force_login(reviewer)
    assert client.post(_url(figures.p1), {"nam": 2022}).status_code == 405


# The completeness page: percentages, bars and subtotals


def test_it_shows_percentages_bars_and_cluster_subtotals(client, reviewer, figures):
    put_return(figures.c2, 2022, status=AnnualReturn.Status.APPROVED)
    client.force_login(reviewer)
    body = client.get(URL, {"nam": 2022}).content.decode()
    rows = html_rows(body, "completeness")
    # Cụm A's subtotal row (a <th> and ten cells), then Hai, then Một.
    cluster_a, hai, mot = rows[0], rows[1], rows[2]
    assert cluster_a[:6] == ["8", "6", "2", "2", "2", "2"]
    assert hai[0] == "Hai" and hai[7] == "33,3% 33,3%" and hai[8] == "0,0%"
    # Một: 5 associations, D1 submitted, P1 and C2 approved: 3 of 5 sent, 2 of 5 approved.
    assert mot[0] == "Một" and mot[7] == "60,0% 60,0%" and mot[8] == "40,0%"
    assert '<progress max="5" value="3"' in body and "style=" not in body


def test_it_never_rounds_a_province_with_one_missing_up_to_a_hundred_percent(figures):
    from funds.progress import share_pct

    assert share_pct(999, 1000) == Decimal("99.9") and share_pct(2, 3) == Decimal("66.6")
    assert share_pct(1, 0) is None


def test_it_links_each_province_with_unsent_returns_to_the_drill_down(client, reviewer, figures):
    client.force_login(reviewer)
    body = client.get(URL, {"nam": 2022}).content.decode()
    assert f'href="{_url(figures.p1)}?nam=2022&amp;loai=chua-co"' in body
    assert f'href="{_url(figures.p1)}?nam=2022&amp;loai=nhap"' in body
    assert f'href="{_url(figures.p3)}?nam=2022"' in body

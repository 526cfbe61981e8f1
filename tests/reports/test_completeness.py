import datetime
import re

from django.urls import reverse
from django.utils import timezone

from associations.models import Association, RoleKind, Tier
from associations.services import association_create
from funds.models import AnnualReturn
from funds.services import ReturnChanges, annual_return_save
from reports.completeness import completeness

from ..conftest import make_user
from .conftest import grow, html_rows, put_return

URL = reverse("completeness")
SUBMITTED, APPROVED = AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED


def _counts(rows):
    return {
        row.province.short_name: (row.associations, row.returns, row.submitted, row.approved, row.missing)
        for row in rows
    }


def _approve_url(province):
    return reverse("completeness_approve", args=[province.pk])


def _listed(client, province, year: int = 2022) -> dict:
    """The fields of the approval that the confirmation page of `province` shows the client's user."""
    body = client.get(_approve_url(province), {"nam": year}).content.decode()
    form = body[body.index(f'action="{_approve_url(province)}"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


def _province_rows(body: str) -> list[list[str]]:
    """The province rows of the completeness table (its cluster subtotal rows left out)."""
    return [
        row for row, kind in zip(html_rows(body, "completeness"), _row_classes(body), strict=True) if kind
    ]


def _row_classes(body: str) -> list[bool]:
    table = body[body.index('<table class="data completeness">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    return ["province" in cls for cls in re.findall(r'<tr class="([^"]*)"', table)]


def test_it_counts_returns_per_province_with_some_missing(figures):
    tree = figures
    put_return(tree.p3, 2022, status=SUBMITTED)
    rows = completeness(year=2022, provinces=Association.objects.all())
    # P1: P1, D1, C1, C2, C3 with returns from P1 (approved), D1 (submitted), C1, C3 (drafts).
    # P2: P2, D2, C4 with P2's return (submitted). P3: alone, submitted.
    assert _counts(rows) == {"Một": (5, 4, 1, 1, 1), "Hai": (3, 1, 1, 0, 2), "Ba": (1, 1, 1, 0, 0)}
    assert [row.province.parent.short_name for row in rows] == ["Cụm A", "Cụm A", "Cụm B"]
    assert rows[1].drafts == 2


def test_it_counts_nothing_for_a_year_without_returns(figures):
    rows = completeness(year=2020, provinces=Association.objects.all())
    assert _counts(rows) == {"Một": (5, 0, 0, 0, 5), "Hai": (3, 0, 0, 0, 3), "Ba": (1, 0, 0, 0, 1)}
    assert all(row.last_change is None for row in rows)


def test_it_leaves_out_associations_inactive_in_the_year(figures):
    gone = association_create(
        tier=Tier.COMMUNE, name="Xã cũ", short_name="Cũ", code="OLD", parent=figures.d1, active_until=2021
    )
    put_return(gone, 2021)
    put_return(gone, 2022, status=SUBMITTED)  # should not happen, and is not counted if it does
    assert _counts(completeness(year=2022, provinces=Association.objects.all()))["Một"] == (5, 4, 1, 1, 1)
    assert _counts(completeness(year=2021, provinces=Association.objects.all()))["Một"] == (6, 2, 0, 1, 4)


def test_it_gives_the_last_change_in_the_subtree(figures):
    moment = timezone.now() + datetime.timedelta(days=3)
    AnnualReturn.objects.filter(association=figures.c3, year=2022).update(updated_at=moment)
    AnnualReturn.objects.filter(association=figures.p1, year=2021).update(
        updated_at=moment + datetime.timedelta(1)
    )
    rows = {
        row.province.short_name: row for row in completeness(year=2022, provinces=Association.objects.all())
    }
    assert rows["Một"].last_change == moment
    assert rows["Ba"].last_change is None


def test_it_counts_in_three_queries_whatever_the_tree(figures, django_assert_num_queries):
    # 1 the provinces with their cluster, 2 the year's data version, 3 the counts over their
    # subtrees (cached under that version)
    with django_assert_num_queries(3):
        completeness(year=2022, provinces=Association.objects.all())
    grow(figures, provinces=6)
    with django_assert_num_queries(3):
        rows = completeness(year=2022, provinces=Association.objects.all())
    assert _counts(rows)["Mới 0"] == (7, 7, 2, 4, 0)


# Views


def test_it_sends_anonymous_users_to_login(client, tree):
    r = client.get(URL)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_shows_a_reviewer_every_province_with_approve_buttons(client, reviewer, figures):
    client.force_login(reviewer)
    r = client.get(URL, {"nam": 2022})
    assert r.status_code == 200
    body = r.content.decode()
    rows = _province_rows(body)
    # province, associations, returns, missing, drafts, submitted, approved
    assert [row[:7] for row in rows] == [
        ["Hai", "3", "1", "2", "0", "1", "0"],
        ["Một", "5", "4", "1", "2", "1", "1"],
        ["Ba", "1", "0", "1", "0", "0", "0"],
    ]
    # then the approval bar and share, the returns without organisation or learning-title figures
    # (all of them here), the last change, the actions
    assert [row[9] for row in rows] == ["1", "4", "0"]
    assert "Duyệt 1 báo cáo…" in rows[0][11] and "Duyệt 1 báo cáo…" in rows[1][11]
    assert "Duyệt" not in rows[2][11]
    assert body.count('href="/tien-do-bao-cao/tinh/') - body.count("/chua-gui/") == 2


def test_it_shows_an_officer_only_their_province_without_buttons(client, officer, figures):
    client.force_login(officer)
    r = client.get(URL, {"nam": 2022})
    assert [row.province for row in r.context["rows"]] == [figures.p1]
    assert "Duyệt 1 báo cáo" not in r.content.decode()


def test_it_shows_a_chair_the_provinces_of_the_cluster(client, chair, figures):
    client.force_login(chair)
    r = client.get(URL, {"nam": 2022})
    assert [row.province for row in r.context["rows"]] == [figures.p2, figures.p1]
    assert r.context["reviewable"] == set()


def test_it_renders_in_a_fixed_number_of_queries(client, reviewer, figures, django_assert_num_queries):
    client.force_login(reviewer)
    # 1 session, 2 user, 3 provinces the user sees, 4 the year's data version, 5 counts over their
    # subtrees, 6 provinces the user may review
    with django_assert_num_queries(6):
        client.get(URL, {"nam": 2022})
    grow(figures, provinces=6)
    with django_assert_num_queries(6):
        r = client.get(URL, {"nam": 2022})
    assert len(r.context["rows"]) == 9


def test_it_approves_the_submitted_returns_of_one_province(client, reviewer, figures):
    tree = figures
    put_return(tree.c2, 2022, status=SUBMITTED)
    put_return(tree.c2, 2021, status=SUBMITTED)  # another year: left alone
    put_return(tree.p3, 2022, status=SUBMITTED)  # another province: left alone
    client.force_login(reviewer)
    r = client.post(_approve_url(tree.p1), _listed(client, tree.p1))
    assert r.status_code == 302 and r["Location"] == f"{URL}?nam=2022"
    status = lambda node, year=2022: AnnualReturn.objects.get(association=node, year=year).status  # noqa: E731
    assert status(tree.d1) == status(tree.c2) == APPROVED
    assert status(tree.c1) == AnnualReturn.Status.DRAFT
    assert status(tree.c2, 2021) == status(tree.p3) == status(tree.p2) == SUBMITTED
    approved = AnnualReturn.objects.get(association=tree.d1, year=2022)
    assert approved.approved_by == reviewer and approved.history.first().history_user == reviewer
    r = client.get(r["Location"])
    assert "Đã duyệt 2 báo cáo năm 2022 của Một." in r.content.decode()


def test_it_says_when_there_is_nothing_to_approve(client, reviewer, figures):
    client.force_login(reviewer)
    r = client.post(_approve_url(figures.p3), {"nam": 2022}, follow=True)
    assert "Không có báo cáo nào đang chờ duyệt." in r.content.decode()


def test_it_is_403_for_an_officer_who_may_not_review(client, officer, figures):
    client.force_login(officer)
    assert client.post(_approve_url(figures.p1), {"nam": 2022}).status_code == 403
    assert AnnualReturn.objects.get(association=figures.d1, year=2022).status == SUBMITTED


def test_it_is_403_for_a_viewer_and_a_chair(client, viewer, chair, figures):
    for user in (viewer, chair):
        client.force_login(user)
        assert client.post(_approve_url(figures.p1), {"nam": 2022}).status_code == 403


def test_it_is_404_for_a_reviewer_of_another_province(client, figures):
    client.force_login(make_user("review2", RoleKind.REVIEWER, figures.p2))
    assert client.post(_approve_url(figures.p1), {"nam": 2022}).status_code == 404
    assert AnnualReturn.objects.get(association=figures.d1, year=2022).status == SUBMITTED


def test_it_is_404_for_a_node_that_is_not_a_province_or_a_bad_year(client, reviewer, figures):
    client.force_login(reviewer)
    assert client.post(_approve_url(figures.d1), {"nam": 2022}).status_code == 404
    assert client.post(_approve_url(figures.p1), {"nam": "x"}).status_code == 404
    assert client.post(_approve_url(figures.p1), {"nam": 1900}).status_code == 404


def test_it_lists_what_a_provinces_approval_will_approve_before_doing_it(client, reviewer, figures):
    c2 = put_return(figures.c2, 2022, status=SUBMITTED)
    client.force_login(reviewer)
    r = client.get(_approve_url(figures.p1), {"nam": 2022})
    body = r.content.decode()
    assert r.status_code == 200 and "Sẽ duyệt 2 báo cáo đã gửi" in body
    assert figures.d1.name in body and figures.c2.name in body and figures.p2.name not in body
    assert AnnualReturn.objects.get(pk=c2.pk).status == SUBMITTED  # nothing approved by looking


def test_it_names_the_first_returns_and_counts_the_others(client, reviewer, figures, monkeypatch):
    from reports import ranking_views

    monkeypatch.setattr(ranking_views, "CONFIRM_LISTED", 1)
    put_return(figures.c2, 2022, status=SUBMITTED)
    client.force_login(reviewer)
    body = client.get(_approve_url(figures.p1), {"nam": 2022}).content.decode()
    assert figures.d1.name in body and figures.c2.name not in body
    assert "và 1 báo cáo khác." in body
    # …but the approval still carries both, at the versions shown.
    assert len(_listed(client, figures.p1)["seen"].split(",")) == 2


def test_it_confirms_in_a_fixed_number_of_queries(client, reviewer, figures, django_assert_num_queries):
    client.force_login(reviewer)
    # 1 session, 2 user, 3 the province (visible_to), 4 the review right on it, 5 its submitted returns
    # with their association and its parent
    with django_assert_num_queries(5):
        client.get(_approve_url(figures.p1), {"nam": 2022})
    for i in range(20):
        node = association_create(
            tier=Tier.COMMUNE, name=f"Xã {i}", short_name=f"Xã {i}", code=f"Q{i}", parent=figures.p1
        )
        put_return(node, 2022, status=SUBMITTED)
    with django_assert_num_queries(5):
        response = client.get(_approve_url(figures.p1), {"nam": 2022})
    assert response.context["count"] == 21


def test_it_is_404_for_a_confirmation_without_a_year(client, reviewer, figures):
    client.force_login(reviewer)
    assert client.get(_approve_url(figures.p1)).status_code == 404


def test_it_refuses_the_confirmation_to_a_viewer(client, viewer, figures):
    client.force_login(viewer)
    assert client.get(_approve_url(figures.p1), {"nam": 2022}).status_code == 403


def test_it_approves_in_a_fixed_number_of_queries(client, reviewer, figures, django_assert_num_queries):
    client.force_login(reviewer)
    grow(figures, provinces=1)
    put_return(figures.c2, 2022, status=SUBMITTED)
    listed = _listed(client, figures.p1)
    # 1 session, 2 user, 3 the province (visible_to), 4 review right, 5 submitted ids in the subtree,
    # then annual_returns_approve_many: 6 savepoint, 7 the reviewer's review roles (their ranges),
    # 8 read for update of those posted, 9 bulk update of those still at the version seen, 10 bulk
    # history insert, 11-12 the year's data version's bump (INSERT of a missing counter, UPDATE),
    # 13 release savepoint
    with django_assert_num_queries(13):
        client.post(_approve_url(figures.p1), listed)
    assert (
        AnnualReturn.objects.filter(status=SUBMITTED, association__in=figures.p1.get_descendants()).count()
        == 0
    )


def test_it_lists_the_returns_and_versions_each_button_approves(client, reviewer, figures):
    c2 = put_return(figures.c2, 2022, status=SUBMITTED)
    client.force_login(reviewer)
    d1 = AnnualReturn.objects.get(association=figures.d1, year=2022)
    assert _listed(client, figures.p1)["seen"] == f"{d1.pk}:{d1.version},{c2.pk}:{c2.version}"


def test_it_approves_the_listed_returns_and_reports_one_changed_since(client, reviewer, officer, figures):
    c2 = put_return(figures.c2, 2022, status=SUBMITTED, population=100)
    client.force_login(reviewer)
    listed = _listed(client, figures.p1)
    annual_return_save(
        user=officer,
        association=figures.c2,
        year=2022,
        changes=ReturnChanges(figures={"population": 120}),
        expected_version=c2.version,
    )
    r = client.post(_approve_url(figures.p1), listed, follow=True)
    status = lambda node: AnnualReturn.objects.get(association=node, year=2022).status  # noqa: E731
    assert (status(figures.d1), status(figures.c2)) == (APPROVED, SUBMITTED)
    approved, refused = [str(m) for m in r.context["messages"]]
    assert approved == "Đã duyệt 1 báo cáo năm 2022 của Một."
    assert figures.c2.name in refused and "dân số: 100 → 120" in refused


def test_it_leaves_a_return_submitted_after_the_page_was_shown(client, reviewer, figures):
    client.force_login(reviewer)
    listed = _listed(client, figures.p1)
    put_return(figures.c2, 2022, status=SUBMITTED)
    client.post(_approve_url(figures.p1), listed)
    assert AnnualReturn.objects.get(association=figures.c2, year=2022).status == SUBMITTED
    assert AnnualReturn.objects.get(association=figures.d1, year=2022).status == APPROVED


def test_it_ignores_returns_of_another_province_posted_with_one(client, reviewer, figures):
    p2 = AnnualReturn.objects.get(association=figures.p2, year=2022)
    client.force_login(reviewer)
    client.post(_approve_url(figures.p1), {"nam": 2022, "seen": f"{p2.pk}:{p2.version}"})
    assert AnnualReturn.objects.get(pk=p2.pk).status == SUBMITTED


def test_it_ignores_malformed_versions(client, reviewer, figures):
    client.force_login(reviewer)
    for seen in ["²:1", "1:²", "x", "9" * 30 + ":1", ","]:
        r = client.post(_approve_url(figures.p1), {"nam": 2022, "seen": seen}, follow=True)
        assert r.status_code == 200
    assert AnnualReturn.objects.get(association=figures.d1, year=2022).status == SUBMITTED

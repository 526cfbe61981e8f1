"""Draft → submitted (officer) → approved (reviewer), one at a time or many from the review list."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from associations.models import RoleKind
from associations.services import association_create, role_grant
from funds import services, workflow
from funds.models import AnnualReturn

from .conftest import YEAR
from .helpers import form_data, table_rows

DRAFT, SUBMITTED, APPROVED = (
    AnnualReturn.Status.DRAFT,
    AnnualReturn.Status.SUBMITTED,
    AnnualReturn.Status.APPROVED,
)


def test_it_submits_a_draft(officer, draft, login, edit_url):
    response = login(officer).post(reverse("return_submit", args=[draft.pk]))
    assert response["Location"] == edit_url()
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (SUBMITTED, officer)
    assert draft.submitted_at is not None


def test_it_says_the_return_was_submitted(officer, draft, login):
    response = login(officer).post(reverse("return_submit", args=[draft.pk]), follow=True)
    assert "Đã gửi báo cáo để duyệt." in response.content.decode()


def test_it_refuses_to_submit_twice(officer, submitted, login):
    response = login(officer).post(reverse("return_submit", args=[submitted.pk]), follow=True)
    assert "Chỉ gửi được báo cáo đang ở trạng thái nháp." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.submitted_by is None


def _seen(annual_return) -> dict:
    return {"version": annual_return.version}


def test_it_approves_a_submitted_return(reviewer, submitted, login):
    response = login(reviewer).post(reverse("return_approve", args=[submitted.pk]), _seen(submitted))
    assert response["Location"] == reverse("review_list") + f"?nam={YEAR}"
    submitted.refresh_from_db()
    assert (submitted.status, submitted.approved_by) == (APPROVED, reviewer)
    assert submitted.approved_at is not None


def test_it_refuses_to_approve_a_draft(reviewer, draft, login):
    response = login(reviewer).post(reverse("return_approve", args=[draft.pk]), _seen(draft), follow=True)
    assert "Chỉ duyệt được báo cáo đã gửi." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DRAFT


def test_it_refuses_approval_by_an_officer_in_the_service(officer, submitted):
    with pytest.raises(PermissionDenied):
        workflow.annual_return_approve(
            user=officer, annual_return=submitted, expected_version=submitted.version
        )
    submitted.refresh_from_db()
    assert submitted.status == SUBMITTED


def test_it_returns_to_a_local_next_page_after_approving(reviewer, submitted, login, edit_url):
    data = {"next": edit_url(), **_seen(submitted)}
    response = login(reviewer).post(reverse("return_approve", args=[submitted.pk]), data)
    assert response["Location"] == edit_url()


def test_it_ignores_a_next_page_on_another_site(reviewer, submitted, login):
    url = reverse("return_approve", args=[submitted.pk])
    response = login(reviewer).post(url, {"next": "https://evil.example/", **_seen(submitted)})
    assert response["Location"] == reverse("review_list") + f"?nam={YEAR}"


def test_it_refuses_to_reopen_a_draft(reviewer, draft, login):
    response = login(reviewer).post(reverse("return_reopen", args=[draft.pk]), {"reason": "x"}, follow=True)
    assert "Báo cáo đang là bản nháp, không cần mở lại." in response.content.decode()


def test_it_reopens_a_submitted_return_to_draft(reviewer, submitted, login):
    login(reviewer).post(reverse("return_reopen", args=[submitted.pk]), {"reason": "Thiếu số liệu xã"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reopen_reason) == (DRAFT, "Thiếu số liệu xã")


# The review list and bulk approval.


@pytest.fixture
def pending(tree, make_return):
    """Submitted returns across the tree for YEAR, with a draft, an approved one and last year's too."""
    return {
        "p1": make_return(tree.p1, status=SUBMITTED),
        "c1": make_return(tree.c1, status=SUBMITTED),
        "p2": make_return(tree.p2, status=SUBMITTED),
        "p3": make_return(tree.p3, status=SUBMITTED),
        "d1_draft": make_return(tree.d1),
        "c2_approved": make_return(tree.c2, status=APPROVED),
        "p1_last_year": make_return(tree.p1, YEAR - 1, status=SUBMITTED),
    }


@pytest.fixture
def cluster_reviewer(tree, django_user_model):
    """A reviewer of cluster A only."""
    user = django_user_model.objects.create_user("reviewer_a")
    role_grant(user=user, association=tree.cluster_a, role=RoleKind.REVIEWER)
    return user


def _checked(*returns) -> list[str]:
    """The values of the review list's checkboxes for `returns`, as the page shows them."""
    return [f"{r.pk}:{r.version}" for r in returns]


def _listed(response) -> list[str]:
    return [row[1] for row in table_rows(response, "review")]


def test_it_lists_the_submitted_returns_of_the_year(reviewer, pending, tree, login):
    response = login(reviewer).get(reverse("review_list"), {"nam": YEAR})
    assert sorted(_listed(response)) == sorted([tree.p1.name, tree.c1.name, tree.p2.name, tree.p3.name])


def test_it_lists_only_the_reviewers_subtree(cluster_reviewer, pending, tree, login):
    response = login(cluster_reviewer).get(reverse("review_list"), {"nam": YEAR})
    assert tree.p3.name not in _listed(response)
    assert len(_listed(response)) == 3


def test_it_approves_the_selected_returns(reviewer, pending, login):
    chosen = [pending["p1"].pk, pending["p3"].pk]
    data = {"returns": _checked(pending["p1"], pending["p3"])}
    response = login(reviewer).post(reverse("review_list") + f"?nam={YEAR}", data, follow=True)
    assert "Đã duyệt 2 báo cáo." in response.content.decode()
    statuses = dict(AnnualReturn.objects.filter(pk__in=chosen).values_list("status", "approved_by"))
    assert statuses == {APPROVED: reviewer.pk}
    assert AnnualReturn.objects.get(pk=pending["p2"].pk).status == SUBMITTED


def test_it_approves_only_returns_the_reviewer_may_review(cluster_reviewer, pending, login):
    ids = [r.pk for r in pending.values()]
    before = {r.pk: r.status for r in pending.values()}
    login(cluster_reviewer).post(reverse("review_list"), {"returns": _checked(*pending.values())})
    after = dict(AnnualReturn.objects.values_list("pk", "status"))
    approved_now = {pk for pk in ids if before[pk] != after[pk]}
    assert approved_now == {pending[k].pk for k in ("p1", "c1", "p2", "p1_last_year")}
    assert after[pending["d1_draft"].pk] == DRAFT


def test_it_bumps_the_version_of_bulk_approved_returns(reviewer, pending, login):
    login(reviewer).post(reverse("review_list"), {"returns": _checked(pending["p1"])})
    assert AnnualReturn.objects.get(pk=pending["p1"].pk).version == pending["p1"].version + 1


def test_it_warns_when_nothing_was_selected(reviewer, pending, login):
    response = login(reviewer).post(reverse("review_list"), {"returns": ["x"]}, follow=True)
    assert "Chưa chọn báo cáo nào để duyệt." in response.content.decode()
    assert not AnnualReturn.objects.filter(status=APPROVED).exclude(pk=pending["c2_approved"].pk).exists()


# 15: SQLite takes at most 999 parameters a statement, about 18 history rows of a return (funds.catalogue
# figures included); beyond that the INSERT is split in batches, as on any write of many rows.
@pytest.mark.parametrize("count", [2, 15])
def test_it_bulk_approves_in_a_fixed_number_of_queries(
    count, reviewer, tree, make_return, django_assert_num_queries
):
    seen = {}
    for i in range(count):
        node = association_create(
            tier="commune", name=f"Xã {i}", short_name=f"Xã {i}", code=f"B{i}", parent=tree.d1
        )
        annual_return = make_return(node, status=SUBMITTED)
        seen[annual_return.pk] = annual_return.version
    # 1 savepoint, 2 the reviewer's review roles (their ranges), 3 the returns in those ranges with
    # their associations, FOR UPDATE of the returns, 4 one bulk UPDATE of those still at the version
    # seen, 5 one bulk INSERT into the history, 6-7 the year's data version's bump (INSERT of a missing
    # counter, UPDATE), 8 release savepoint
    with django_assert_num_queries(8):
        assert workflow.annual_returns_approve_many(user=reviewer, seen=seen).approved == count
    assert AnnualReturn.objects.filter(pk__in=seen, status=APPROVED).count() == count


# An approval is of the version the reviewer saw.


def _officer_changes(officer, annual_return, **figures):
    """The officer saves new figures on the return, as after the reviewer opened it."""
    return services.annual_return_save(
        user=officer,
        association=annual_return.association,
        year=annual_return.year,
        changes=services.ReturnChanges(figures=figures),
        expected_version=annual_return.version,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_refuses_an_approval_of_a_return_changed_since_it_was_seen(reviewer, officer, submitted, login):
    seen = _seen(submitted)
    _officer_changes(officer, submitted, mobilised_cash=41_000_000_000)
    before = AnnualReturn.objects.get(pk=submitted.pk)
    response = login(reviewer).post(reverse("return_approve", args=[submitted.pk]), seen, follow=True)
    after = AnnualReturn.objects.get(pk=submitted.pk)
    assert (after.status, after.version, after.approved_by) == (SUBMITTED, before.version, None)
    [message] = _messages(response)
    assert "đã thay đổi sau khi bạn mở" in message
    assert "vận động bằng tiền: 40.000.000.000 → 41.000.000.000" in message


def test_it_refuses_an_approval_in_the_service_when_the_version_differs(reviewer, submitted):
    with pytest.raises(workflow.StaleVersionError) as refused:
        workflow.annual_return_approve(
            user=reviewer, annual_return=submitted, expected_version=submitted.version - 1
        )
    assert refused.value.current.version == submitted.version
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


@pytest.mark.parametrize("version", [None, "", "²", "-1", "1.0", "9" * 40])
def test_it_refuses_an_approval_without_a_readable_version(version, reviewer, submitted, login):
    data = {} if version is None else {"version": version}
    response = login(reviewer).post(reverse("return_approve", args=[submitted.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Không rõ bạn đã xem bản nào của báo cáo" in response.content.decode()
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


def test_it_bulk_approves_the_unchanged_and_reports_the_changed(reviewer, officer, pending, tree, login):
    checked = _checked(pending["p1"], pending["c1"])
    _officer_changes(officer, pending["c1"], population=5_000)
    response = login(reviewer).post(
        reverse("review_list") + f"?nam={YEAR}", {"returns": checked}, follow=True
    )
    status = dict(AnnualReturn.objects.values_list("pk", "status"))
    assert (status[pending["p1"].pk], status[pending["c1"].pk]) == (APPROVED, SUBMITTED)
    approved, refused = _messages(response)
    assert approved == "Đã duyệt 1 báo cáo."
    assert tree.c1.name in refused and "dân số: — → 5.000" in refused


def test_it_reports_a_return_sent_back_since_it_was_checked(reviewer, pending, tree, login):
    checked = _checked(pending["p2"])
    workflow.annual_return_send_back(
        user=reviewer, annual_return=pending["p2"], reason="Thiếu xã", expected_version=pending["p2"].version
    )
    response = login(reviewer).post(reverse("review_list"), {"returns": checked}, follow=True)
    [refused] = _messages(response)
    assert "trạng thái: Đã gửi → Nháp" in refused
    assert AnnualReturn.objects.get(pk=pending["p2"].pk).status == DRAFT


@pytest.mark.parametrize(
    "values",
    [["²:1"], ["1:²"], ["1"], [":"], ["9" * 30 + ":1"], ["1:1:1"], ["-1:1"], ["1,2,,x:y"]],
)
def test_it_ignores_malformed_checkbox_values(values, reviewer, pending, login):
    response = login(reviewer).post(reverse("review_list"), {"returns": values}, follow=True)
    assert response.status_code == 200
    assert not AnnualReturn.objects.filter(status=APPROVED).exclude(pk=pending["c2_approved"].pk).exists()


def test_it_bulk_approves_with_changed_returns_in_a_fixed_number_of_queries(
    reviewer, officer, pending, django_assert_num_queries
):
    seen = {r.pk: r.version for r in (pending["p1"], pending["c1"], pending["p2"])}
    _officer_changes(officer, pending["c1"], population=5_000)
    # 1 savepoint, 2 the reviewer's review roles, 3 the returns in their ranges FOR UPDATE, 4 bulk
    # UPDATE, 5 bulk history INSERT, 6-7 the year's data version's bump (INSERT of a missing counter,
    # UPDATE), 8 release savepoint; the changed one is only reported.
    with django_assert_num_queries(8):
        result = workflow.annual_returns_approve_many(user=reviewer, seen=seen)
    assert (result.approved, [r.pk for r in result.changed]) == (2, [pending["c1"].pk])


# An approval racing an officer's save, each on its own database connection.


def _race(*actions, delays=()):
    """Run the actions together in threads, each with its own connection, the i-th `delays[i]` seconds
    after the start; return their results."""
    barrier = threading.Barrier(len(actions))
    results, errors = [None] * len(actions), []

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            time.sleep(delays[i] if i < len(delays) else 0)
            results[i] = action()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "deadlock"
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("approval", ["one", "bulk"])
def test_it_never_lets_an_approval_and_a_save_both_win_a_race(approval, tree, officer, reviewer, login):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks and parallel connections: SQLite serialises whole-database writes")
    officer_client, reviewer_client = login(officer), login(reviewer)
    winners = []
    # The approval is the quicker request: held back more and more, it ends up losing some rounds.
    for round_, delay in enumerate([0, 0, 0, 0.01, 0.03, 0.1, 0.3, 1.0]):
        year = YEAR - round_
        annual_return = AnnualReturn.objects.create(
            association=tree.p1, year=year, population=1_000, status=SUBMITTED
        )
        seen = annual_return.version
        edit = reverse("return_edit", args=[tree.p1.pk, year])
        if approval == "one":
            approve = (reverse("return_approve", args=[annual_return.pk]), {"version": seen})
        else:
            approve = (reverse("review_list") + f"?nam={year}", {"returns": [f"{annual_return.pk}:{seen}"]})
        saved, approved = _race(
            lambda: officer_client.post(edit, form_data(version=seen, population=2_000)),  # noqa: B023
            lambda: reviewer_client.post(*approve),  # noqa: B023
            delays=(0, delay),
        )
        after = AnnualReturn.objects.get(pk=annual_return.pk)
        assert approved.status_code == 302
        winners.append("approval" if after.status == APPROVED else "save")
        if after.status == APPROVED:  # the approval won: the save was refused as locked
            assert (saved.status_code, after.population) == (409, 1_000)
            assert "đã được duyệt" in saved.content.decode()
        else:  # the save won: the approval, of the version before it, was refused
            assert (saved.status_code, after.status, after.population) == (302, SUBMITTED, 2_000)
            assert after.approved_by is None and after.version == seen + 1
    # Both orders happened, so both refusals above were put to the test.
    assert set(winners) == {"approval", "save"}, winners

"""The reviewer's POSTs under hostile input: reasons, versions, forged "id:version" pairs from elsewhere."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from associations.models import RoleKind
from funds.models import AnnualReturn
from tests.conftest import make_user

from .support import UNICODE_DIGITS, assert_escaped, cases, db_state, id_text, rolled_back, text

YEAR = 2023
SUBMITTED = AnnualReturn.Status.SUBMITTED


@pytest.fixture
def review(tree):
    """A reviewer of P1, P1's subtree's returns (submitted, approved) and other provinces' submitted ones."""
    reviewer = make_user("p1-reviewer", RoleKind.REVIEWER, tree.p1)
    mine = {
        node: AnnualReturn.objects.create(association=node, year=YEAR, status=SUBMITTED, population=10)
        for node in (tree.p1, tree.d1, tree.c1)
    }
    approved = AnnualReturn.objects.create(association=tree.c2, year=YEAR, status="approved", population=10)
    theirs = [
        AnnualReturn.objects.create(association=node, year=YEAR, status=SUBMITTED, population=10)
        for node in (tree.p2, tree.c4, tree.p3)
    ]
    client = Client()
    client.force_login(reviewer)
    return {
        "client": client,
        "mine": list(mine.values()),
        "approved": approved,
        "theirs": theirs,
        "tree": tree,
    }


def pairs(review) -> st.SearchStrategy[str]:
    """Posted "id:version" values: right, stale, other provinces', malformed, several joined by commas."""
    ids = [r.pk for r in review["mine"] + review["theirs"] + [review["approved"]]]
    one = st.one_of(
        st.builds(lambda pk, v: f"{pk}:{v}", id_text(ids), st.one_of(st.just("1"), id_text())),
        text(),
    )
    return st.lists(one, min_size=1, max_size=4).map(",".join)


def theirs_untouched(review) -> None:
    for annual_return in review["theirs"]:
        annual_return.refresh_from_db()
        assert annual_return.status == SUBMITTED and annual_return.version == 1


@cases(80)
@given(data=st.data())
def test_it_approves_only_listed_returns_of_its_own_scope_at_their_version(review, data):
    values = data.draw(st.lists(pairs(review), max_size=3))
    with rolled_back():
        response = review["client"].post(reverse("review_list") + "?nam=" + str(YEAR), {"returns": values})
        assert response.status_code == 302
        theirs_untouched(review)
        for annual_return in AnnualReturn.objects.filter(status="approved"):
            event("approved one")
            assert annual_return.association.is_descendant_of(review["tree"].p1, include_self=True)


@cases(80)
@given(data=st.data())
def test_it_approves_a_province_only_from_its_own_submitted_returns(review, data):
    tree = review["tree"]
    pk = data.draw(st.sampled_from([tree.p1.pk, tree.p2.pk, tree.d1.pk, 10**6]))
    year = data.draw(
        st.one_of(st.just(str(YEAR)), st.sampled_from(["", "1999", "2101", *UNICODE_DIGITS]), text())
    )
    values = data.draw(st.lists(pairs(review), max_size=3))
    with rolled_back():
        url = reverse("completeness_approve", args=[pk])
        response = review["client"].post(url, {"nam": year, "seen": values})
        event(f"status {response.status_code}")
        assert response.status_code in (302, 403, 404)
        theirs_untouched(review)


@cases(60)
@given(data=st.data())
def test_it_reopens_or_sends_back_with_any_reason_all_or_nothing(review, data):
    """The reason is stored as typed (stripped) and shown as text, or nothing changes."""
    action = data.draw(st.sampled_from(["return_reopen", "return_send_back"]))
    target = review["approved"] if action == "return_reopen" else review["mine"][0]
    post = {"reason": data.draw(text()), "version": data.draw(st.one_of(st.just("1"), id_text()))}
    if data.draw(st.booleans()):
        post["next"] = data.draw(
            st.sampled_from(["https://evil.example/", "//evil.example", "/duyet/", "javascript:alert(1)"])
        )
    with rolled_back():
        before = db_state(AnnualReturn)
        response = review["client"].post(reverse(action, args=[target.pk]), post)
        assert response.status_code == 302
        assert "evil.example" not in response["Location"] and "javascript" not in response["Location"]
        target.refresh_from_db()
        if target.status == AnnualReturn.Status.DRAFT:
            event("done")
            assert target.reopen_reason == post["reason"].strip()
            page = review["client"].get(reverse("return_edit", args=[target.association_id, YEAR]))
            assert page.status_code == 200
            assert_escaped(page.content, [post["reason"]])
        else:
            event("refused")
            assert db_state(AnnualReturn) == before

"""A reviewer sends a submitted return back to draft with a reason, which the officer then sees."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from funds import services, workflow
from funds.models import AnnualReturn

from .conftest import YEAR
from .helpers import history_entries, input_values

DRAFT, SUBMITTED, APPROVED = (
    AnnualReturn.Status.DRAFT,
    AnnualReturn.Status.SUBMITTED,
    AnnualReturn.Status.APPROVED,
)
REASON = "Thiếu số liệu của xã Bắc"


def _send_back(client, annual_return, reason=REASON, version=None, **extra):
    data = {"reason": reason, "version": annual_return.version if version is None else version, **extra}
    return client.post(reverse("return_send_back", args=[annual_return.pk]), data, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_sends_a_submitted_return_back_to_draft_with_the_reason(reviewer, submitted, login):
    response = _send_back(login(reviewer), submitted)
    after = AnnualReturn.objects.get(pk=submitted.pk)
    assert (after.status, after.reopen_reason, after.version) == (DRAFT, REASON, submitted.version + 1)
    assert _messages(response) == [
        f"Đã trả lại báo cáo của {submitted.association.name} cho cán bộ nhập liệu."
    ]


def test_it_records_the_send_back_and_its_reason_in_the_history(reviewer, submitted, login):
    client = login(reviewer)
    _send_back(client, submitted)
    url = reverse("return_history", args=[submitted.association_id, YEAR])
    [entry, *_older] = history_entries(client.get(url))
    assert entry["user"] == "reviewer"
    assert ("trạng thái", "Đã gửi", "Nháp") in entry["changes"]
    assert ("lý do mở lại / trả lại", "—", REASON) in entry["changes"]


def test_it_shows_the_officer_why_the_return_was_sent_back(reviewer, officer, submitted, login, edit_url):
    _send_back(login(reviewer), submitted)
    body = login(officer).get(edit_url()).content.decode()
    assert f"Báo cáo đã bị trả lại: “{REASON}”" in body
    assert "Báo cáo được mở lại" not in body


def test_it_shows_the_officer_why_an_approved_return_was_reopened(
    reviewer, officer, approved, login, edit_url
):
    workflow.annual_return_reopen(user=reviewer, annual_return=approved, reason="Sai dân số")
    body = login(officer).get(edit_url()).content.decode()
    assert "Báo cáo được mở lại: “Sai dân số”" in body
    assert "Báo cáo đã bị trả lại" not in body


def test_it_stops_showing_the_reason_once_submitted_again(reviewer, officer, submitted, login, edit_url):
    _send_back(login(reviewer), submitted)
    workflow.annual_return_submit(user=officer, annual_return=submitted)
    assert REASON not in login(officer).get(edit_url()).content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_send_back_without_a_reason(reason, reviewer, submitted, login):
    response = _send_back(login(reviewer), submitted, reason=reason)
    assert "Cần ghi lý do trả lại báo cáo." in _messages(response)
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


def test_it_refuses_a_blank_reason_in_the_service(reviewer, submitted):
    with pytest.raises(ValidationError):
        workflow.annual_return_send_back(
            user=reviewer, annual_return=submitted, reason=" \n", expected_version=submitted.version
        )


@pytest.mark.parametrize("state", ["draft", "approved"])
def test_it_sends_back_only_a_submitted_return(state, request, reviewer, login):
    annual_return = request.getfixturevalue(state)
    response = _send_back(login(reviewer), annual_return)
    assert "Chỉ trả lại được báo cáo đã gửi, đang chờ duyệt." in _messages(response)
    after = AnnualReturn.objects.get(pk=annual_return.pk)
    assert (after.status, after.reopen_reason, after.version) == (state, "", annual_return.version)


def test_it_refuses_to_send_back_a_return_changed_since_it_was_seen(reviewer, officer, submitted, login):
    seen = submitted.version
    services.annual_return_save(
        user=officer,
        association=submitted.association,
        year=YEAR,
        changes=services.ReturnChanges(figures={"population": 1_200_000}),
        expected_version=seen,
    )
    response = _send_back(login(reviewer), submitted, version=seen)
    [message] = _messages(response)
    assert "dân số: 1.000.000 → 1.200.000" in message
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


def test_it_is_403_for_the_officer(officer, submitted, login):
    response = login(officer).post(
        reverse("return_send_back", args=[submitted.pk]), {"reason": REASON, "version": submitted.version}
    )
    assert response.status_code == 403
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


def test_it_refuses_the_officer_in_the_service(officer, submitted):
    with pytest.raises(PermissionDenied):
        workflow.annual_return_send_back(
            user=officer, annual_return=submitted, reason=REASON, expected_version=submitted.version
        )


def test_it_is_404_for_an_outsider(outsider, submitted, login):
    response = login(outsider).post(
        reverse("return_send_back", args=[submitted.pk]), {"reason": REASON, "version": submitted.version}
    )
    assert response.status_code == 404
    assert AnnualReturn.objects.get(pk=submitted.pk).status == SUBMITTED


def test_it_offers_the_send_back_form_on_the_return_page_to_a_reviewer(reviewer, submitted, login, edit_url):
    response = login(reviewer).get(edit_url())
    fields = input_values(response, "send-back")
    assert fields["version"] == str(submitted.version) and "reason" in fields
    assert reverse("return_send_back", args=[submitted.pk]) in response.content.decode()


def test_it_hides_the_send_back_form_from_the_officer(officer, submitted, login, edit_url):
    body = login(officer).get(edit_url()).content.decode()
    assert reverse("return_send_back", args=[submitted.pk]) not in body


def test_it_sends_back_from_a_row_of_the_review_list(reviewer, submitted, login):
    client = login(reviewer)
    page = client.get(reverse("review_list"), {"nam": YEAR})
    fields = input_values(page, "send-back")
    assert fields["version"] == str(submitted.version)
    response = client.post(reverse("return_send_back", args=[submitted.pk]), fields | {"reason": REASON})
    assert response["Location"] == reverse("review_list") + f"?nam={YEAR}"
    assert AnnualReturn.objects.get(pk=submitted.pk).reopen_reason == REASON

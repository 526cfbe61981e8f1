"""A province's page shows which of the associations under it have reported this year, and how far."""

import re

from django.urls import reverse

from funds.models import AnnualReturn


def _statuses(body: str) -> dict[str, str]:
    """{child name: status text} of the page's list of associations under it."""
    listing = body[body.index('class="children report-status"') :]
    listing = listing[: listing.index("</ul>")]
    return {
        name: status
        for name, status in re.findall(
            r'">([^<]+)</a>.*?<span class="status[^"]*">([^<]+)</span>', listing, re.S
        )
    }


def test_it_lists_each_child_with_its_return_status(client, reviewer, tree):
    AnnualReturn.objects.create(association=tree.d1, year=2023, mobilised_cash=1)
    AnnualReturn.objects.create(association=tree.c3, year=2023, status=AnnualReturn.Status.SUBMITTED)
    AnnualReturn.objects.create(association=tree.c3, year=2022, status=AnnualReturn.Status.APPROVED)
    client.force_login(reviewer)
    body = client.get(reverse("association_detail", args=[tree.p1.pk]), {"nam": 2023}).content.decode()
    assert _statuses(body) == {tree.d1.name: "Nháp", tree.c3.name: "Đã gửi"}
    assert "2/2 hội đã có báo cáo riêng năm 2023." in body


def test_it_marks_a_child_without_a_return_for_the_year(client, reviewer, tree):
    AnnualReturn.objects.create(association=tree.c3, year=2022, status=AnnualReturn.Status.APPROVED)
    client.force_login(reviewer)
    body = client.get(reverse("association_detail", args=[tree.p1.pk]), {"nam": 2023}).content.decode()
    assert _statuses(body) == {tree.d1.name: "Chưa báo cáo", tree.c3.name: "Chưa báo cáo"}
    assert "0/2 hội đã có báo cáo riêng năm 2023." in body

"""Who may issue a cluster report and read its issued versions, on the small tree."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from associations.models import RoleKind
from funds.models import AnnualReturn
from reports.issuing import report_issue
from reports.models import ClusterConference, IssuedReport
from tests.conftest import make_user
from tests.reports.conftest import put_return

DAY = date(2022, 11, 29)


@pytest.fixture
def conference(tree):
    for province in (tree.p1, tree.p2):
        put_return(
            province, 2022, population=1000, mobilised_cash=2_000_000, status=AnnualReturn.Status.APPROVED
        )
    return ClusterConference.objects.create(
        cluster=tree.cluster_a,
        year=2022,
        date=DAY,
        place="Một",
        doc_symbol="BC-CA",
        signer_title="Cụm trưởng",
        signer_name="Người Ký",
        recipients="- Lưu: VT.",
    )


@pytest.fixture
def far(tree):
    """An officer of a province in another cluster."""
    return make_user("far", RoleKind.OFFICER, tree.p3)


@pytest.mark.parametrize(
    ("who", "status"),
    [("far", 404), ("viewer", 403), ("officer", 403), ("chair", 302), ("reviewer", 302)],
)
def test_the_permission_matrix_for_issuing(client, request, conference, who, status):
    client.force_login(request.getfixturevalue(who))
    r = client.post(reverse("conference_issue", args=[conference.pk]), {"number": 1, "dated": "2022-11-29"})
    assert r.status_code == status
    assert IssuedReport.objects.exists() == (status == 302)


def test_the_service_refuses_an_officer(conference, officer):
    with pytest.raises(PermissionDenied):
        report_issue(user=officer, conference=conference, number=1, dated=DAY)


@pytest.mark.parametrize(
    ("who", "status"), [("far", 404), ("viewer", 200), ("chair", 200), ("reviewer", 200)]
)
def test_an_issued_version_is_read_by_the_clusters_members_only(
    client, request, conference, chair, who, status
):
    issued = report_issue(user=chair, conference=conference, number=1, dated=DAY)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("issued_report", args=[conference.pk, 1])).status_code == status
    r = client.get(reverse("issued_pdf", args=[conference.pk, 1]))
    assert r.status_code == status
    if status == 200:
        assert hashlib.sha256(b"".join(r.streaming_content)).hexdigest() == issued.sha256

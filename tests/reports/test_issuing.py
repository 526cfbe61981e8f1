"""Issuing the conference report: frozen PDF and figures, versions, and who may issue."""

import hashlib
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Association, Tier
from funds.models import AnnualReturn
from funds.services import (
    ReturnChanges,
    annual_return_save,
)
from funds.workflow import annual_return_approve, annual_return_reopen, annual_return_submit
from reports.issuing import report_issue
from reports.models import ClusterConference, IssuedReport
from tests.reports.conftest import approve_all

DAY = date(2022, 11, 29)


def user(name: str):
    return get_user_model().objects.get(username=name)


def download(client, conference, version: int) -> bytes:
    response = client.get(reverse("issued_pdf", args=[conference.pk, version]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def correct_ha_giang(cash: int) -> None:
    """A reviewer reopens Hà Giang's approved return, its officer corrects it, and it is approved again."""
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    annual_return = AnnualReturn.objects.get(association=ha_giang, year=2022)
    annual_return = annual_return_reopen(user=user("trunguong"), annual_return=annual_return, reason="Sai số")
    annual_return = annual_return_save(
        user=user("hagiang"),
        association=ha_giang,
        year=2022,
        changes=ReturnChanges(figures={"mobilised_cash": cash}),
        expected_version=annual_return.version,
    )
    annual_return = annual_return_submit(user=user("hagiang"), annual_return=annual_return)
    annual_return_approve(
        user=user("trunguong"), annual_return=annual_return, expected_version=annual_return.version
    )


pytestmark = pytest.mark.usefixtures("demo_once")


@pytest.fixture
def conference(db):
    return ClusterConference.objects.get(cluster__code="CUM01", year=2022)


@pytest.fixture
def chair(client, db):
    client.force_login(user("taybac"))
    return client


def issue(chair, conference, number: int = 1, dated: date = DAY):
    return chair.post(reverse("conference_issue", args=[conference.pk]), {"number": number, "dated": dated})


def test_it_is_refused_while_members_await_approval(chair, conference):
    r = issue(chair, conference)
    assert r.status_code == 200
    assert "chưa được duyệt" in r.content.decode()
    assert not IssuedReport.objects.exists()


def test_the_chair_issues_it_as_number_01(chair, conference):
    approve_all(conference.cluster, 2022)
    r = issue(chair, conference)
    assert r.status_code == 302 and r["Location"] == reverse("conference_report", args=[conference.pk])
    issued = IssuedReport.objects.get(conference=conference)
    assert (issued.reference, issued.version, issued.changes) == ("01/BC-CTĐ1", 1, [])
    page = chair.get(r["Location"]).content.decode()
    assert reverse("issued_pdf", args=[conference.pk, 1]) in page
    assert "Tải PDF đã ban hành (bản 1)" in page
    content = download(chair, conference, 1)
    assert hashlib.sha256(content).hexdigest() == issued.sha256
    assert "Số: 01/BC-CTĐ1" in pdf_text(content)


def test_a_correction_leaves_the_issued_file_unchanged_and_issues_version_2(chair, conference):
    approve_all(conference.cluster, 2022)
    issue(chair, conference)
    before = hashlib.sha256(download(chair, conference, 1)).hexdigest()

    correct_ha_giang(11_200_000_000)

    assert hashlib.sha256(download(chair, conference, 1)).hexdigest() == before
    page = chair.get(reverse("conference_report", args=[conference.pk])).content.decode()
    assert "10,939" in page  # the issued version, as issued
    assert "Hà Giang: vận động bằng tiền 10,939 tỷ đồng → 11,2 tỷ đồng" in page  # what changed since

    r = issue(chair, conference, number=2, dated=date(2022, 12, 5))
    assert r.status_code == 302
    second = IssuedReport.objects.get(conference=conference, version=2)
    assert second.changes == ["Hà Giang: vận động bằng tiền 10,939 tỷ đồng → 11,2 tỷ đồng"]
    text = pdf_text(download(chair, conference, 2))
    assert "thay thế Báo cáo số 01/BC-CTĐ1 ngày 29/11/2022 (bản 1)" in text
    assert "Hà Giang: vận động bằng tiền 10,939 tỷ đồng → 11,2 tỷ đồng" in text
    assert "11,2 tỷ đồng" in text and "Số: 02/BC-CTĐ1" in text
    assert hashlib.sha256(download(chair, conference, 1)).hexdigest() == before
    assert chair.get(reverse("conference_pdf", args=[conference.pk]))["Location"] == reverse(
        "issued_pdf", args=[conference.pk, 2]
    )


def test_issuing_again_without_a_change_is_refused(chair, conference):
    approve_all(conference.cluster, 2022)
    issue(chair, conference)
    r = issue(chair, conference, number=2)
    assert "không thay đổi so với bản 1" in r.content.decode()
    assert IssuedReport.objects.count() == 1


def test_a_number_used_that_year_is_refused(chair, conference):
    approve_all(conference.cluster, 2022)
    issue(chair, conference)
    correct_ha_giang(11_000_000_000)
    r = issue(chair, conference, number=1)
    assert "Số 01/BC-CTĐ1 đã được dùng trong năm 2022" in r.content.decode()


def test_the_document_needs_its_symbol_signer_and_recipients(conference):
    approve_all(conference.cluster, 2022)
    ClusterConference.objects.filter(pk=conference.pk).update(signer_name="", recipients="")
    with pytest.raises(ValidationError, match="họ tên người ký, nơi nhận"):
        report_issue(user=user("taybac"), conference=conference, number=1, dated=DAY)

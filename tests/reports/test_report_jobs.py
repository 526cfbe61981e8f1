"""A year's cluster reports as one ZIP, and issuing a report, as background jobs (reports/tasks.py),
with the real PDF renderer on the demo data."""

import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from funds.models import FileJob
from reports import tasks
from reports.issuing import report_filename, report_issue
from reports.models import ClusterConference, IssuedReport
from reports.selectors import zip_clusters
from tests.reports.conftest import approve_all

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DAY = date(2022, 11, 29)

pytestmark = pytest.mark.usefixtures("demo_once")


def user(name: str):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def conference(db):
    return ClusterConference.objects.get(cluster__code="CUM01", year=2022)


def _job(response) -> FileJob:
    assert response.status_code == 302, response
    return FileJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def _work(job: FileJob) -> None:
    # What the worker runs for the queued job. Not `db_worker` itself: it closes the connection
    # between tasks, and with it the transaction the demo data lives in (tests/funds/test_file_jobs.py
    # runs exports through the real database and RQ workers).
    tasks.issue_report.call(job_id=str(job.pk))


# --- the ZIP --------------------------------------------------------------------------------------


def test_a_central_user_gets_every_clusters_report_of_the_year_in_one_zip(client, conference):
    approve_all(conference.cluster, 2022)
    issued = report_issue(user=user("taybac"), conference=conference, number=1, dated=DAY)
    client.force_login(user("trunguong"))
    job = _job(client.post(reverse("reports_zip", args=[2022])))
    clusters = list(zip_clusters(user=user("trunguong"), year=2022))
    assert len(clusters) > 2
    assert (job.kind, job.status, job.done, job.total) == (
        "reports_zip",
        "done",
        len(clusters),
        len(clusters),
    )
    download = client.get(reverse("file_job_download", args=[job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="bao-cao-cac-cum-2022.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == len(clusters)
    # The issued report as it was issued, byte for byte; the others as live drafts.
    assert archive.read(report_filename(conference, issued)) == issued.pdf.open("rb").read()
    assert all(archive.read(name).startswith(b"%PDF") for name in names)


def test_a_user_without_a_cluster_that_year_gets_404(client, db):
    stranger = get_user_model().objects.create_user("khach", password="x")
    client.force_login(stranger)
    assert client.post(reverse("reports_zip", args=[2022])).status_code == 404
    client.force_login(user("trunguong"))
    assert client.post(reverse("reports_zip", args=[1900])).status_code == 404
    assert client.get(reverse("reports_zip", args=[2022])).status_code == 405
    assert not FileJob.objects.exists()


def test_a_chair_zips_only_the_own_cluster(client, db):
    client.force_login(user("taybac"))
    job = _job(client.post(reverse("reports_zip", args=[2022])))
    download = client.get(reverse("file_job_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert names == ["bao-cao-tay-bac-2022.pdf"]


def test_the_home_page_offers_the_zip_to_readers_of_several_clusters(client, db):
    client.force_login(user("trunguong"))
    assert reverse("reports_zip", args=[2022]) in client.get(reverse("home")).content.decode()
    client.force_login(user("taybac"))
    assert reverse("reports_zip", args=[2022]) not in client.get(reverse("home")).content.decode()


def test_anonymous_users_are_sent_to_login(client, db):
    r = client.post(reverse("reports_zip", args=[2022]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- issuing --------------------------------------------------------------------------------------


def test_issuing_waits_for_a_worker_and_then_leads_to_the_report(client, settings, conference):
    settings.TASKS = DATABASE_BACKEND
    approve_all(conference.cluster, 2022)
    client.force_login(user("taybac"))
    job = _job(client.post(reverse("conference_issue", args=[conference.pk]), {"number": 1, "dated": DAY}))
    assert (job.kind, job.status) == ("report_issue", "queued") and not IssuedReport.objects.exists()
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "<progress" in page and "js/job.js" in page

    _work(job)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert IssuedReport.objects.get(conference=conference).reference == "01/BC-CTĐ1"
    r = client.get(reverse("file_job", args=[job.pk]), follow=True)
    assert r.redirect_chain[-1][0] == reverse("conference_report", args=[conference.pk])
    assert "Đã ban hành Báo cáo số 01/BC-CTĐ1 (bản 1)." in r.content.decode()


def test_a_number_taken_meanwhile_fails_the_job_and_writes_nothing(client, settings, conference):
    settings.TASKS = DATABASE_BACKEND
    approve_all(conference.cluster, 2022)
    client.force_login(user("taybac"))
    job = _job(client.post(reverse("conference_issue", args=[conference.pk]), {"number": 1, "dated": DAY}))
    # A reviewer issues number 1 while the job waits for a worker.
    report_issue(user=user("trunguong"), conference=conference, number=1, dated=DAY)
    files = set(IssuedReport.objects.values_list("pdf", flat=True))

    _work(job)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "không thay đổi so với bản 1" in job.error
    assert set(IssuedReport.objects.values_list("pdf", flat=True)) == files
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "không thay đổi so với bản 1" in page and reverse("conference_draft", args=[conference.pk]) in page


def test_issuing_done_at_once_answers_as_before(client, conference):
    approve_all(conference.cluster, 2022)
    client.force_login(user("taybac"))
    r = client.post(reverse("conference_issue", args=[conference.pk]), {"number": 1, "dated": DAY})
    assert r["Location"] == reverse("conference_report", args=[conference.pk])
    job = FileJob.objects.get()
    assert (job.status, job.done, job.total) == ("done", 3, 3)


def test_only_its_owner_follows_an_issuing(client, settings, conference):
    settings.TASKS = DATABASE_BACKEND
    client.force_login(user("taybac"))
    job = _job(client.post(reverse("conference_issue", args=[conference.pk]), {"number": 1, "dated": DAY}))
    client.force_login(user("trunguong"))
    for name in ("file_job", "file_job_status", "file_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404

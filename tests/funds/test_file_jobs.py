"""Files built by background tasks (funds/file_jobs.py): a large export through a job, its page, its
status and its download; a stale job; a failure; the database worker and RQ on Redis."""

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from funds import file_jobs
from funds.models import AnnualReturn, FileJob, ImportJob
from funds.spreadsheets import exports
from tests.funds.conftest import rq_work
from tests.funds.test_import_support import YEAR, read_xlsx

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _jobs_for_exports_of_more_than_two(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2


def _export(client, **params):
    r = client.get(reverse("export_returns", args=["xlsx"]), {"nam": YEAR, **params})
    assert r.status_code == 302, r
    return FileJob.objects.get(pk=r.url.rstrip("/").rsplit("/", 1)[1])


def _status(client, job):
    return client.get(reverse("file_job_status", args=[job.pk])).json()


def test_it_builds_a_large_export_in_a_job_and_offers_the_file(client, tree, officer):
    AnnualReturn.objects.create(association=tree.c1, year=YEAR, mobilised_cash=123)
    client.force_login(officer)
    job = _export(client)
    assert (job.kind, job.status, job.done, job.total) == ("figures_export", "done", 5, 5)
    assert _status(client, job) == {"status": "done", "finished": True, "done": 5, "total": 5, "percent": 100}
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "Đã tạo xong tệp so-lieu-" in page and reverse("file_job_download", args=[job.pk]) in page
    assert "<progress" not in page
    download = client.get(reverse("file_job_download", args=[job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    rows = read_xlsx(b"".join(download.streaming_content))
    assert [r[0] for r in rows[1:]] == ["P1", "D1", "C1", "C2", "C3"]


def test_an_export_within_the_limit_stays_a_direct_download(client, tree, officer):
    client.force_login(officer)
    r = client.get(reverse("export_returns", args=["csv"]), {"nam": YEAR, "hoi": tree.d1.pk})
    assert r.status_code == 302  # D1, C1, C2: over the limit of 2
    r = client.get(reverse("export_returns", args=["csv"]), {"nam": YEAR, "hoi": tree.c1.pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert FileJob.objects.count() == 1


def test_it_reports_the_rows_written(client, tree, officer, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen = []
    report = file_jobs.Progress.__call__
    monkeypatch.setattr(
        file_jobs.Progress, "__call__", lambda self, d, t: seen.append((d, t)) or report(self, d, t)
    )
    client.force_login(officer)
    job = _export(client)
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)]
    assert (job.done, job.total) == (5, 5)


def test_the_worker_checks_the_owners_access_again(client, tree, officer):
    client.force_login(officer)
    job = FileJob.objects.create(
        owner=officer,
        kind="figures_export",
        params={"kind": "returns", "fmt": "csv", "year": YEAR, "root": tree.p3.pk},
    )
    from funds.tasks import export_figures

    export_figures.call(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and not job.result_name
    assert "không còn quyền" in job.error
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "không còn quyền" in page
    assert client.get(reverse("file_job_download", args=[job.pk])).status_code == 404


def test_only_its_owner_follows_a_job(client, login, tree, officer, outsider):
    job = _export(login(officer))
    other = login(outsider)
    for name in ("file_job", "file_job_status", "file_job_download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_job_without_news_for_a_while_is_shown_as_interrupted(client, tree, officer, settings):
    settings.JOB_STALE_AFTER = timedelta(minutes=15)
    client.force_login(officer)
    job = FileJob.objects.create(owner=officer, kind="figures_export", status="running")
    FileJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=14))
    assert _status(client, job)["finished"] is False
    FileJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    assert _status(client, job) == {"status": "failed", "finished": True, "done": 0, "total": 0, "percent": 0}
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "bị gián đoạn" in page and "<progress" not in page


def test_an_import_without_news_for_a_while_is_shown_as_interrupted(client, tree, officer):
    client.force_login(officer)
    job = ImportJob.objects.create(
        owner=officer, filename="a.xlsx", token="0" * 32, sha256="0" * 64, action="confirm", status="running"
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert client.get(reverse("import_job_status", args=[job.pk])).json()["status"] == "failed"
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "bị gián đoạn" in page and "<progress" not in page


def test_results_older_than_a_day_are_removed_when_another_is_stored(client, tree, officer):
    client.force_login(officer)
    old = _export(client)
    path = file_jobs.storage().path(old.result_name)
    day_ago = (timezone.now() - timedelta(days=1, minutes=1)).timestamp()
    os.utime(path, (day_ago, day_ago))
    new = _export(client)
    assert not file_jobs.storage().exists(old.result_name) and file_jobs.storage().exists(new.result_name)
    assert client.get(reverse("file_job_download", args=[old.pk])).status_code == 404


def test_jobs_of_every_kind_are_forgotten_a_while_after_their_last_news(client, tree, officer, settings):
    settings.JOB_KEEP = timedelta(days=30)
    client.force_login(officer)
    kept, old = _export(client), _export(client)
    imported = ImportJob.objects.create(owner=officer, filename="a.xlsx", token="0" * 32, sha256="0" * 64)
    month_ago = timezone.now() - timedelta(days=31)
    FileJob.objects.filter(pk=old.pk).update(updated_at=month_ago)
    ImportJob.objects.filter(pk=imported.pk).update(updated_at=month_ago)
    new = _export(client)  # a new job sweeps, whoever starts it
    assert set(FileJob.objects.values_list("pk", flat=True)) == {kept.pk, new.pk}
    assert not ImportJob.objects.exists()
    assert client.get(reverse("file_job", args=[old.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_database_worker_builds_the_export(client, settings, tree, officer):
    settings.TASKS = DATABASE_BACKEND
    client.force_login(officer)
    job = _export(client)
    assert job.status == "queued"
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page and "js/job.js" in page
    assert _status(client, job)["finished"] is False
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 5, 5)
    assert client.get(reverse("file_job_download", args=[job.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_on_redis_builds_the_export(client, redis_queue, tree, officer):
    client.force_login(officer)
    job = _export(client)
    assert job.status == "queued" and redis_queue.count == 1
    rq_work()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 5, 5)
    assert client.get(reverse("file_job_download", args=[job.pk])).status_code == 200


def _write_then_fail(job, progress):
    with transaction.atomic():
        AnnualReturn.objects.create(
            association=job.owner.roles.get().association, year=YEAR, mobilised_cash=1
        )
        progress(1, 2)
        raise RuntimeError("the disk is full")


def test_an_unexpected_failure_is_reported_and_writes_nothing(client, tree, officer):
    job = FileJob.objects.create(owner=officer, kind="figures_export")
    with pytest.raises(RuntimeError):
        file_jobs.run(str(job.pk), _write_then_fail)
    job.refresh_from_db()
    assert (job.status, job.result_name) == ("failed", "")
    assert job.error.startswith("Lỗi hệ thống khi thực hiện tác vụ; không có gì được ghi.")
    assert not AnnualReturn.objects.exists()
    client.force_login(officer)
    assert "Lỗi hệ thống" in client.get(reverse("file_job", args=[job.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_builds_transaction_is_seen_from_another_connection_on_postgresql(tree, officer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: inside a transaction no report is made")
    job = FileJob.objects.create(owner=officer, kind="report_issue")
    page = connections.create_connection(DEFAULT_DB_ALIAS)
    seen = []

    def build(job, progress):
        with transaction.atomic():
            for done in range(3):
                progress(done, 3)
                with page.cursor() as cursor:
                    cursor.execute("SELECT done, total FROM funds_filejob WHERE id = %s", [job.pk.hex])
                    seen.append(cursor.fetchone())
        return file_jobs.Redirect("/", "")

    try:
        file_jobs.run(str(job.pk), build)
    finally:
        page.close()
    assert seen == [(0, 3), (1, 3), (2, 3)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 3, 3)

"""The import as background tasks: a job with progress, run by a real worker of the database backend
and of RQ on Redis; its page, its status, and a failure that writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import AnnualReturn, ImportJob
from funds.spreadsheets import rows
from funds.spreadsheets.stash import stash_drop
from tests.funds.conftest import rq_work
from tests.funds.test_import_support import YEAR, row, xlsx

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


def _upload(client, content):
    r = client.post(reverse("import_upload"), {"file": SimpleUploadedFile("so-lieu.xlsx", content)})
    assert r.status_code == 302
    return ImportJob.objects.get(pk=r.url.rstrip("/").rsplit("/", 1)[1])


def _confirm(client):
    r = client.post(reverse("import_confirm"), {"token": client.session["funds_import"]["token"]})
    assert r.status_code == 302
    return ImportJob.objects.get(pk=r.url.rstrip("/").rsplit("/", 1)[1])


def _status(client, job):
    return client.get(reverse("import_job_status", args=[job.pk])).json()


def _run_db_worker():
    # One pass over the queue, in this process, as `manage.py db_worker --batch` runs it.
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_database_worker_runs_the_preview_and_the_confirmation(client, settings, tree, officer):
    settings.TASKS = DATABASE_BACKEND
    client.force_login(officer)
    nodes = [tree.p1, tree.d1, tree.c1, tree.c2, tree.c3]
    job = _upload(client, xlsx([row(n, mobilised_cash=1_000 + i) for i, n in enumerate(nodes)]))

    # Queued: the page shows an empty bar, refreshed without JavaScript, and the status says so.
    assert job.status == ImportJob.Status.QUEUED
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page and "js/job.js" in page
    assert _status(client, job) == {
        "status": "queued",
        "finished": False,
        "done": 0,
        "total": 0,
        "percent": 0,
    }

    _run_db_worker()
    job.refresh_from_db()
    assert (job.status, job.outcome, job.done, job.total) == ("done", "preview", 5, 5)
    assert _status(client, job)["finished"] is True
    page = client.get(reverse("import_job", args=[job.pk]))
    assert page.status_code == 200 and "Xác nhận nhập" in page.content.decode()
    assert "<progress" not in page.content.decode()
    assert not AnnualReturn.objects.exists()

    job = _confirm(client)
    assert job.status == ImportJob.Status.QUEUED and not AnnualReturn.objects.exists()
    _run_db_worker()
    job.refresh_from_db()
    assert (job.status, job.outcome) == ("done", "written")
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "Đã nhập tệp so-lieu.xlsx: 5 hàng mới" in page
    assert AnnualReturn.objects.get(association=tree.c3, year=YEAR).mobilised_cash == 1_004
    assert "funds_import" not in client.session


@pytest.mark.django_db(transaction=True)
def test_it_reports_progress_every_few_hundred_rows(settings, tree, officer, client, monkeypatch):
    # Every row a report, so that a small file shows the reports a large one makes.
    monkeypatch.setattr(rows, "PROGRESS_EVERY", 1)
    settings.TASKS = DATABASE_BACKEND
    client.force_login(officer)
    job = _upload(client, xlsx([row(n, mobilised_cash=1) for n in (tree.c1, tree.c2, tree.c3)]))
    with CaptureQueriesContext(connection) as queries:
        _run_db_worker()
    # The worker runs here, on this connection: its reports are UPDATEs of the job's done and total.
    reports = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "funds_importjob" SET "done"')]
    assert len(reports) == 3  # before each of the three rows
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 3)


@pytest.mark.django_db(transaction=True)
def test_a_failed_confirmation_is_reported_and_writes_nothing(client, settings, tree, officer):
    settings.TASKS = DATABASE_BACKEND
    client.force_login(officer)
    job = _upload(client, xlsx([row(tree.c1, mobilised_cash=1)]))
    _run_db_worker()
    job = _confirm(client)
    stash_drop(job.token)  # the stash was lost between the confirmation and the worker
    _run_db_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "Không còn tệp đang chờ xác nhận" in page
    assert not AnnualReturn.objects.exists()


def test_only_its_owner_follows_a_job(client, login, tree, officer, outsider):
    job = _upload(login(officer), xlsx([row(tree.c1, mobilised_cash=1)]))
    other = login(outsider)
    assert other.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert other.get(reverse("import_job_status", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_on_redis_runs_the_import(client, redis_queue, tree, officer):
    client.force_login(officer)
    job = _upload(client, xlsx([row(tree.c1, mobilised_cash=7), row(tree.c2, mobilised_cash=8)]))
    assert job.status == ImportJob.Status.QUEUED and redis_queue.count == 1
    rq_work()
    job.refresh_from_db()
    assert (job.status, job.outcome, job.done, job.total) == ("done", "preview", 2, 2)
    _confirm(client)
    assert not AnnualReturn.objects.exists()
    rq_work()
    job.refresh_from_db()
    assert job.outcome == "written"
    assert AnnualReturn.objects.get(association=tree.c2, year=YEAR).mobilised_cash == 8


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_reports_progress_another_connection_sees_on_postgresql(
    client, settings, tree, officer, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: inside the confirmation's transaction no report is made")
    from django.db import DEFAULT_DB_ALIAS, connections

    from funds import file_jobs

    monkeypatch.setattr(rows, "PROGRESS_EVERY", 1)
    settings.TASKS = DATABASE_BACKEND
    client.force_login(officer)
    job = _upload(client, xlsx([row(n, mobilised_cash=1) for n in (tree.c1, tree.c2, tree.c3)]))
    _run_db_worker()
    _confirm(client)
    # What the status page would read, from its own connection, after each report of the task.
    seen = []
    page = connections.create_connection(DEFAULT_DB_ALIAS)
    report = file_jobs.Progress.__call__

    def report_and_look(self, done, total):
        report(self, done, total)
        assert connection.in_atomic_block  # the confirmation's transaction is open
        with page.cursor() as cursor:
            cursor.execute("SELECT done, total FROM funds_importjob WHERE id = %s", [job.pk.hex])
            seen.append(cursor.fetchone())

    monkeypatch.setattr(file_jobs.Progress, "__call__", report_and_look)
    try:
        _run_db_worker()
    finally:
        page.close()
    assert seen == [(0, 3), (1, 3), (2, 3)]
    assert AnnualReturn.objects.filter(year=YEAR).count() == 3

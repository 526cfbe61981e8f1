"""The spreadsheet import as background tasks (DEP 14, the django-tasks backport): a preview and a
confirmation, each a task run by a worker, reporting its progress into an ImportJob.

The request only stashes the file and enqueues; the worker reads the stash (through the storage
API, so any worker of any server reads it), checks or writes, and stores what the page shows.
The confirmation is still one transaction: a failure writes nothing.
"""

import hashlib
import logging

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import imports
from .file_jobs import Progress, forget_old_jobs
from .models import ImportJob
from .spreadsheets.stash import stash_drop, stash_get

logger = logging.getLogger(__name__)

# Rows, errors and outliers kept for the page; the counts are always complete.
SHOWN = 1000


def start_preview(*, owner, token: str, filename: str, sha256: str) -> ImportJob:
    """A job for the stashed file, its preview enqueued."""
    forget_old_jobs()
    job = ImportJob(
        owner=owner,
        token=token,
        filename=filename[:255],
        sha256=sha256,
        language=translation.get_language() or "",
    )
    job.full_clean()
    job.save()
    return _enqueue(job)


def start_confirm(*, job: ImportJob, confirm_outliers: bool) -> ImportJob:
    """Enqueue the writing of a previewed job's file."""
    job.action = ImportJob.Action.CONFIRM
    job.status = ImportJob.Status.QUEUED
    job.confirm_outliers = confirm_outliers
    job.done = job.total = 0
    job.error = ""
    job.language = translation.get_language() or job.language
    job.save()
    return _enqueue(job)


def _enqueue(job: ImportJob) -> ImportJob:
    result = run_import_job.enqueue(job_id=str(job.pk))
    # The immediate backend has already run the job; keep what it wrote.
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def summary(preview: imports.Preview) -> dict:
    """What the page shows of a preview, as JSON: counts, and the first rows of each list."""
    changed = [r for r in preview.rows if r.status != "unchanged"]
    outliers = preview.outliers
    return {
        "new": preview.new,
        "changed": preview.changed,
        "unchanged": preview.unchanged,
        "years": preview.years,
        "error_count": len(preview.errors),
        "errors": [
            {"line": e.line, "column": e.column, "message": str(e.message)} for e in preview.errors[:SHOWN]
        ],
        "outlier_count": len(outliers),
        "outliers": [
            {
                "line": o.line,
                "code": o.code,
                "name": o.name,
                "year": o.year,
                "column": o.column,
                "previous_text": o.previous_text,
                "value_text": o.value_text,
            }
            for o in outliers[:SHOWN]
        ],
        "row_count": len(changed),
        "rows": [
            {
                "line": r.line,
                "code": r.code,
                "tier": str(r.tier),
                "name": r.name,
                "label": str(r.label),
                "year": r.year,
                "status": r.status,
                "changes": [
                    {"column": c.column, "old_text": c.old_text, "new_text": c.new_text} for c in r.changes
                ],
            }
            for r in changed[:SHOWN]
        ],
    }


def _finish(job: ImportJob, **values) -> None:
    values.setdefault("status", ImportJob.Status.DONE)
    job.done = job.total  # the bar ends full, failed or not
    for name, value in values.items():
        setattr(job, name, value)
    job.save()


@task()
def run_import_job(job_id: str) -> str:
    """Run the job's preview or confirmation; returns the outcome."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    progress = Progress(job)
    try:
        with translation.override(job.language or None):
            _run(job, progress)
    except Exception:
        # A bug or a lost database, not the officer's doing: the confirmation's transaction was
        # rolled back, so nothing was written. The page says so; the log and the task keep the why.
        logger.exception("Import job %s (%s)", job.pk, job.filename)
        with translation.override(job.language or None):
            _finish(
                job,
                status=ImportJob.Status.FAILED,
                error=_("Lỗi hệ thống khi xử lý tệp; chưa có số liệu nào được ghi. Hãy thử lại sau."),
            )
        raise
    finally:
        progress.close()
    return job.outcome


def _run(job: ImportJob, progress: Progress) -> None:
    content = stash_get(job.token)
    if content is None or hashlib.sha256(content).hexdigest() != job.sha256:
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            error=_(
                "Không còn tệp đang chờ xác nhận (đã nhập, đã huỷ hoặc đã hết hạn). Hãy tải tệp lên lại."
            ),
        )
        return
    user = job.owner
    if job.action == ImportJob.Action.PREVIEW:
        preview = imports.import_preview(user=user, content=content, filename=job.filename, progress=progress)
        if not preview.ok:
            stash_drop(job.token)
        _finish(
            job,
            outcome=ImportJob.Outcome.PREVIEW,
            fingerprint=preview.fingerprint if preview.ok else "",
            result=summary(preview),
        )
        return
    try:
        preview = imports.import_confirm(
            user=user,
            content=content,
            filename=job.filename,
            fingerprint=job.fingerprint,
            confirm_outliers=job.confirm_outliers,
            progress=progress,
        )
    except imports.ImportOutliersUnconfirmed as exc:
        # The file stays for a second try with the box ticked, as the entry form asks again.
        _finish(
            job, outcome=ImportJob.Outcome.OUTLIERS, result=summary(exc.preview) | {"refusal": exc.message}
        )
    except imports.ImportConflict as exc:
        _finish(
            job,
            outcome=ImportJob.Outcome.CONFLICT,
            fingerprint=exc.preview.fingerprint,
            result=summary(exc.preview),
        )
    except imports.ImportRefused as exc:
        stash_drop(job.token)
        _finish(job, outcome=ImportJob.Outcome.REFUSED, fingerprint="", result=summary(exc.preview))
    else:
        stash_drop(job.token)
        _finish(job, outcome=ImportJob.Outcome.WRITTEN, fingerprint="", result=summary(preview))

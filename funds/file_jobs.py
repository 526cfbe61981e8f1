"""Files built, and reports issued, as background tasks (DEP 14): a FileJob with its progress.

The request checks what it can and enqueues; the worker rebuilds its scope from the job's owner
(never from the parameters), reports progress into the job, and stores the result: a file through
the storage API (STORAGES["jobs"], shared by every server and worker, or a private directory), or
the address of the page the job changed. A failure is reported on the job's page; the writes a
build makes are one transaction, so a failed job has written nothing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.storage import delete_older_than, private_storage

from .models import FileJob, ImportJob

logger = logging.getLogger(__name__)

# Built files are kept this long, then removed when another is stored.
RESULT_MAX_AGE = timedelta(days=1)

# What a build returns: a file (filename, content type, bytes), or a Redirect.
File = tuple[str, str, bytes]


@dataclass(frozen=True)
class Redirect:
    """The result of a job whose outcome is a page: where to go, and what to say there."""

    url: str
    message: str = ""


def storage() -> Storage:
    path = Path(getattr(settings, "JOBS_DIR", "") or Path(settings.MEDIA_ROOT) / "jobs")
    return private_storage("jobs", path, "JOBS_DIR")


def forget_old_jobs() -> None:
    """Delete the jobs of every kind with no news for JOB_KEEP: their files went after a day, and
    their pages (a result, an error) are of no use that much later."""
    cutoff = timezone.now() - settings.JOB_KEEP
    FileJob.objects.filter(updated_at__lt=cutoff).delete()
    ImportJob.objects.filter(updated_at__lt=cutoff).delete()


def start(*, owner, kind: str, params: dict, task) -> FileJob:
    """A job of `kind` for `owner`, its task enqueued (with the immediate backend, already run)."""
    forget_old_jobs()
    job = FileJob(owner=owner, kind=kind, params=params, language=translation.get_language() or "")
    job.full_clean()
    job.save()
    result = task.enqueue(job_id=str(job.pk))
    FileJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


class Progress:
    """Writes `done` of `total` to a job (a FileJob or an ImportJob), where its page reads it.

    Outside a transaction the task's own connection commits each report at once. Inside one (a
    build's writes) a report on that connection would stay invisible until the end, so PostgreSQL
    gets a second connection for them; SQLite, with its single writer, gets none and the page shows
    the bar without news until the write is done."""

    def __init__(self, job):
        self.job = job
        self.side = None

    def __call__(self, done: int, total: int) -> None:
        model = type(self.job)
        now = timezone.now()
        self.job.done, self.job.total = done, total
        if not connection.in_atomic_block:
            model.objects.filter(pk=self.job.pk).update(done=done, total=total, updated_at=now)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = connection.ops.quote_name(model._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s, updated_at = %s WHERE id = %s",
                    [done, total, now, self.job.pk.hex],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _store(job: FileJob, result: File) -> None:
    filename, content_type, data = result
    files = storage()
    delete_older_than(files, RESULT_MAX_AGE)
    job.result_name = files.save(job.pk.hex + Path(filename).suffix, ContentFile(data))
    job.filename, job.content_type = filename[:255], content_type[:100]


def _fail(job: FileJob, error: str) -> None:
    job.status, job.error = FileJob.Status.FAILED, error
    job.done = job.total
    job.save()


def run(job_id: str, build: Callable[[FileJob, Progress], File | Redirect]) -> str:
    """Run `build` for the job and keep its result; returns the job's final status.

    A refusal the user can act on (a ValidationError, no access any more) fails the job with its
    message; anything else is logged and fails it with a general one, then raised for the task's record.
    """
    job = FileJob.objects.select_related("owner").get(pk=job_id)
    job.status = FileJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    progress = Progress(job)
    with translation.override(job.language or None):
        try:
            result = build(job, progress)
        except ValidationError as exc:
            _fail(job, " ".join(exc.messages))
        except (PermissionDenied, Http404):
            _fail(job, _("Bạn không còn quyền thực hiện việc này; không có gì được ghi."))
        except Exception:
            logger.exception("File job %s (%s)", job.pk, job.kind)
            _fail(job, _("Lỗi hệ thống khi thực hiện tác vụ; không có gì được ghi. Hãy thử lại sau."))
            raise
        else:
            if isinstance(result, Redirect):
                job.redirect_url, job.message = result.url, result.message[:255]
            else:
                _store(job, result)
            job.status = FileJob.Status.DONE
            job.done = job.total
            job.save()
        finally:
            progress.close()
    return job.status

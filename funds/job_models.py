"""The background jobs (DEP 14 tasks) as rows their pages poll: an import's, and a built file's.

Imported by funds/models.py, where Django finds the app's models.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("đang chờ")
    RUNNING = "running", _("đang chạy")
    DONE = "done", _("xong")
    FAILED = "failed", _("lỗi")


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        """The jobs `user` may follow: their own (an import is one person's file until written, and a
        built file was built with its owner's access)."""
        return self.filter(owner_id=user.pk)


class Job(models.Model):
    """What every background job holds and shows: its progress, its failure, its language.

    A job queued or running without news for JOB_STALE_AFTER lost its worker (killed, restarted): it
    is shown as failed, and nothing was written, since each job writes in one transaction. Its id is
    random, so that job pages cannot be guessed; only its owner sees it.
    """

    Status = JobStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The user's language, in which the worker words its messages.
    language = models.CharField(max_length=10, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def stale(self) -> bool:
        if self.status not in {JobStatus.QUEUED, JobStatus.RUNNING} or self.updated_at is None:
            return False
        return self.updated_at < timezone.now() - settings.JOB_STALE_AFTER

    @property
    def state(self) -> str:
        return JobStatus.FAILED if self.stale else self.status

    @property
    def failure(self) -> str:
        if self.stale:
            return gettext("Tác vụ bị gián đoạn (máy xử lý dừng giữa chừng); hãy thử lại.")
        return self.error

    @property
    def finished(self) -> bool:
        return self.state in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def status_json(self) -> dict:
        """What the progress bar polls."""
        return {
            "status": self.state,
            "finished": self.finished,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
        }


class ImportJob(Job):
    """One uploaded spreadsheet going through its preview and its confirmation as background tasks.

    The task writes its progress (rows checked out of all rows) and, when done, its result here: the
    page polls it.
    """

    class Action(models.TextChoices):
        PREVIEW = "preview", _("xem trước")
        CONFIRM = "confirm", _("ghi số liệu")

    class Outcome(models.TextChoices):
        PREVIEW = "preview", _("bản xem trước")
        WRITTEN = "written", _("đã ghi")
        REFUSED = "refused", _("bị từ chối")
        CONFLICT = "conflict", _("xung đột")
        OUTLIERS = "outliers", _("cần xác nhận")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.PREVIEW)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    filename = models.CharField(max_length=255)
    # The stashed file (funds/spreadsheets/stash.py) and its checksum, re-checked by every task.
    token = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)
    # The fingerprint of the last preview, which the confirmation must find again.
    fingerprint = models.CharField(max_length=64, blank=True)
    confirm_outliers = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("lượt nhập tệp")
        constraints = [
            models.CheckConstraint(name="import_job_done_le_total", condition=Q(done__lte=models.F("total")))
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class FileJob(Job):
    """A file built, or a report issued, by a background task (funds/file_jobs.py); its page polls it.

    The result is a file in the jobs' storage (a day long), or, for a job whose result is a page,
    the address to go to.
    """

    class Kind(models.TextChoices):
        FIGURES_EXPORT = "figures_export", _("xuất số liệu")
        REPORTS_ZIP = "reports_zip", _("tệp ZIP báo cáo các cụm")
        REPORT_ISSUE = "report_issue", _("ban hành báo cáo")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="file_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    result_name = models.CharField(max_length=255, blank=True)  # in the jobs' storage
    filename = models.CharField(max_length=255, blank=True)  # what the download is called
    content_type = models.CharField(max_length=100, blank=True)
    redirect_url = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=255, blank=True)  # said on arrival at redirect_url

    class Meta(Job.Meta):
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        constraints = [
            models.CheckConstraint(name="file_job_done_le_total", condition=Q(done__lte=models.F("total")))
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

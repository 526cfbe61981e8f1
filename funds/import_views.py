"""Spreadsheet import (upload → preview → confirm) and export of the yearly figures.

The uploaded file is kept in the import stash (funds/spreadsheets/stash.py) under a random token,
and both the preview and the confirmation run as background tasks (funds/import_jobs.py) that
report into an ImportJob; the page follows the job. The session holds only the token, the file's
SHA-256 and the job's id. The confirmation re-reads and re-checks the whole file (the figures may
have changed meanwhile), and the file is deleted once confirmed, refused or cancelled.
"""

import hashlib
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from associations.access import get_association_for_user, holds_perm_anywhere
from associations.models import Perm
from core.numbers import parse_id
from core.years import selected_year, year_choices

from . import file_jobs, import_jobs, tasks
from .job_views import get_job_for_user
from .models import FileJob, ImportJob
from .spreadsheets import files
from .spreadsheets.exports import FORMATS, export_file, export_nodes
from .spreadsheets.resources import RESOURCES
from .spreadsheets.stash import stash_drop, stash_put

STASH_KEY = "funds_import"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp số liệu (.xlsx hoặc .csv)"))


def _require_importer(user) -> None:
    if not holds_perm_anywhere(user, Perm.EDIT_FIGURES):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu."))


def _drop_stash(request) -> None:
    info = request.session.pop(STASH_KEY, None)
    if info:
        stash_drop(info["token"])


def _stash(request, content: bytes, filename: str) -> import_jobs.ImportJob:
    """Keep the file for the tasks and the confirmation; the session gets only a token, the file's
    checksum and the job's id."""
    _drop_stash(request)
    token = stash_put(content)
    sha256 = hashlib.sha256(content).hexdigest()
    request.session[STASH_KEY] = {"token": token, "name": filename, "sha256": sha256, "job": None}
    job = import_jobs.start_preview(owner=request.user, token=token, filename=filename, sha256=sha256)
    request.session[STASH_KEY] = {**request.session[STASH_KEY], "job": str(job.pk)}
    return job


def _unstash(request) -> tuple[ImportJob, dict] | None:
    """The job of the file the session waits to confirm, when the form names it."""
    info = request.session.get(STASH_KEY)
    token = request.POST.get("token", "")
    if not info or not info.get("job") or not secrets.compare_digest(info["token"], token):
        return None
    job = ImportJob.objects.for_user(request.user).filter(pk=info["job"], token=info["token"]).first()
    if job is None or not job.fingerprint or job.status != ImportJob.Status.DONE:
        return None
    return job, info


class StoredPreview:
    """A preview as a finished task stored it (import_jobs.summary), for the template."""

    def __init__(self, result: dict):
        self.__dict__.update(result)


def _preview_page(request, job: ImportJob):
    result = job.result
    outcome = job.outcome
    waiting = outcome in {ImportJob.Outcome.PREVIEW, ImportJob.Outcome.CONFLICT, ImportJob.Outcome.OUTLIERS}
    token = job.token if waiting and job.fingerprint else None
    return render(
        request,
        "funds/import_preview.html",
        {
            "job": job,
            "preview": StoredPreview(result),
            "changed_rows": result["rows"],
            "hidden_rows": result["row_count"] - len(result["rows"]),
            "errors": result["errors"],
            "hidden_errors": result["error_count"] - len(result["errors"]),
            "token": token,
            "filename": job.filename,
            "conflict": outcome == ImportJob.Outcome.CONFLICT,
            "outliers": result["outliers"],
            "hidden_outliers": result["outlier_count"] - len(result["outliers"]),
            "refusal": result.get("refusal", ""),
        },
        status=409 if outcome in {ImportJob.Outcome.CONFLICT, ImportJob.Outcome.REFUSED} else 200,
    )


@login_required
def import_upload(request):
    # Everyone may open the page to download figures; only officers may upload.
    can_import = holds_perm_anywhere(request.user, Perm.EDIT_FIGURES)
    if request.method == "POST" and not can_import:
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            files.check_size(upload.size)
        except files.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            # The preview runs in a worker; the job's page follows it.
            job = _stash(request, upload.read(), upload.name)
            return redirect("import_job", job_id=job.pk)
    return render(
        request,
        "funds/import_upload.html",
        {
            "form": form,
            "can_import": can_import,
            "limit": files.limit_text(),
            "limit_bytes": settings.IMPORT_MAX_BYTES,
            "year": selected_year(request),
            "years": year_choices(),
            "max_rows": files.MAX_ROWS,
        },
    )


@login_required
@require_POST
def import_confirm(request):
    _require_importer(request.user)
    stashed = _unstash(request)
    if stashed is None:
        messages.error(
            request,
            _("Không còn tệp đang chờ xác nhận (đã nhập, đã huỷ hoặc đã hết hạn). Hãy tải tệp lên lại."),
        )
        return redirect("import_upload")
    job, _info = stashed
    job = import_jobs.start_confirm(job=job, confirm_outliers=request.POST.get("confirm_outliers") == "on")
    return redirect("import_job", job_id=job.pk)


def _own_job(request, job_id) -> ImportJob:
    return get_job_for_user(ImportJob, request.user, job_id)


@login_required
@require_safe
def import_job(request, job_id):
    """A job's page: its progress while it runs (refreshed without JavaScript too), its result after."""
    job = _own_job(request, job_id)
    info = request.session.get(STASH_KEY)
    mine = bool(info) and info.get("job") == str(job.pk)
    if job.status == ImportJob.Status.DONE and job.outcome != ImportJob.Outcome.WRITTEN:
        if mine and not job.fingerprint:
            request.session.pop(STASH_KEY, None)  # refused: the task dropped the file
        return _preview_page(request, job)
    if job.finished and mine:
        request.session.pop(STASH_KEY, None)
    return render(request, "funds/import_job.html", {"job": job, "result": job.result})


@login_required
@require_safe
def import_job_status(request, job_id):
    """What the progress bar polls."""
    return JsonResponse(_own_job(request, job_id).status_json())


@login_required
@require_POST
def import_cancel(request):
    _drop_stash(request)
    messages.info(request, _("Đã huỷ; không có số liệu nào được ghi."))
    return redirect("import_upload")


def _kind(request) -> str:
    kind = request.GET.get("loai", "returns")
    if kind not in RESOURCES:
        raise Http404
    return kind


def _download(filename: str, content_type: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_template(request):
    _require_importer(request.user)
    year = selected_year(request)
    return _download(
        *export_file(user=request.user, kind=_kind(request), year=year, fmt="xlsx", template=True)
    )


@login_required
def export_figures(request, kind: str, fmt: str):
    if fmt not in FORMATS or kind not in RESOURCES:
        raise Http404
    root = None
    if hoi := request.GET.get("hoi", ""):
        pk = parse_id(hoi)
        if pk is None:
            raise Http404
        root = get_association_for_user(request.user, pk)
    year = selected_year(request)
    # A national file takes a while: a task builds it, and its page shows how far it got.
    if export_nodes(user=request.user, year=year, root=root).count() > settings.EXPORT_INLINE_MAX_ROWS:
        params = {"kind": kind, "fmt": fmt, "year": year, "root": root.pk if root else None}
        job = file_jobs.start(
            owner=request.user, kind=FileJob.Kind.FIGURES_EXPORT, params=params, task=tasks.export_figures
        )
        return redirect("file_job", job_id=job.pk)
    return _download(*export_file(user=request.user, kind=kind, year=year, fmt=fmt, root=root))

"""The page of a background job (funds/file_jobs.py): its progress, then its file or the page it leads to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from . import file_jobs
from .job_models import Job
from .models import FileJob


def get_job_for_user(model: type[Job], user, job_id) -> Job:
    """The user's own job of `model`, else 404: someone else's import is that person's file until
    written, and a built file was built with its owner's access."""
    job = model.objects.for_user(user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def _own_job(request, job_id) -> FileJob:
    return get_job_for_user(FileJob, request.user, job_id)


@login_required
@require_safe
def file_job(request, job_id):
    """Progress while it runs (refreshed without JavaScript too); then the download, the page, or the error."""
    job = _own_job(request, job_id)
    if job.state == FileJob.Status.DONE and job.redirect_url:
        if job.message:
            messages.success(request, job.message)
        return redirect(job.redirect_url)
    return render(request, "funds/file_job.html", {"job": job})


@login_required
@require_safe
def file_job_status(request, job_id):
    """What the progress bar polls."""
    return JsonResponse(_own_job(request, job_id).status_json())


@login_required
@require_safe
def file_job_download(request, job_id):
    job = _own_job(request, job_id)
    if job.state != FileJob.Status.DONE or not job.result_name:
        raise Http404
    try:
        stored = file_jobs.storage().open(job.result_name, "rb")
    except FileNotFoundError:
        raise Http404("Tệp đã hết hạn; hãy tạo lại.") from None
    return FileResponse(stored, as_attachment=True, filename=job.filename, content_type=job.content_type)

"""The page of a background job (funds/file_jobs.py): its progress, then its file or the page it leads to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from . import file_jobs
from .models import FileJob


def _own_job(request, job_id) -> FileJob:
    # Someone else's job is not found, whoever asks: it was built with its owner's access.
    job = FileJob.objects.for_user(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


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

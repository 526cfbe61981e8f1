"""The cluster report: the live draft, the issued versions, their PDFs, and issuing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.years import MAX_YEAR, MIN_YEAR
from funds import file_jobs
from funds.models import FileJob

from . import cached, snapshot, tasks
from .access import can_issue_report, get_cluster_for_report, get_conference_for_user
from .conferences import latest_conference
from .forms import IssueForm
from .issuing import next_number, outstanding_members, report_filename
from .models import ClusterConference
from .rendering import document_context, render_pdf
from .selectors import zip_clusters

PAGE = "reports/cluster_report.html"


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request, conference: ClusterConference, *, draft: bool, issue_form: IssueForm | None = None):
    """The report page: the latest issued version unless `draft`, with what changed since it."""
    versions = list(conference.issued.order_by("version"))
    live = cached.live(cluster=conference.cluster, year=conference.year, conference=conference)
    latest = versions[-1] if versions else None
    if latest is not None and not draft:
        doc, issued, previous = latest.snapshot, latest, (versions[-2] if len(versions) > 1 else None)
    else:
        doc, issued, previous = live, None, None
    can_issue = can_issue_report(request.user, conference.cluster)
    if can_issue and issue_form is None:
        today = timezone.localdate()
        dated = conference.date if latest is None and conference.date else today
        issue_form = IssueForm(initial={"number": next_number(conference, dated.year), "dated": dated})
    context = {
        **document_context(doc, issued=issued, previous=previous),
        "conference": conference,
        "cluster": conference.cluster,
        "year": conference.year,
        "versions": versions,
        "latest": latest,
        "pending_changes": snapshot.changes(latest.snapshot, live) if latest is not None else [],
        "outstanding": outstanding_members(live),
        "can_edit": can_issue,
        "issue_form": issue_form if can_issue else None,
        "viewing_draft": issued is None,
    }
    return render(request, PAGE, context)


@login_required
def conference_report(request, pk: int):
    return _page(request, get_conference_for_user(request.user, pk), draft=False)


@login_required
def conference_draft(request, pk: int):
    return _page(request, get_conference_for_user(request.user, pk), draft=True)


@login_required
def conference_draft_pdf(request, pk: int):
    conference = get_conference_for_user(request.user, pk)
    doc = cached.live(cluster=conference.cluster, year=conference.year, conference=conference)
    return _pdf_response(render_pdf(doc), report_filename(conference))


@login_required
def conference_pdf(request, pk: int):
    """The latest issued PDF, or the draft while none is issued."""
    conference = get_conference_for_user(request.user, pk)
    latest = conference.issued.order_by("-version").first()
    if latest is None:
        return conference_draft_pdf(request, pk)
    return redirect("issued_pdf", pk=conference.pk, version=latest.version)


@login_required
def issued_report(request, pk: int, version: int):
    conference = get_conference_for_user(request.user, pk)
    versions = {v.version: v for v in conference.issued.all()}
    if version not in versions:
        raise Http404
    context = {
        **document_context(
            versions[version].snapshot, issued=versions[version], previous=versions.get(version - 1)
        ),
        "conference": conference,
        "cluster": conference.cluster,
        "year": conference.year,
        "versions": sorted(versions.values(), key=lambda v: v.version),
        "latest": versions[max(versions)],
        "can_edit": False,
        "viewing_draft": False,
    }
    return render(request, PAGE, context)


@login_required
def issued_pdf(request, pk: int, version: int):
    """The stored file, byte for byte as it was issued."""
    conference = get_conference_for_user(request.user, pk)
    issued = get_object_or_404(conference.issued, version=version)
    return FileResponse(
        issued.pdf.open("rb"),
        as_attachment=True,
        filename=report_filename(conference, issued),
        content_type="application/pdf",
    )


@login_required
@require_POST
def conference_issue(request, pk: int):
    conference = get_conference_for_user(request.user, pk, write=True)
    form = IssueForm(request.POST)
    if form.is_valid():
        # A worker renders and stores the PDF; the task checks everything again (report_issue).
        params = {
            "conference": conference.pk,
            "number": form.cleaned_data["number"],
            "dated": form.cleaned_data["dated"].isoformat(),
            "back": reverse("conference_draft", args=[conference.pk]),
        }
        job = file_jobs.start(
            owner=request.user, kind=FileJob.Kind.REPORT_ISSUE, params=params, task=tasks.issue_report
        )
        # Run at once (the immediate backend), it is answered here as before: the report, or the form.
        if job.state == FileJob.Status.DONE:
            messages.success(request, job.message)
            return redirect(job.redirect_url)
        if job.state != FileJob.Status.FAILED:
            return redirect("file_job", job_id=job.pk)
        form.add_error(None, job.error)
    return _page(request, conference, draft=True, issue_form=form)


@login_required
@require_POST
def reports_zip(request, year: int):
    """Start the ZIP of the year's reports of every cluster the user reads; its page follows it."""
    if not MIN_YEAR <= year <= MAX_YEAR or not zip_clusters(user=request.user, year=year).exists():
        raise Http404
    job = file_jobs.start(
        owner=request.user, kind=FileJob.Kind.REPORTS_ZIP, params={"year": year}, task=tasks.reports_zip
    )
    return redirect("file_job", job_id=job.pk)


@login_required
def cluster_report(request, pk: int, year: int):
    """The address of the time when a cluster met once a year: its latest conference of `year`, or the figures alone."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    cluster = get_cluster_for_report(request.user, pk)
    conference = latest_conference(cluster=cluster, year=year)
    if conference is not None:
        return redirect("conference_report", pk=conference.pk)
    doc = cached.live(cluster=cluster, year=year)
    context = {
        **document_context(doc),
        "conference": None,
        "cluster": cluster,
        "year": year,
        "can_edit": can_issue_report(request.user, cluster),
        "viewing_draft": True,
    }
    return render(request, PAGE, context)


@login_required
def cluster_report_pdf(request, pk: int, year: int):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    cluster = get_cluster_for_report(request.user, pk)
    conference = latest_conference(cluster=cluster, year=year)
    if conference is not None:
        return redirect("conference_pdf", pk=conference.pk)
    doc = cached.live(cluster=cluster, year=year)
    return _pdf_response(render_pdf(doc), report_filename(ClusterConference(cluster=cluster, year=year)))

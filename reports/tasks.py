"""Background tasks of the cluster reports (DEP 14): a year's reports as one ZIP, and issuing.

Each rebuilds what it may do from the job's owner (funds/file_jobs.py runs them): the clusters of
the ZIP are those the owner reads when the worker runs, and issuing checks the owner's right again.
"""

import io
import zipfile
from datetime import date

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from associations.models import Association
from funds import file_jobs

from . import cached
from .access import get_conference_for_user
from .conferences import latest_conference
from .issuing import report_filename, report_issue
from .models import ClusterConference
from .rendering import render_pdf
from .selectors import zip_clusters


def year_pdf(*, cluster: Association, year: int) -> tuple[str, bytes]:
    """(filename, PDF) of the cluster's report for `year`: the latest conference's latest issued
    version as stored, else the live draft."""
    conference = latest_conference(cluster=cluster, year=year)
    issued = conference.issued.order_by("-version").first() if conference is not None else None
    if issued is not None:
        with issued.pdf.open("rb") as stored:
            return report_filename(conference, issued), stored.read()
    doc = cached.live(cluster=cluster, year=year, conference=conference)
    return report_filename(conference or ClusterConference(cluster=cluster, year=year)), render_pdf(doc)


def build_reports_zip(job, progress) -> file_jobs.File:
    year = int(job.params["year"])
    clusters = list(zip_clusters(user=job.owner, year=year))
    if not clusters:
        raise PermissionDenied
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, cluster in enumerate(clusters):
            progress(done, len(clusters))
            archive.writestr(*year_pdf(cluster=cluster, year=year))
    return f"bao-cao-cac-cum-{year}.zip", "application/zip", buffer.getvalue()


def build_report_issue(job, progress) -> file_jobs.Redirect:
    params = job.params
    conference = get_conference_for_user(job.owner, int(params["conference"]), write=True)
    issued = report_issue(
        user=job.owner,
        conference=conference,
        number=int(params["number"]),
        dated=date.fromisoformat(params["dated"]),
        progress=progress,
    )
    message = _("Đã ban hành Báo cáo số %(ref)s (bản %(v)s).") % {
        "ref": issued.reference,
        "v": issued.version,
    }
    return file_jobs.Redirect(reverse("conference_report", args=[conference.pk]), message)


@task()
def reports_zip(job_id: str) -> str:
    return file_jobs.run(job_id, build_reports_zip)


@task()
def issue_report(job_id: str) -> str:
    return file_jobs.run(job_id, build_report_issue)

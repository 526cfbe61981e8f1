"""Background tasks of the figures (DEP 14); the import's are in import_jobs.py."""

from django_tasks import task

from associations.access import get_association_for_user

from . import file_jobs
from .spreadsheets.exports import export_file


def build_figures_export(job, progress) -> file_jobs.File:
    """The export the job's owner asked for, built with the owner's access as it stands now."""
    params = job.params
    root = None
    if params.get("root") is not None:
        root = get_association_for_user(job.owner, int(params["root"]))  # 404 when out of scope now
    return export_file(
        user=job.owner,
        kind=params["kind"],
        year=int(params["year"]),
        fmt=params["fmt"],
        root=root,
        progress=progress,
    )


@task()
def export_figures(job_id: str) -> str:
    return file_jobs.run(job_id, build_figures_export)

from django.core.exceptions import PermissionDenied

from associations.data_version import touches_years, writes_data
from associations.models import Association

from .access import can_edit_conference
from .models import ClusterConference


@writes_data
def conference_save(
    *, user, cluster: Association, data: dict, conference: ClusterConference | None = None
) -> ClusterConference:
    """Create a conference of the cluster, or update `conference`, for its chair or a reviewer."""
    if not can_edit_conference(user, cluster):
        raise PermissionDenied
    if conference is None:
        conference = ClusterConference(cluster=cluster)
    elif conference.cluster_id != cluster.pk:
        raise PermissionDenied
    # The report of the year it was, and of the year it is now, if it moved.
    touches_years(*(y for y in (conference.year, data.get("year")) if y))
    for name, value in data.items():
        setattr(conference, name, value)
    conference.full_clean()
    conference.save()
    return conference

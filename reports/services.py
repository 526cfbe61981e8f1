from django.core.exceptions import PermissionDenied
from django.db import transaction

from associations.models import Association

from .access import can_edit_conference
from .models import ClusterConference


@transaction.atomic
def conference_save(*, user, cluster: Association, year: int, data: dict) -> ClusterConference:
    """Create or update the conference record of (cluster, year) for its chair or a reviewer."""
    if not can_edit_conference(user, cluster):
        raise PermissionDenied
    conference = ClusterConference.objects.filter(cluster=cluster, year=year).first() or ClusterConference(
        cluster=cluster, year=year
    )
    for name, value in data.items():
        setattr(conference, name, value)
    conference.full_clean()
    conference.save()
    return conference

"""Access to the cluster reports, by the policy of associations/access.py: 404 outside, 403 without the right."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from associations.access import report_clusters, user_has_perm
from associations.models import Association, Perm

from .models import ClusterConference


def get_cluster_for_report(user, pk: int) -> Association:
    """A cluster whose report the user reads (see report_clusters); 404 otherwise."""
    cluster = report_clusters(user).filter(pk=pk).first()
    if cluster is None:
        raise Http404("Không tìm thấy cụm thi đua này.")
    return cluster


def can_edit_conference(user, cluster: Association) -> bool:
    """True for the cluster's chair and the reviewers above it."""
    return user_has_perm(user, cluster, Perm.EDIT_CONFERENCE)


def can_issue_report(user, cluster: Association) -> bool:
    """Issuing is the conference record's last step: the same people (the chair, a reviewer) do it."""
    return can_edit_conference(user, cluster)


def get_conference_for_user(user, pk: int, *, write: bool = False) -> ClusterConference:
    """A conference of a cluster the user may read (else 404); with `write`, one they may change (else 403)."""
    conference = (
        ClusterConference.objects.filter(pk=pk, cluster__in=report_clusters(user))
        .select_related("cluster", "host", "next_host")
        .first()
    )
    if conference is None:
        raise Http404("Không tìm thấy hội nghị này.")
    if write and not can_edit_conference(user, conference.cluster):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return conference

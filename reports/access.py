from django.http import Http404

from associations.access import user_has_perm
from associations.models import Association, Perm

from .selectors import readable_clusters


def get_cluster_for_report(user, pk: int) -> Association:
    """A cluster whose report the user may read (see readable_clusters); 404 otherwise."""
    cluster = readable_clusters(user).filter(pk=pk).first()
    if cluster is None:
        raise Http404("Không tìm thấy cụm thi đua này.")
    return cluster


def can_edit_conference(user, cluster: Association) -> bool:
    return user_has_perm(user, cluster, Perm.EDIT_CONFERENCE)

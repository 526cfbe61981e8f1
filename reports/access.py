from django.db.models import Exists, OuterRef
from django.http import Http404

from associations.access import user_has_perm
from associations.models import Association, Perm, Role, Tier


def get_cluster_for_report(user, pk: int) -> Association:
    """A cluster whose report the user may read: anyone with a role on it, above it or inside it; else 404."""
    clusters = Association.objects.filter(pk=pk, tier=Tier.CLUSTER)
    if not user.is_superuser:
        inside = Role.objects.filter(
            user=user,
            association__tree_id=OuterRef("tree_id"),
            association__lft__gte=OuterRef("lft"),
            association__rght__lte=OuterRef("rght"),
        )
        clusters = clusters.filter(
            pk__in=Association.objects.visible_to(user).values("pk")
        ) | clusters.filter(Exists(inside))
    cluster = clusters.first() if user.is_authenticated else None
    if cluster is None:
        raise Http404("Không tìm thấy cụm thi đua này.")
    return cluster


def can_edit_conference(user, cluster: Association) -> bool:
    return user_has_perm(user, cluster, Perm.EDIT_CONFERENCE)

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from associations.access import (
    CHANGES,
    get_association_for_user,
    get_open_totals_node,
    holds_perm_anywhere,
    is_central_admin,
    open_totals,
    perm_ranges_q,
    report_clusters,
    roles_with,
)
from associations.models import Association, Perm, RoleKind, Tier


def test_visible_to_is_the_role_subtree(tree, officer):
    visible = set(Association.objects.visible_to(officer))
    assert visible == {tree.p1, tree.d1, tree.c1, tree.c2, tree.c3}


def test_visible_to_unions_several_roles(tree, officer):
    from associations.services import role_grant

    role_grant(user=officer, association=tree.p3, role="viewer")
    assert tree.p3 in Association.objects.visible_to(officer)


def test_visible_to_anonymous_is_empty(tree):
    assert not Association.objects.visible_to(AnonymousUser()).exists()


def test_reviewer_sees_everything(tree, reviewer):
    assert Association.objects.visible_to(reviewer).count() == Association.objects.count()


def test_it_answers_404_outside_the_subtree(tree, outsider):
    with pytest.raises(Http404):
        get_association_for_user(outsider, tree.c1.pk)


def test_it_answers_403_to_a_viewer_writing(tree, viewer):
    assert get_association_for_user(viewer, tree.c1.pk) == tree.c1
    with pytest.raises(PermissionDenied):
        get_association_for_user(viewer, tree.c1.pk, perm=Perm.EDIT_FIGURES)


def test_officer_writes_below_own_node(tree, officer):
    assert get_association_for_user(officer, tree.c1.pk, perm=Perm.EDIT_FIGURES) == tree.c1


def test_officer_cannot_review(tree, officer):
    with pytest.raises(PermissionDenied):
        get_association_for_user(officer, tree.c1.pk, perm=Perm.REVIEW)


def test_visible_to_is_one_query(tree, officer, django_assert_num_queries):
    # 1. associations filtered by EXISTS(a role of the user covering the node)
    with django_assert_num_queries(1):
        list(Association.objects.visible_to(officer))


def test_it_grants_the_rights_of_the_designs_table():
    design = {
        RoleKind.OFFICER: {Perm.EDIT_FIGURES},
        RoleKind.CHAIR: {Perm.EDIT_CONFERENCE},
        RoleKind.REVIEWER: {Perm.REVIEW, Perm.EDIT_CONFERENCE},
        RoleKind.VIEWER: set(),
    }
    assert design == CHANGES
    assert set(roles_with(Perm.VIEW)) == set(RoleKind.values)
    assert roles_with(Perm.EDIT_FIGURES) == [RoleKind.OFFICER]


def test_it_answers_404_for_a_node_of_another_tier(tree, officer):
    assert get_association_for_user(officer, tree.p1.pk, tier=Tier.PROVINCE) == tree.p1
    with pytest.raises(Http404):
        get_association_for_user(officer, tree.d1.pk, tier=Tier.PROVINCE)


def test_it_opens_cluster_and_province_totals_to_every_signed_in_user(tree, outsider):
    assert set(open_totals(outsider)) == {tree.cluster_a, tree.cluster_b, tree.p1, tree.p2, tree.p3}
    assert get_open_totals_node(outsider, tree.p3.pk, tier=Tier.PROVINCE) == tree.p3
    with pytest.raises(Http404):
        get_open_totals_node(outsider, tree.d1.pk, tier=Tier.DISTRICT)
    assert not open_totals(AnonymousUser()).exists()


def test_it_shares_a_clusters_report_with_its_members_only(
    tree, officer, outsider, chair, reviewer, stranger
):
    assert set(report_clusters(officer)) == {tree.cluster_a}
    assert set(report_clusters(outsider)) == {tree.cluster_a}
    assert set(report_clusters(chair)) == {tree.cluster_a}
    assert set(report_clusters(stranger)) == {tree.cluster_b}
    assert set(report_clusters(reviewer)) == {tree.cluster_a, tree.cluster_b}
    assert not report_clusters(AnonymousUser()).exists()


def test_it_shares_the_clusters_report_with_a_commune_role(tree, django_user_model):
    from tests.conftest import make_user

    commune_viewer = make_user("commune", RoleKind.VIEWER, tree.c4)
    assert set(report_clusters(commune_viewer)) == {tree.cluster_a}


def test_it_tells_whether_a_right_is_held_anywhere(tree, officer, viewer, reviewer):
    assert holds_perm_anywhere(officer, Perm.EDIT_FIGURES)
    assert not holds_perm_anywhere(viewer, Perm.EDIT_FIGURES)
    assert holds_perm_anywhere(reviewer, Perm.REVIEW) and not holds_perm_anywhere(officer, Perm.REVIEW)


def test_it_makes_only_a_superuser_a_central_admin(tree, reviewer, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    assert is_central_admin(root)
    assert not is_central_admin(reviewer)
    root.is_active = False
    assert not is_central_admin(root)


@pytest.mark.parametrize("perm", [Perm.REVIEW, Perm.EDIT_FIGURES])
def test_perm_ranges_are_the_rows_of_with_perm(tree, django_user_model, perm):
    from associations.services import role_grant
    from tests.conftest import make_user

    user = make_user("hai-noi", RoleKind.REVIEWER, tree.p1)
    role_grant(user=user, association=tree.p3, role=RoleKind.OFFICER)
    role_grant(user=user, association=tree.d1, role=RoleKind.VIEWER)  # grants neither
    ranged = set(Association.objects.filter(perm_ranges_q(user, perm)))
    assert ranged == set(Association.objects.with_perm(user, perm))
    assert ranged and ranged != set(Association.objects.all())


def test_perm_ranges_of_nobody_superuser_and_anonymous(tree, django_user_model, outsider):
    boss = django_user_model.objects.create_superuser("sep", password="pw-sep")
    everyone = set(Association.objects.all())
    assert set(Association.objects.filter(perm_ranges_q(boss, Perm.REVIEW))) == everyone
    assert not Association.objects.filter(perm_ranges_q(AnonymousUser(), Perm.REVIEW)).exists()
    assert not Association.objects.filter(perm_ranges_q(outsider, Perm.REVIEW)).exists()
    outsider.is_active = False
    assert not Association.objects.filter(perm_ranges_q(outsider, Perm.EDIT_FIGURES)).exists()


def test_perm_ranges_refuse_what_predecessors_grant(tree, officer):
    with pytest.raises(ValueError):
        perm_ranges_q(officer, Perm.VIEW)

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from associations.access import get_association_for_user
from associations.models import Association, Perm


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

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from associations.models import Association, Role, RoleKind
from tests.conftest import make_user


def test_the_admin_shows_the_tree_in_vietnamese(client, tree, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    r = client.get(reverse("admin:associations_association_changelist"))
    body = r.content.decode()
    assert r.status_code == 200
    # django-mptt's strings come from locale/vi; the admin hands them to its script as JSON
    assert json.dumps("Mở rộng cây")[1:-1] in body and json.dumps("Thu gọn cây")[1:-1] in body
    assert tree.c1.name in body


def test_the_admin_refuses_an_illegal_parent(client, tree, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    url = reverse("admin:associations_association_change", args=[tree.d1.pk])
    data = {
        "tier": "district",
        "name": tree.d1.name,
        "short_name": tree.d1.short_name,
        "code": tree.d1.code,
        "parent": tree.cluster_b.pk,
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "succeeded_by-TOTAL_FORMS": "0",
        "succeeded_by-INITIAL_FORMS": "0",
    }
    r = client.post(url, data)
    assert r.status_code == 200
    assert "không thể trực thuộc" in r.content.decode()
    tree.d1.refresh_from_db()
    assert tree.d1.parent_id == tree.p1.pk


def test_admin_drag_and_drop_refuses_an_illegal_move(client, tree, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    r = client.post(
        reverse("admin:associations_association_changelist"),
        {
            "cmd": "move_node",
            "cut_item": tree.c1.pk,
            "pasted_on": tree.cluster_b.pk,
            "position": "last-child",
        },
    )
    assert r.content.startswith(b"FAIL")
    tree.c1.refresh_from_db()
    assert tree.c1.parent_id == tree.d1.pk


def test_it_moves_a_dropped_commune_through_the_service(client, tree, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    r = client.post(
        reverse("admin:associations_association_changelist"),
        {"cmd": "move_node", "cut_item": tree.c1.pk, "pasted_on": tree.c3.pk, "position": "right"},
    )
    assert r.content.startswith(b"OK")
    tree.c1.refresh_from_db()
    assert tree.c1.parent_id == tree.p1.pk
    assert Association.objects.get(pk=tree.d1.pk).get_descendant_count() == 1  # the MPTT columns follow


def test_it_moves_a_commune_through_the_change_form(client, tree, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    url = reverse("admin:associations_association_change", args=[tree.c1.pk])
    r = client.post(url, {**_node_data(tree.c1), "parent": tree.p1.pk})
    assert r.status_code == 302
    tree.c1.refresh_from_db()
    assert tree.c1.parent_id == tree.p1.pk


def _node_data(node):
    return {
        "tier": node.tier,
        "name": node.name,
        "short_name": node.short_name,
        "code": node.code,
        "parent": node.parent_id,
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "succeeded_by-TOTAL_FORMS": "0",
        "succeeded_by-INITIAL_FORMS": "0",
    }


def _staff(username, role, association, *apps):
    user = make_user(username, role, association)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    return user


@pytest.fixture
def staff_officer(tree):
    """An officer of P1 holding every model permission of the tree, the roles and the accounts."""
    return _staff("staff_officer", RoleKind.OFFICER, tree.p1, "associations", "auth")


def test_it_shows_staff_only_their_subtree(client, tree, staff_officer):
    client.force_login(staff_officer)
    r = client.get(reverse("admin:associations_association_changelist"))
    assert r.status_code == 200
    assert set(r.context["cl"].result_list) == {tree.p1, tree.d1, tree.c1, tree.c2, tree.c3}
    r = client.get(reverse("admin:associations_association_change", args=[tree.p2.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("admin:index")


def test_it_lets_no_staff_reshape_the_tree(client, tree, staff_officer):
    client.force_login(staff_officer)
    url = reverse("admin:associations_association_change", args=[tree.c1.pk])
    assert client.get(url).status_code == 200  # read-only
    assert client.post(url, {**_node_data(tree.c1), "parent": tree.p1.pk}).status_code == 403
    assert client.get(reverse("admin:associations_association_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:associations_association_delete", args=[tree.c1.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    r = client.post(
        reverse("admin:associations_association_changelist"),
        {"cmd": "move_node", "cut_item": tree.c1.pk, "pasted_on": tree.c3.pk, "position": "right"},
    )
    assert r.content.startswith(b"FAIL")
    tree.c1.refresh_from_db()
    assert tree.c1.parent_id == tree.d1.pk
    assert Association.objects.filter(pk=tree.c1.pk).exists()


def test_it_lets_no_staff_grant_roles(client, tree, staff_officer):
    client.force_login(staff_officer)
    assert client.get(reverse("admin:associations_role_changelist")).status_code == 403
    r = client.post(
        reverse("admin:associations_role_add"),
        {"user": staff_officer.pk, "association": tree.central.pk, "role": RoleKind.REVIEWER},
    )
    assert r.status_code == 403
    assert not Role.objects.filter(user=staff_officer, role=RoleKind.REVIEWER).exists()


def test_it_lets_no_staff_make_themselves_superuser(client, staff_officer):
    client.force_login(staff_officer)
    url = reverse("admin:auth_user_change", args=[staff_officer.pk])
    assert client.get(url).status_code == 403
    client.post(url, {"username": staff_officer.username, "is_superuser": "on", "is_staff": "on"})
    staff_officer.refresh_from_db()
    assert not staff_officer.is_superuser


def test_it_offers_staff_only_the_tree_on_the_index(client, staff_officer):
    client.force_login(staff_officer)
    models = {
        m["object_name"]
        for app in client.get(reverse("admin:index")).context["app_list"]
        for m in app["models"]
    }
    assert models == {"Association"}


@pytest.mark.parametrize(
    "path",
    [
        "associations/association/²/history/",
        "associations/association/{pk}/history/²/",
        "funds/fund/²/history/",
    ],
)
def test_it_answers_404_to_a_non_numeric_history_id(admin_client, tree, path):
    admin_client.raise_request_exception = False
    response = admin_client.get("/quan-tri/" + path.format(pk=tree.c1.pk))
    assert response.status_code == 404

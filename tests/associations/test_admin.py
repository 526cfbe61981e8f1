import json

from django.urls import reverse


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

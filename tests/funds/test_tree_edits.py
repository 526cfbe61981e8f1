"""A tree edit that would change an approved year's totals is refused, by every path of the admin.

The rule lives in funds (funds/tree_edits.py) and reaches the tree through associations' guard registry.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from associations.models import Association, Role, RoleKind
from associations.services import association_update

from .conftest import YEAR

MOVE_REFUSED = "sang hội cấp trên khác: báo cáo năm 2023"
YEARS_REFUSED = "Không đổi được năm hoạt động"


def _node_data(node, **changes) -> dict:
    data = {
        "tier": node.tier,
        "name": node.name,
        "short_name": node.short_name,
        "code": node.code,
        "parent": node.parent_id or "",
        "active_from": node.active_from or "",
        "active_until": node.active_until or "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "succeeded_by-TOTAL_FORMS": "0",
        "succeeded_by-INITIAL_FORMS": "0",
    }
    return data | changes


def _change(client, node, **changes):
    url = reverse("admin:associations_association_change", args=[node.pk])
    return client.post(url, _node_data(node, **changes))


def _drop(client, node, target, position="last-child"):
    url = reverse("admin:associations_association_changelist")
    return client.post(
        url, {"cmd": "move_node", "cut_item": node.pk, "pasted_on": target.pk, "position": position}
    )


def _stored(node):
    return Association.objects.values_list("parent_id", "active_from", "active_until").get(pk=node.pk)


@pytest.fixture
def admin_client(superuser, login):
    return login(superuser)


@pytest.mark.parametrize("status", ["approved", "submitted"])
def test_it_refuses_ending_a_node_before_a_year_it_has_approved(status, tree, make_return, admin_client):
    make_return(tree.c1, status=status)
    before = _stored(tree.c1)
    response = _change(admin_client, tree.c1, active_until=YEAR - 1)
    if status == "submitted":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert YEARS_REFUSED in response.content.decode()
    assert _stored(tree.c1) == before


def test_it_refuses_starting_a_node_after_a_year_its_subtree_has_approved(tree, make_return, admin_client):
    make_return(tree.c1, status="approved")
    response = _change(admin_client, tree.d1, active_from=YEAR + 1)
    assert YEARS_REFUSED in response.content.decode()
    assert _stored(tree.d1)[1] is None


def test_it_refuses_ending_a_node_inside_an_approved_year_of_an_ancestor(tree, make_return, admin_client):
    make_return(tree.p1, status="approved")
    response = _change(admin_client, tree.c1, active_until=YEAR - 1)
    assert YEARS_REFUSED in response.content.decode()
    assert _stored(tree.c1)[2] is None


def test_it_lets_a_node_end_after_its_approved_years(tree, make_return, admin_client):
    make_return(tree.c1, status="approved")
    assert _change(admin_client, tree.c1, active_until=YEAR).status_code == 302
    assert _stored(tree.c1)[2] == YEAR


def test_it_refuses_moving_a_node_with_an_approved_return_below(tree, make_return, admin_client):
    make_return(tree.c1, status="approved")
    response = _change(admin_client, tree.d1, parent=tree.p2.pk)
    assert response.status_code == 200
    assert MOVE_REFUSED in response.content.decode()
    assert _stored(tree.d1)[0] == tree.p1.pk


def test_it_refuses_moving_a_node_out_of_an_approved_ancestor(tree, make_return, admin_client):
    make_return(tree.d1, status="approved")
    response = _change(admin_client, tree.c1, parent=tree.p1.pk)
    assert MOVE_REFUSED in response.content.decode()
    assert _stored(tree.c1)[0] == tree.d1.pk


def test_it_moves_a_node_under_the_same_approved_province(tree, make_return, admin_client):
    """P1 adds up C1 before and after the move from D1 to P1: its approved total does not change."""
    make_return(tree.p1, status="approved")
    make_return(tree.c1)
    assert _change(admin_client, tree.c1, parent=tree.p1.pk).status_code == 302
    assert _stored(tree.c1)[0] == tree.p1.pk


def test_it_refuses_a_dropped_move_with_the_reason(tree, make_return, admin_client):
    make_return(tree.c1, status="approved")
    response = _drop(admin_client, tree.c1, tree.c3, position="right")
    assert response.content.startswith(b"FAIL")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(MOVE_REFUSED in m for m in messages)
    assert _stored(tree.c1)[0] == tree.d1.pk


def test_it_moves_a_dropped_node_when_no_approved_year_changes(tree, make_return, admin_client):
    make_return(tree.c1)
    assert _drop(admin_client, tree.c1, tree.c3, position="right").content.startswith(b"OK")
    assert _stored(tree.c1)[0] == tree.p1.pk


def test_it_refuses_the_service_the_same_way(tree, make_return, superuser):
    make_return(tree.c1, status="approved")
    with pytest.raises(ValidationError, match=MOVE_REFUSED):
        association_update(user=superuser, association=tree.c1, changes={"parent": tree.p1})
    with pytest.raises(ValidationError, match=YEARS_REFUSED):
        association_update(user=superuser, association=tree.c1, changes={"active_until": YEAR - 1})
    assert _stored(tree.c1) == (tree.d1.pk, None, None)


def test_it_lets_only_central_administrators_edit_the_tree(tree, reviewer):
    with pytest.raises(PermissionDenied):
        association_update(user=reviewer, association=tree.c1, changes={"active_until": YEAR})
    assert _stored(tree.c1)[2] is None


# --- who did it -------------------------------------------------------------------------------------


def test_it_records_a_tree_edit_with_its_author(tree, superuser):
    association_update(user=superuser, association=tree.c1, changes={"active_until": YEAR})
    record = tree.c1.history.latest("history_id")
    assert (record.active_until, record.history_user) == (YEAR, superuser)


def test_it_records_an_admin_tree_edit_with_the_admin(tree, superuser, admin_client):
    _change(admin_client, tree.c1, active_until=YEAR)
    record = Association.history.filter(id=tree.c1.pk).latest("history_id")
    assert (record.active_until, record.history_user) == (YEAR, superuser)


def test_it_records_a_role_granted_in_the_admin_with_the_admin(tree, officer, superuser, admin_client):
    data = {"user": officer.pk, "association": tree.p2.pk, "role": RoleKind.VIEWER}
    assert admin_client.post(reverse("admin:associations_role_add"), data).status_code == 302
    role = Role.objects.get(association=tree.p2)
    assert role.history.get().history_user == superuser


def test_it_shows_the_history_of_a_node_in_the_admin(tree, superuser, admin_client):
    association_update(user=superuser, association=tree.c1, changes={"active_until": YEAR})
    response = admin_client.get(reverse("admin:associations_association_history", args=[tree.c1.pk]))
    assert response.status_code == 200
    assert [r.history_user for r in response.context["page_obj"]] == [superuser]


def test_it_shows_the_history_of_a_role_in_the_admin(tree, officer, superuser, admin_client):
    role = officer.roles.get()
    response = admin_client.get(reverse("admin:associations_role_history", args=[role.pk]))
    assert response.status_code == 200
    assert [r.role for r in response.context["page_obj"]] == [RoleKind.OFFICER]


def test_it_keeps_a_node_history_outside_the_subtree_from_staff(tree, superuser, client):
    from tests.associations.test_admin import _staff

    association_update(user=superuser, association=tree.p2, changes={"active_until": YEAR})
    client.force_login(_staff("staff_officer", RoleKind.OFFICER, tree.p1, "associations"))
    response = client.get(reverse("admin:associations_association_history", args=[tree.p2.pk]))
    assert response.status_code == 403

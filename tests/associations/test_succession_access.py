"""Roles across the 2025 reform: a role on an ended node keeps its rights for the years the node was
active; a successor's roles read (only) the history they took over; a reviewer carries an ended node's
roles to its successors. On a small two-era tree built here, then on the demo (hagiang, tuyenquang)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from associations.access import get_association_for_user, may_carry_roles, user_has_perm
from associations.models import Association, Perm, Role, RoleKind, Succession, Tier
from associations.selectors import roles_to_carry
from associations.services import CARRY_REASON, association_create, roles_carry_to_successors
from funds import services
from funds.models import AnnualReturn
from tests.conftest import make_user
from tests.funds.helpers import form_data

OLD_YEAR, NEW_YEAR = 2023, 2025
OLD = ["p1", "p2", "p3", "d1", "d2", "c1", "c2", "c3", "c4"]


@pytest.fixture
def eras(tree):
    """The small tree as the 2022 era (ended 2024), and after it N1 (2025) in cluster A, taking over
    P1 and P2; its commune NC1 took over C1 and C2, and NC2 took over C4 (of P2) and C5 (of P3, which
    is not one of N1's predecessors)."""
    tree.c5 = association_create(
        tier=Tier.COMMUNE, name="Xã Năm", short_name="Năm", code="C5", parent=tree.p3
    )
    Association.objects.filter(pk__in=[getattr(tree, n).pk for n in [*OLD, "c5"]]).update(active_until=2024)
    tree.n1 = association_create(
        tier=Tier.PROVINCE,
        name="Tỉnh Mới",
        short_name="Mới",
        code="N1",
        parent=tree.cluster_a,
        active_from=2025,
    )
    tree.nc1 = association_create(
        tier=Tier.COMMUNE, name="Xã Hợp", short_name="Hợp", code="NC1", parent=tree.n1, active_from=2025
    )
    tree.nc2 = association_create(
        tier=Tier.COMMUNE, name="Xã Ghép", short_name="Ghép", code="NC2", parent=tree.n1, active_from=2025
    )
    tree.refresh()
    links = [("p1", "n1"), ("p2", "n1"), ("c1", "nc1"), ("c2", "nc1"), ("c4", "nc2"), ("c5", "nc2")]
    Succession.objects.bulk_create(
        [Succession(predecessor=getattr(tree, old), successor=getattr(tree, new)) for old, new in links]
    )
    return tree


@pytest.fixture
def new_officer(eras):
    return make_user("new_officer", RoleKind.OFFICER, eras.n1)


@pytest.fixture
def old_officer(eras):
    return make_user("old_officer", RoleKind.OFFICER, eras.p1)


def _names(nodes) -> set[str]:
    return {node.code for node in nodes}


# Seeing the history: the subtrees of the predecessors of every node the role covers.


def test_it_shows_a_successors_role_its_predecessors_subtrees(eras, new_officer):
    visible = _names(Association.objects.visible_to(new_officer))
    expected = {"N1", "NC1", "NC2", "P1", "D1", "C1", "C2", "C3", "P2", "D2", "C4", "C5"}
    assert visible == expected


def test_it_shows_a_communes_role_only_its_own_predecessors(eras):
    commune_viewer = make_user("commune", RoleKind.VIEWER, eras.nc1)
    assert _names(Association.objects.visible_to(commune_viewer)) == {"NC1", "C1", "C2"}


def test_it_shows_the_predecessor_of_a_node_below_the_role_but_not_its_neighbours(eras, new_officer):
    # C5 came to N1 through NC2, but P3 and its other communes did not.
    visible = Association.objects.visible_to(new_officer)
    assert eras.c5 in visible
    assert eras.p3 not in visible
    with pytest.raises(Http404):
        get_association_for_user(new_officer, eras.p3.pk)


def test_it_grants_only_sight_on_the_history(eras, new_officer):
    assert _names(Association.objects.with_perm(new_officer, Perm.EDIT_FIGURES)) == {"N1", "NC1", "NC2"}
    assert _names(Association.objects.with_perm(new_officer, Perm.VIEW)) == _names(
        Association.objects.visible_to(new_officer)
    )
    assert user_has_perm(new_officer, eras.c1, Perm.VIEW)
    assert not user_has_perm(new_officer, eras.c1, Perm.EDIT_FIGURES)
    assert get_association_for_user(new_officer, eras.p1.pk) == eras.p1
    with pytest.raises(PermissionDenied):
        get_association_for_user(new_officer, eras.p1.pk, perm=Perm.EDIT_FIGURES)


def test_a_successors_reviewer_does_not_review_the_history(eras):
    province_reviewer = make_user("province_reviewer", RoleKind.REVIEWER, eras.n1)
    assert user_has_perm(province_reviewer, eras.nc1, Perm.REVIEW)
    assert user_has_perm(province_reviewer, eras.p1, Perm.VIEW)
    assert not user_has_perm(province_reviewer, eras.p1, Perm.REVIEW)
    assert eras.p1 not in Association.objects.with_perm(province_reviewer, Perm.REVIEW)


def test_the_history_does_not_flow_back_to_an_ended_nodes_roles(eras, old_officer):
    visible = _names(Association.objects.visible_to(old_officer))
    assert visible == {"P1", "D1", "C1", "C2", "C3"}
    for node in (eras.n1, eras.nc1):
        with pytest.raises(Http404):
            get_association_for_user(old_officer, node.pk)


def test_the_history_is_read_in_the_same_single_query(eras, new_officer, django_assert_num_queries):
    # 1. nodes with EXISTS(a role covering the node) OR EXISTS(a succession from the node or an
    #    ancestor to a node a role covers)
    with django_assert_num_queries(1):
        assert len(list(Association.objects.visible_to(new_officer))) == 12
    # 1. the same test on the one node
    with django_assert_num_queries(1):
        assert user_has_perm(new_officer, eras.c1, Perm.VIEW)


def _more_predecessors(tree, count: int) -> None:
    """`count` more ended provinces, each with a district and a commune, taken over by N1."""
    for i in range(count):
        province = association_create(
            tier=Tier.PROVINCE,
            name=f"Tỉnh {i}",
            short_name=f"Tỉnh {i}",
            code=f"X{i}",
            parent=tree.cluster_b,
            active_until=2024,
        )
        district = association_create(
            tier=Tier.DISTRICT,
            name=f"Huyện {i}",
            short_name=f"Huyện {i}",
            code=f"XD{i}",
            parent=province,
            active_until=2024,
        )
        association_create(
            tier=Tier.COMMUNE,
            name=f"Xã {i}",
            short_name=f"Xã {i}",
            code=f"XC{i}",
            parent=district,
            active_until=2024,
        )
        Succession.objects.create(predecessor=province, successor=tree.n1)
    tree.refresh()


def test_the_pages_query_counts_do_not_grow_with_the_predecessors(
    eras, new_officer, client, django_assert_num_queries
):
    client.force_login(new_officer)
    detail = reverse("association_detail", args=[eras.c1.pk]) + f"?nam={OLD_YEAR}"
    history = reverse("return_history", args=[eras.c1.pk, OLD_YEAR])
    export = reverse("export_returns", args=["csv"]) + f"?hoi={eras.p1.pk}&nam={OLD_YEAR}"
    client.get(detail)
    # association page: 1 session, 2 user, 3 the association (visible_to, with the history), 4 its own
    # return, 5 edit right, 6 the carry link (C1 has ended: reviews it and has successors?), 7 the data
    # version (the totals' cache key), 8 subtree totals of returns, 9 of scholarships, 10 ancestors
    # (visible_to), 11 its commune associations counted from the tree; a commune has no children to ask
    # history page: 1 session, 2 user, 3 the association (visible_to), 4-7 the funds', return's,
    # scholarships' and transfers' history records
    # export: 1 session, 2 user, 3 the root (visible_to), 4 the nodes counted (a direct download or a
    # background job?), 5 the nodes (visible_to, in its subtree), 6 their returns
    counts = {detail: 11, history: 7, export: 6}
    for url, count in counts.items():
        cache.clear()  # each page drawn afresh
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
    _more_predecessors(eras, 5)
    assert Association.objects.visible_to(new_officer).count() == 12 + 15
    for url, count in counts.items():
        cache.clear()
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_a_successors_officer_reads_but_cannot_save_the_history(eras, new_officer, client):
    AnnualReturn.objects.create(association=eras.p1, year=OLD_YEAR, population=1000, mobilised_cash=5)
    client.force_login(new_officer)
    edit = reverse("return_edit", args=[eras.p1.pk, OLD_YEAR])
    assert client.get(reverse("association_detail", args=[eras.p1.pk])).status_code == 200
    assert client.get(edit).status_code == 200
    assert client.get(reverse("return_history", args=[eras.p1.pk, OLD_YEAR])).status_code == 200
    export = client.get(reverse("export_returns", args=["csv"]) + f"?hoi={eras.p1.pk}&nam={OLD_YEAR}")
    assert export.status_code == 200 and eras.p1.name in export.content.decode("utf-8-sig")
    assert client.post(edit, form_data(version=1, population=2000)).status_code == 403
    assert AnnualReturn.objects.get(association=eras.p1, year=OLD_YEAR).population == 1000
    with pytest.raises(PermissionDenied):
        services.annual_return_save(
            user=new_officer,
            association=eras.p1,
            year=OLD_YEAR,
            changes=services.ReturnChanges(figures={"population": 2000}),
            expected_version=1,
        )


# An ended node's roles keep their rights for the years it was active, and only those.


def test_an_ended_nodes_officer_still_corrects_its_active_years(eras, old_officer, client):
    client.force_login(old_officer)
    edit = reverse("return_edit", args=[eras.c1.pk, OLD_YEAR])
    assert client.post(edit, form_data(population=1234)).status_code == 302
    assert AnnualReturn.objects.get(association=eras.c1, year=OLD_YEAR).population == 1234


def test_it_refuses_figures_for_a_year_after_the_node_ended(eras, old_officer, client):
    client.force_login(old_officer)
    response = client.post(reverse("return_edit", args=[eras.p1.pk, NEW_YEAR]), form_data(population=1234))
    assert "không còn hoạt động năm 2025" in response.content.decode()
    assert not AnnualReturn.objects.filter(association=eras.p1, year=NEW_YEAR).exists()
    with pytest.raises(ValidationError, match="2025"):
        services.annual_return_save(
            user=old_officer,
            association=eras.p1,
            year=NEW_YEAR,
            changes=services.ReturnChanges(figures={"population": 1}),
            expected_version=None,
        )


def test_it_refuses_figures_for_a_year_before_the_node_began(eras, new_officer):
    with pytest.raises(ValidationError, match="hoạt động từ năm 2025"):
        services.annual_return_check(user=new_officer, association=eras.n1, year=2024, expected_version=None)
    assert not AnnualReturn.objects.filter(association=eras.n1).exists()


# Carrying the roles of an ended node to its successors.


@pytest.fixture
def central_reviewer(eras):
    return make_user("central_reviewer", RoleKind.REVIEWER, eras.central)


def test_it_lists_who_gets_what_before_carrying(eras, old_officer, central_reviewer, client):
    viewer = make_user("old_viewer", RoleKind.VIEWER, eras.p1)
    Role.objects.create(user=viewer, association=eras.n1, role=RoleKind.VIEWER)
    plan = {
        (c.holder.username, c.role, c.successor.code, c.held) for c in roles_to_carry(association=eras.p1)
    }
    assert plan == {
        ("old_officer", RoleKind.OFFICER, "N1", False),
        ("old_viewer", RoleKind.VIEWER, "N1", True),
    }
    client.force_login(central_reviewer)
    body = client.get(reverse("role_carry", args=[eras.p1.pk])).content.decode()
    assert "old_officer" in body and "old_viewer" in body and eras.n1.name in body
    assert Role.objects.filter(association=eras.n1).count() == 1


def test_it_carries_the_roles_once_and_records_them(eras, old_officer, central_reviewer, client):
    client.force_login(central_reviewer)
    url = reverse("role_carry", args=[eras.p1.pk])
    assert client.post(url).status_code == 302
    carried = Role.objects.get(user=old_officer, association=eras.n1)
    assert carried.role == RoleKind.OFFICER
    record = carried.history.get()
    assert record.history_user == central_reviewer
    assert record.history_change_reason == CARRY_REASON.format(name=eras.p1.short_name, pk=eras.p1.pk)
    assert Role.objects.filter(user=old_officer, association=eras.p1).exists()  # the old role stays
    client.post(url)
    assert Role.objects.filter(user=old_officer).count() == 2
    assert carried.history.count() == 1
    # Carried, the officer enters the successor's figures and still the ended node's years.
    assert user_has_perm(old_officer, eras.nc1, Perm.EDIT_FIGURES)
    assert user_has_perm(old_officer, eras.p1, Perm.EDIT_FIGURES)


def test_it_carries_to_every_successor_of_a_split(eras, central_reviewer):
    Succession.objects.create(predecessor=eras.c2, successor=eras.nc2)
    holder = make_user("commune_officer", RoleKind.OFFICER, eras.c2)
    created = roles_carry_to_successors(user=central_reviewer, association=eras.c2)
    assert {role.association for role in created} == {eras.nc1, eras.nc2}
    assert Role.objects.filter(user=holder).count() == 3


def test_only_a_reviewer_of_the_node_and_its_successors_carries(eras, old_officer, client):
    old_reviewer = make_user("old_reviewer", RoleKind.REVIEWER, eras.p1)
    with pytest.raises(PermissionDenied):
        roles_carry_to_successors(user=old_reviewer, association=eras.p1)
    with pytest.raises(PermissionDenied):
        roles_carry_to_successors(user=old_officer, association=eras.p1)
    assert not Role.objects.filter(association=eras.n1).exists()
    url = reverse("role_carry", args=[eras.p1.pk])
    client.force_login(old_reviewer)
    assert client.post(url).status_code == 403
    client.force_login(old_officer)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Role.objects.filter(association=eras.n1).exists()


def test_a_successors_role_may_not_carry_and_an_outsider_gets_404(eras, new_officer, client):
    stranger = make_user("stranger", RoleKind.REVIEWER, eras.p3)
    url = reverse("role_carry", args=[eras.p1.pk])
    client.force_login(new_officer)  # sees P1 as history, reviews nothing
    assert client.get(url).status_code == 403
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_it_says_when_there_is_no_successor(eras, central_reviewer, client):
    with pytest.raises(ValidationError):
        roles_carry_to_successors(user=central_reviewer, association=eras.c3)
    client.force_login(central_reviewer)
    response = client.post(reverse("role_carry", args=[eras.c3.pk]), follow=True)
    assert "không có hội kế thừa" in response.content.decode()


def test_a_superuser_carries_too(eras, old_officer, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    assert len(roles_carry_to_successors(user=root, association=eras.p1)) == 1


def test_the_association_page_links_the_carry_page_for_reviewers_of_ended_nodes(
    eras, central_reviewer, old_officer, client
):
    link = reverse("role_carry", args=[eras.p1.pk])
    assert may_carry_roles(central_reviewer, eras.p1)
    assert not may_carry_roles(central_reviewer, eras.n1) and not may_carry_roles(old_officer, eras.p1)
    client.force_login(central_reviewer)
    assert link in client.get(reverse("association_detail", args=[eras.p1.pk])).content.decode()
    assert (
        "chuyen-vai-tro" not in client.get(reverse("association_detail", args=[eras.n1.pk])).content.decode()
    )
    client.force_login(old_officer)
    assert link not in client.get(reverse("association_detail", args=[eras.p1.pk])).content.decode()


def test_the_carry_page_reads_a_fixed_number_of_queries(
    eras, central_reviewer, client, django_assert_num_queries
):
    for i in range(3):
        make_user(f"holder{i}", RoleKind.OFFICER, eras.p1)
    client.force_login(central_reviewer)
    url = reverse("role_carry", args=[eras.p1.pk])
    client.get(url)
    # 1 session, 2 user, 3 the association (visible_to), 4 the review right, 5 roles on it with their
    # users, 6 its successors, 7 the roles already held there, 8 the successors for the heading
    with django_assert_num_queries(8):
        client.get(url)
    for i in range(3, 8):
        make_user(f"holder{i}", RoleKind.OFFICER, eras.p1)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


# The demo: tuyenquang (new Tuyên Quang, 2025) and hagiang (old Hà Giang, 2022-2024).


def _node(tier: str, code: str, year: int) -> Association:
    return Association.objects.active_in(year).get(tier=tier, code=code)


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_demo_tuyenquang_reads_old_ha_giang(demo, client):
    ha_giang = _node(Tier.PROVINCE, "02", 2022)
    client.force_login(_user("tuyenquang"))
    assert client.get(reverse("association_detail", args=[ha_giang.pk]) + "?nam=2022").status_code == 200
    edit = client.get(reverse("return_edit", args=[ha_giang.pk, 2022]))
    assert edit.status_code == 200 and edit.context["read_only"]
    assert client.get(reverse("return_history", args=[ha_giang.pk, 2022])).status_code == 200
    export = client.get(reverse("export_returns", args=["csv"]) + f"?hoi={ha_giang.pk}&nam=2022")
    assert export.status_code == 200 and ha_giang.name in export.content.decode("utf-8-sig")
    commune = ha_giang.get_descendants().filter(tier=Tier.COMMUNE).first()
    assert client.get(reverse("association_detail", args=[commune.pk])).status_code == 200


def test_demo_tuyenquang_cannot_save_old_ha_giangs_figures(demo, client):
    ha_giang = _node(Tier.PROVINCE, "02", 2022)
    before = list(AnnualReturn.objects.filter(association=ha_giang).values_list("version", flat=True))
    client.force_login(_user("tuyenquang"))
    response = client.post(reverse("return_edit", args=[ha_giang.pk, 2022]), form_data(population=1))
    assert response.status_code == 403
    assert list(AnnualReturn.objects.filter(association=ha_giang).values_list("version", flat=True)) == before


def test_demo_tuyenquang_gets_404_on_lao_cai_old_and_new(demo, client):
    client.force_login(_user("tuyenquang"))
    for lao_cai in (_node(Tier.PROVINCE, "10", 2022), _node(Tier.PROVINCE, "15", 2025)):
        communes = lao_cai.get_descendants().filter(tier=Tier.COMMUNE)
        assert communes.exists()
        for node in (lao_cai, communes.first(), communes.last()):
            assert client.get(reverse("association_detail", args=[node.pk])).status_code == 404


def test_demo_hagiang_keeps_old_ha_giang_and_does_not_see_new_tuyen_quang(demo, client):
    hagiang = _user("hagiang")
    ha_giang = _node(Tier.PROVINCE, "02", 2022)
    tuyen_quang = _node(Tier.PROVINCE, "08", 2025)
    assert user_has_perm(hagiang, ha_giang, Perm.EDIT_FIGURES)
    client.force_login(hagiang)
    assert client.get(reverse("association_detail", args=[ha_giang.pk]) + "?nam=2022").status_code == 200
    assert client.get(reverse("return_edit", args=[ha_giang.pk, 2024])).context["can_edit"]
    for node in (tuyen_quang, tuyen_quang.get_children().first()):
        assert client.get(reverse("association_detail", args=[node.pk])).status_code == 404
    with pytest.raises(ValidationError, match="2025"):
        services.annual_return_check(user=hagiang, association=ha_giang, year=2025, expected_version=None)


def test_demo_tuyenquang_sees_exactly_the_two_provinces_it_took_over(demo):
    tuyenquang = _user("tuyenquang")
    provinces = Association.objects.visible_to(tuyenquang).of_tier(Tier.PROVINCE)
    assert {(p.code, p.active_until) for p in provinces} == {("08", None), ("02", 2024), ("08", 2024)}
    assert not Association.objects.with_perm(tuyenquang, Perm.EDIT_FIGURES).filter(active_until=2024).exists()


def test_demo_pages_of_old_ha_giang_cost_the_same_for_both_officers(demo, client):
    ha_giang = _node(Tier.PROVINCE, "02", 2022)
    url = reverse("association_detail", args=[ha_giang.pk]) + "?nam=2022"
    counts = []
    for username in ("hagiang", "tuyenquang"):
        client.force_login(_user(username))
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # the page drawn afresh; the totals' cache key (the data version) is the 12th query
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 12

import itertools

import pytest
from django.core.exceptions import ValidationError

from associations.models import ALLOWED_PARENTS, Association, Tier, sort_key_for
from associations.services import association_create, association_move

TIERS = [t.value for t in Tier]
ILLEGAL = [
    (child, parent)
    for child, parent in itertools.product(TIERS, [None, *TIERS])
    if parent not in ALLOWED_PARENTS[child]
]


def _parent_of_tier(tree, tier):
    return {
        None: None,
        Tier.CENTRAL: tree.central,
        Tier.CLUSTER: tree.cluster_a,
        Tier.PROVINCE: tree.p1,
        Tier.DISTRICT: tree.d1,
        Tier.COMMUNE: tree.c1,
    }[tier]


@pytest.mark.parametrize(("child", "parent"), ILLEGAL)
def test_it_refuses_every_illegal_parent_tier(tree, child, parent):
    before = Association.objects.count()
    with pytest.raises(ValidationError) as exc:
        association_create(
            tier=child,
            name="Mới",
            short_name="Mới",
            code="NEW",
            parent=_parent_of_tier(tree, parent),
        )
    assert "không thể trực thuộc" in str(exc.value.message_dict["parent"])
    assert Association.objects.count() == before


def test_the_illegal_pairs_cover_the_whole_matrix():
    legal = sum(len(v) for v in ALLOWED_PARENTS.values())
    assert len(ILLEGAL) + legal == len(TIERS) * (len(TIERS) + 1)
    assert ("commune", "province") not in ILLEGAL and ("commune", "district") not in ILLEGAL


def test_it_refuses_an_illegal_move(tree, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    with pytest.raises(ValidationError):
        association_move(user=root, association=tree.d1, parent=tree.cluster_b)
    tree.d1.refresh_from_db()
    assert tree.d1.parent_id == tree.p1.pk


def test_it_allows_a_commune_directly_under_a_province(tree):
    node = association_create(tier=Tier.COMMUNE, name="Xã Mới", short_name="Mới", code="C9", parent=tree.p3)
    assert node.get_ancestors().filter(pk=tree.p3.pk).exists()


def test_it_refuses_a_code_reused_in_the_same_years(tree):
    with pytest.raises(ValidationError) as exc:
        association_create(
            tier=Tier.PROVINCE, name="Khác", short_name="Khác", code="P1", parent=tree.cluster_b
        )
    assert "đã được dùng" in str(exc.value)


def test_it_allows_a_code_reused_after_the_old_node_ended(tree):
    old = association_create(
        tier=Tier.PROVINCE,
        name="Cũ",
        short_name="Cũ",
        code="15",
        parent=tree.cluster_b,
        active_until=2024,
    )
    new = association_create(
        tier=Tier.PROVINCE,
        name="Mới",
        short_name="Mới",
        code="15",
        parent=tree.cluster_b,
        active_from=2025,
    )
    assert old.code == new.code


def test_active_in_respects_both_bounds(tree):
    old = association_create(
        tier=Tier.PROVINCE,
        name="Cũ",
        short_name="Cũ",
        code="X1",
        parent=tree.cluster_b,
        active_until=2024,
    )
    new = association_create(
        tier=Tier.PROVINCE,
        name="Mới",
        short_name="Mới",
        code="X2",
        parent=tree.cluster_b,
        active_from=2025,
    )
    in_2024 = set(Association.objects.active_in(2024).values_list("pk", flat=True))
    in_2025 = set(Association.objects.active_in(2025).values_list("pk", flat=True))
    assert old.pk in in_2024 and new.pk not in in_2024
    assert new.pk in in_2025 and old.pk not in in_2025
    assert tree.p1.pk in in_2024 and tree.p1.pk in in_2025


def test_it_refuses_an_end_year_before_the_start(tree):
    with pytest.raises(ValidationError):
        association_create(
            tier=Tier.PROVINCE,
            name="Sai",
            short_name="Sai",
            code="X3",
            parent=tree.cluster_b,
            active_from=2025,
            active_until=2020,
        )


def test_sort_key_puts_dien_bien_before_yen_bai():
    assert sort_key_for("Điện Biên") < sort_key_for("Yên Bái")
    assert sort_key_for("Điện Biên") > sort_key_for("Cao Bằng")


def test_children_are_ordered_by_sort_key(tree):
    for short in ["Yên Bái", "Điện Biên", "Ân Thi"]:
        association_create(
            tier=Tier.PROVINCE, name=short, short_name=short, code=short, parent=tree.cluster_b
        )
    tree.refresh()
    names = [n.short_name for n in tree.cluster_b.get_children()]
    assert names == ["Ân Thi", "Ba", "Điện Biên", "Yên Bái"]


def test_of_tier(tree):
    assert set(Association.objects.of_tier(Tier.DISTRICT)) == {tree.d1, tree.d2}

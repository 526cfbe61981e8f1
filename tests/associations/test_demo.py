import io

from django.core.management import call_command
from django.urls import reverse

from associations.models import Association, Tier


def _snapshot():
    return list(
        Association.objects.order_by("tree_id", "lft").values_list("tier", "code", "lft", "rght", "level")
    )


def test_demo_twice_gives_the_same_tree(demo):
    first = _snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert _snapshot() == first


def _shape():
    """Each node's level, width and parent: what a rebuild must agree on, whatever the tie order."""
    nodes = Association.objects.values_list(
        "pk", "tier", "code", "parent_id", "lft", "rght", "level", "active_from"
    )
    by_pk = {n[0]: n for n in nodes}
    shape = {}
    for _pk, tier, code, parent_id, lft, rght, level, active_from in nodes:
        if parent_id:
            parent = by_pk[parent_id]
            assert parent[4] < lft < rght < parent[5]
            assert level == parent[6] + 1
        # Codes were reused after the reform: the first year tells the eras apart.
        shape[(tier, code, active_from)] = (level, rght - lft, by_pk[parent_id][2] if parent_id else None)
    return shape


def test_demo_tree_is_consistent_with_mptt(demo):
    before = _shape()
    Association.objects.rebuild()
    assert _shape() == before


def test_demo_has_63_provinces_until_2024_and_34_from_2025_in_clusters(demo):
    provinces = Association.objects.of_tier(Tier.PROVINCE)
    assert provinces.active_in(2022).count() == 63
    assert provinces.active_in(2024).count() == 63
    assert provinces.active_in(2025).count() == 34
    assert provinces.active_in(2026).count() == 34
    assert not provinces.exclude(parent__tier=Tier.CLUSTER).exists()
    tay_bac = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
    assert {p.short_name for p in tay_bac.get_children().active_in(2025)} == {
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Lào Cai",
        "Phú Thọ",
        "Tuyên Quang",
    }
    names = {p.short_name for p in tay_bac.get_children().active_in(2022)}
    assert names == {
        "Hà Giang",
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Hòa Bình",
        "Phú Thọ",
        "Tuyên Quang",
        "Yên Bái",
        "Lào Cai",
    }


def test_demo_refuses_users_without_debug(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())


def test_hagiang_sees_its_districts_but_not_lao_cai(client, demo):
    client.login(username="hagiang", password="khuyenhoc-demo")
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    body = client.get(reverse("association_detail", args=[ha_giang.pk]), {"nam": 2022}).content.decode()
    assert "huyện Yên Minh" in body and "huyện Đồng Văn" in body
    yen_minh = Association.objects.get(tier=Tier.DISTRICT, code="028")
    body = client.get(reverse("association_detail", args=[yen_minh.pk]), {"nam": 2022}).content.decode()
    assert "thị trấn Yên Minh" in body
    lao_cai_commune = Association.objects.filter(tier=Tier.COMMUNE, parent__parent__code="10").first()
    assert client.get(reverse("association_detail", args=[lao_cai_commune.pk])).status_code == 404


def test_trunguong_sees_every_node(client, demo):
    client.login(username="trunguong", password="khuyenhoc-demo")
    commune = Association.objects.filter(tier=Tier.COMMUNE, parent__parent__code="10").first()
    assert client.get(reverse("association_detail", args=[commune.pk])).status_code == 200
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="trunguong")
    assert Association.objects.visible_to(user).count() == Association.objects.count()

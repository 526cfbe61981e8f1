"""The two trees of the 2025 reform: the committed fixtures, the successions and year-correct membership."""

import csv
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from associations import demo as demo_tree
from associations.demo import LAST_YEAR_BEFORE_REFORM, REFORM_YEAR, read_successions, read_units
from associations.models import Association, Succession, Tier


def _rows(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def units_2022():
    return _rows(demo_tree.UNITS_CSV)


@pytest.fixture(scope="module")
def units_2025():
    return _rows(demo_tree.UNITS_2025_CSV)


def test_the_2025_fixture_has_34_provinces_and_3321_communes_directly_under_them(units_2025):
    provinces = {r["code"] for r in units_2025 if r["tier"] == Tier.PROVINCE}
    communes = [r for r in units_2025 if r["tier"] == Tier.COMMUNE]
    assert len(provinces) == 34
    assert len(communes) == 3321
    assert {r["tier"] for r in units_2025} == {Tier.PROVINCE, Tier.COMMUNE}
    assert {r["parent_code"] for r in communes} == provinces
    # 2.621 xã, 687 phường and 13 đặc khu (Nghị quyết 202/2025/QH15 and the commune resolutions).
    kinds = Counter(r["unit"].split(" ")[0] for r in communes)
    assert kinds == {"xã": 2621, "phường": 687, "đặc": 13}


def test_provinces_merged_whole_and_every_old_unit_has_a_successor(units_2022, units_2025):
    links = read_successions()
    province_links = [(old[1], new[1]) for old, new in links if old[0] == Tier.PROVINCE]
    successors_of = defaultdict(set)
    for old, new in province_links:
        successors_of[old].add(new)
    old_provinces = {r["code"] for r in units_2022 if r["tier"] == Tier.PROVINCE}
    assert set(successors_of) == old_provinces
    assert all(len(new) == 1 for new in successors_of.values()), "a province merged whole"
    assert {new for _old, new in province_links} == {
        r["code"] for r in units_2025 if r["tier"] == Tier.PROVINCE
    }
    predecessors_of = defaultdict(set)
    for old, new in province_links:
        predecessors_of[new].add(old)
    # DESIGN.md: Hà Giang joined Tuyên Quang; Yên Bái (15) joined Lào Cai, which carries its code;
    # Hòa Bình and Vĩnh Phúc joined Phú Thọ; new Quảng Trị carries Quảng Bình's 44.
    assert predecessors_of["08"] == {"02", "08"}
    assert predecessors_of["15"] == {"10", "15"}
    assert predecessors_of["25"] == {"25", "17", "26"}
    assert predecessors_of["44"] == {"44", "45"}
    assert predecessors_of["12"] == {"12"}


def test_a_commune_may_be_split_but_stays_within_its_provinces_successor(units_2022, units_2025):
    province_of_2022 = {}
    district_province = {r["code"]: r["parent_code"] for r in units_2022 if r["tier"] == Tier.DISTRICT}
    for r in units_2022:
        if r["tier"] == Tier.COMMUNE:
            province_of_2022[r["code"]] = district_province[r["parent_code"]]
    province_of_2025 = {r["code"]: r["parent_code"] for r in units_2025 if r["tier"] == Tier.COMMUNE}
    links = read_successions()
    province_successor = {old[1]: new[1] for old, new in links if old[0] == Tier.PROVINCE}
    commune_links = [(old[1], new[1]) for old, new in links if old[0] == Tier.COMMUNE]
    for old, new in commune_links:
        assert province_successor[province_of_2022[old]] == province_of_2025[new], (old, new)
    split = Counter(old for old, _new in commune_links)
    assert sum(1 for n in split.values() if n > 1) > 100, "communes split across several successors"
    # The package's converter names no predecessor for a handful of new communes (5 of 3.321).
    assert len(set(province_of_2025) - {new for _old, new in commune_links}) < 10


def test_the_full_demo_tree_holds_both_eras(db):
    units = read_units(full=True)
    eras = Counter((u.tier, u.active_from, u.active_until) for u in units)
    assert eras[Tier.PROVINCE, None, LAST_YEAR_BEFORE_REFORM] == 63
    assert eras[Tier.DISTRICT, None, LAST_YEAR_BEFORE_REFORM] == 696
    assert eras[Tier.PROVINCE, REFORM_YEAR, None] == 34
    assert eras[Tier.COMMUNE, REFORM_YEAR, None] == 3321
    assert eras[Tier.CLUSTER, None, None] == 8
    assert len({u.key for u in units}) == len(units), "a code is unique within its era"


def _active(qs, year):
    return set(qs.active_in(year).values_list("short_name", flat=True))


def test_membership_follows_the_year_at_every_tier(demo):
    central = Association.objects.get(tier=Tier.CENTRAL)
    tay_bac = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
    bac_trung_bo = Association.objects.get(tier=Tier.CLUSTER, code="CUM04")
    for year in (2022, 2024, 2025, 2026):
        assert central.is_active_in(year) and tay_bac.is_active_in(year)
        assert Association.objects.of_tier(Tier.CLUSTER).active_in(year).count() == 8
    assert len(_active(tay_bac.get_children(), 2024)) == 9
    assert _active(tay_bac.get_children(), 2025) == {
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Lào Cai",
        "Phú Thọ",
        "Tuyên Quang",
    }
    assert _active(bac_trung_bo.get_children(), 2025) == {"Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị"}
    assert len(_active(bac_trung_bo.get_children(), 2024)) == 6
    ha_giang = Association.objects.active_in(2024).get(tier=Tier.PROVINCE, code="02")
    assert _active(ha_giang.get_children(), 2024) and not _active(ha_giang.get_children(), 2025)
    assert not _active(ha_giang.get_descendants().of_tier(Tier.COMMUNE), 2025)
    tuyen_quang = Association.objects.active_in(2025).get(tier=Tier.PROVINCE, code="08")
    communes = tuyen_quang.get_children()
    assert communes.exists() and not communes.exclude(tier=Tier.COMMUNE).exists()
    assert _active(communes, 2025) and not _active(communes, 2024)


def test_a_reused_code_names_one_node_per_year(demo):
    old = Association.objects.active_in(2024).get(tier=Tier.PROVINCE, code="15")
    new = Association.objects.active_in(2025).get(tier=Tier.PROVINCE, code="15")
    assert (old.short_name, new.short_name) == ("Yên Bái", "Lào Cai")
    assert set(new.predecessors.values_list("short_name", flat=True)) == {"Yên Bái", "Lào Cai"}
    assert list(old.successors.all()) == [new]


def test_successions_are_many_to_many(demo):
    tuyen_quang = Association.objects.active_in(2025).get(tier=Tier.PROVINCE, code="08")
    assert set(tuyen_quang.predecessors.values_list("code", flat=True)) == {"02", "08"}
    counts = Counter(
        Succession.objects.filter(predecessor__tier=Tier.COMMUNE).values_list("predecessor", flat=True)
    )
    several = [pk for pk, n in counts.items() if n > 1]
    assert several, "the demo holds a commune split across several new ones"
    old = Association.objects.get(pk=several[0])
    assert old.successors.count() == counts[old.pk] > 1
    assert all(s.is_active_in(REFORM_YEAR) for s in old.successors.all())


def test_a_node_cannot_succeed_itself_and_a_link_is_stored_once(demo):
    node = Association.objects.active_in(2025).get(tier=Tier.PROVINCE, code="12")
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(predecessor=node, successor=node)
    link = Succession.objects.filter(successor=node).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(predecessor=link.predecessor, successor=node)


def test_the_first_load_of_the_reform_closes_the_open_old_tree_once(db, settings, tmp_path, monkeypatch):
    """A database loaded before the reform (old nodes open-ended) gets the 2025 tree and its old nodes end in 2024."""
    settings.DEBUG = True
    empty = tmp_path / "units_2025.csv"
    empty.write_text("tier,code,unit,short_name,parent_code\n", encoding="utf-8")
    real = demo_tree.UNITS_2025_CSV
    monkeypatch.setattr(demo_tree, "UNITS_2025_CSV", empty)
    demo_tree.load_tree()
    Association.objects.exclude(tier__in=[Tier.CENTRAL, Tier.CLUSTER]).update(active_until=None)
    monkeypatch.setattr(demo_tree, "UNITS_2025_CSV", real)
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    old = Association.objects.filter(active_from__isnull=True).exclude(tier__in=[Tier.CENTRAL, Tier.CLUSTER])
    assert old.exists() and not old.exclude(active_until=LAST_YEAR_BEFORE_REFORM).exists()
    assert Association.objects.of_tier(Tier.PROVINCE).active_in(2025).count() == 34
    # A later load leaves a node that someone reopened alone.
    ha_giang = old.get(tier=Tier.PROVINCE, code="02")
    Association.objects.filter(pk=ha_giang.pk).update(active_until=None)
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    ha_giang.refresh_from_db()
    assert ha_giang.active_until is None

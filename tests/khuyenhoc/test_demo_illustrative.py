"""The demo's illustrative years (2023-2025) and conferences: marked, plausible, deterministic, never overwriting."""

import hashlib
import io
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from associations.demo import BAC_TRUNG_BO, TAY_BAC
from associations.models import Association, Succession, Tier
from funds.demo_illustrative import ILLUSTRATIVE_NOTE
from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from funds.services import ReturnChanges, annual_return_save
from khuyenhoc.management.commands.load_demo import SYSTEM_USERNAME
from reports.models import ClusterConference

VINH_PHUC = "26"  # carried on by new Phú Thọ with Hòa Bình, so its years are loaded too
OLD_PROVINCES = {*TAY_BAC[3], *BAC_TRUNG_BO[3], VINH_PHUC}
NEW_PROVINCES = {*TAY_BAC[4], *BAC_TRUNG_BO[4]}


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def user(username: str):
    return get_user_model().objects.get(username=username)


def province(code: str, year: int) -> Association:
    return Association.objects.active_in(year).get(tier=Tier.PROVINCE, code=code)


def province_return(code: str, year: int) -> AnnualReturn:
    return AnnualReturn.objects.get(association=province(code, year), year=year)


def figures_digest() -> str:
    """Every return's figures keyed by what names its node (tier, code, era) and year, never by pk."""
    rows = sorted(
        AnnualReturn.objects.values_list(
            "association__tier",
            "association__code",
            "association__active_from",
            "year",
            "coverage",
            "notes",
            *AnnualReturn.FIGURE_FIELDS,
        ),
        key=repr,
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def test_two_loads_in_fresh_databases_give_the_same_figures(db, settings):
    settings.DEBUG = True
    with transaction.atomic():
        load()
        first = figures_digest()
        transaction.set_rollback(True)
    assert not AnnualReturn.objects.exists()
    load()
    assert figures_digest() == first


def test_it_marks_every_return_after_the_article_as_illustrative(demo):
    later = AnnualReturn.objects.filter(year__gte=2023)
    assert later.exists()
    assert set(later.values_list("notes", flat=True)) == {ILLUSTRATIVE_NOTE}
    assert not AnnualReturn.objects.filter(year__lte=2022, notes__contains=ILLUSTRATIVE_NOTE).exists()


def test_it_loads_the_old_provinces_before_the_reform_and_the_new_ones_after(demo):
    for year in (2023, 2024):
        returns = AnnualReturn.objects.filter(year=year, association__tier=Tier.PROVINCE)
        assert set(returns.values_list("association__code", flat=True)) == OLD_PROVINCES
        assert set(returns.values_list("association__active_until", flat=True)) == {2024}
    returns = AnnualReturn.objects.filter(year=2025, association__tier=Tier.PROVINCE)
    assert set(returns.values_list("association__code", flat=True)) == NEW_PROVINCES
    assert set(returns.values_list("association__active_from", flat=True)) == {2025}
    provinces = AnnualReturn.objects.filter(year__gte=2023, association__tier=Tier.PROVINCE)
    assert set(provinces.values_list("coverage", flat=True)) == {AnnualReturn.Coverage.ALL}
    assert all(r.population for r in provinces)


def test_the_tay_bac_provinces_grow_modestly_from_the_articles_2022(demo):
    for code in TAY_BAC[3]:
        series = {}
        for year in (2022, 2023, 2024):
            r = AnnualReturn.objects.filter(association=province(code, year), year=year).first()
            series[year] = r.mobilised_total if r else None
        for year in (2023, 2024):
            if series[year - 1]:
                assert series[year - 1] < series[year] <= series[year - 1] * 1.2, (code, series)


def test_the_new_provinces_2025_follow_their_predecessors_2024(demo):
    for code in NEW_PROVINCES:
        new = province(code, 2025)
        olds = Association.objects.filter(
            pk__in=Succession.objects.filter(successor=new).values("predecessor")
        )
        before = AnnualReturn.objects.filter(association__in=olds, year=2024)
        assert before.count() == olds.count(), code  # each predecessor has its 2024 return
        now = province_return(code, 2025)
        population = sum(r.population for r in before)
        mobilised = sum(r.mobilised_total for r in before)
        assert population < now.population <= population * 1.02, code
        assert mobilised < now.mobilised_total <= mobilised * 1.2, code


def test_new_tuyen_quangs_page_shows_its_communes_within_the_province_figure(client, demo):
    tuyen_quang = province("08", 2025)
    communes = AnnualReturn.objects.filter(association__parent=tuyen_quang, year=2025)
    assert communes.count() >= 3
    assert set(communes.values_list("coverage", flat=True)) == {AnnualReturn.Coverage.OWN}
    totals = subtree_totals(year=2025, nodes=[tuyen_quang])[tuyen_quang.pk]
    assert totals.all_levels and 0 < totals.below_mobilised < totals.mobilised
    assert not totals.below_exceeds
    client.force_login(user("tuyenquang"))
    body = client.get(reverse("association_detail", args=[tuyen_quang.pk]), {"nam": 2025}).content.decode()
    for commune in communes.select_related("association"):
        assert commune.association.short_name in body


def test_the_2025_tay_bac_report_lists_its_six_members_with_figures(client, demo):
    cluster = Association.objects.get(tier=Tier.CLUSTER, code=TAY_BAC[0])
    conference = ClusterConference.objects.get(cluster=cluster, year=2025)
    assert (conference.host, conference.place) == (province("15", 2025), "Lào Cai")
    assert "minh họa" in conference.summary
    client.force_login(user("taybac"))
    doc = client.get(reverse("conference_report", args=[conference.pk])).context["doc"]
    members = {m["name"]: m for m in doc["members"]}
    assert set(members) == {"Lai Châu", "Điện Biên", "Sơn La", "Lào Cai", "Phú Thọ", "Tuyên Quang"}
    assert all(m["has_data"] and m["rank"] for m in members.values())


def test_the_2025_bac_trung_bo_conference_is_the_public_one_with_four_members(client, demo):
    cluster = Association.objects.get(tier=Tier.CLUSTER, code=BAC_TRUNG_BO[0])
    conference = ClusterConference.objects.get(cluster=cluster, year=2025)
    assert (conference.date.isoformat(), conference.place) == ("2025-12-13", "Thanh Hóa")
    assert conference.host == province("38", 2025)
    client.force_login(user("trunguong"))
    doc = client.get(reverse("conference_report", args=[conference.pk])).context["doc"]
    assert {m["name"] for m in doc["members"]} == {"Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị"}


def test_the_tay_bac_hosts_run_from_ha_giang_to_son_la(demo):
    hosts = {
        c.year: (c.host.short_name, c.next_host.short_name if c.next_host else None)
        for c in ClusterConference.objects.filter(cluster__code=TAY_BAC[0]).select_related(
            "host", "next_host"
        )
    }
    assert hosts[2022] == ("Hà Giang", "Hòa Bình")
    assert hosts[2023] == ("Hòa Bình", "Sơn La")
    assert hosts[2024][0] == "Sơn La"


def test_it_keeps_a_corrected_illustrative_figure(demo):
    tuyen_quang = province_return("08", 2025)
    corrected = tuyen_quang.mobilised_cash + 7_000_000
    annual_return_save(
        user=user("tuyenquang"),
        association=tuyen_quang.association,
        year=2025,
        changes=ReturnChanges(figures={"mobilised_cash": corrected}),
        expected_version=tuyen_quang.version,
    )
    load()
    tuyen_quang.refresh_from_db()
    assert tuyen_quang.mobilised_cash == corrected


def test_it_adds_back_a_deleted_illustrative_return_as_it_was(demo):
    dien_bien = province_return("11", 2024)
    figures = [getattr(dien_bien, name) for name in AnnualReturn.FIGURE_FIELDS]
    dien_bien.delete()
    out = load()
    assert [getattr(province_return("11", 2024), name) for name in AnnualReturn.FIGURE_FIELDS] == figures
    assert "Báo cáo năm minh họa (2023-2025, Tây Bắc và Bắc Trung Bộ): thêm 1," in out


def test_it_skips_a_year_that_a_correction_makes_an_outlier(demo):
    hoa_binh_2022 = province_return("17", 2022)
    province_return("17", 2023).delete()
    annual_return_save(
        user=user(SYSTEM_USERNAME),
        association=hoa_binh_2022.association,
        year=2022,
        changes=ReturnChanges(figures={"mobilised_cash": hoa_binh_2022.mobilised_cash * 10}),
        expected_version=hoa_binh_2022.version,
        confirm_outliers=True,
    )
    out = load()
    assert not AnnualReturn.objects.filter(association=hoa_binh_2022.association, year=2023).exists()
    assert "bỏ qua 1" in out


def test_it_says_what_is_real_and_what_is_illustrative(demo):
    out = load()
    assert "tuyenquang" in out
    assert "Số liệu minh họa" in out and "Cách chia cụm minh họa" in out and "--full" in out

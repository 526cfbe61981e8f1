"""`load_demo` adds what is missing and never changes what is stored (DESIGN.md "Demo data")."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from associations.models import Association, Role, Tier
from funds.models import AnnualReturn, Fund, FundBalance, Qualifier, Scholarship, Transfer
from funds.services import (
    FundRow,
    ReturnChanges,
    annual_return_save,
)
from funds.workflow import annual_return_approve, annual_return_submit
from khuyenhoc.management.commands.load_demo import SYSTEM_USERNAME
from reports.models import ClusterConference

MODELS = [AnnualReturn, Fund, FundBalance, Scholarship, Transfer, ClusterConference, Association, Role]
# The article's provinces that give a figure; Phú Thọ's return holds only a note.
PROVINCES_WITH_FIGURES = {"02", "10", "11", "12", "14", "15", "17"}


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def user(username: str):
    return get_user_model().objects.get(username=username)


def province_return(code: str, year: int = 2022) -> AnnualReturn:
    return AnnualReturn.objects.get(association__tier=Tier.PROVINCE, association__code=code, year=year)


def counts() -> list[int]:
    return [model.objects.count() for model in MODELS] + [get_user_model().objects.count()]


def stored_returns() -> dict[int, tuple]:
    return {r.pk: (r.version, r.updated_at) for r in AnnualReturn.objects.all()}


def test_it_adds_nothing_the_second_time(demo):
    before, versions = counts(), stored_returns()
    history = [m.history.count() for m in (AnnualReturn, Fund, FundBalance, Scholarship, Transfer)]
    out = load()
    assert counts() == before and stored_returns() == versions
    assert [m.history.count() for m in (AnnualReturn, Fund, FundBalance, Scholarship, Transfer)] == history
    assert "không thay đổi gì" in out and "thêm 0, đã có" in out


def test_it_keeps_a_correction_that_was_approved(demo):
    ha_giang = province_return("02")
    corrected = ha_giang.mobilised_cash + 1_000_000
    ha_giang = annual_return_save(
        user=user("hagiang"),
        association=ha_giang.association,
        year=2022,
        changes=ReturnChanges(figures={"mobilised_cash": corrected}),
        expected_version=ha_giang.version,
    )
    ha_giang = annual_return_submit(user=user("hagiang"), annual_return=ha_giang)
    annual_return_approve(user=user("trunguong"), annual_return=ha_giang, expected_version=ha_giang.version)
    load()
    ha_giang.refresh_from_db()
    assert (ha_giang.mobilised_cash, ha_giang.status) == (corrected, AnnualReturn.Status.APPROVED)


def test_it_adds_back_only_a_deleted_return(demo):
    son_la = province_return("14")
    figures = (son_la.mobilised_cash, son_la.mobilised_in_kind, son_la.coverage)
    son_la.delete()
    before = counts()
    others = stored_returns()
    out = load()
    assert AnnualReturn.objects.count() == before[0] + 1
    assert counts()[1:] == before[1:]  # the fund, balance and scholarship it held were still there
    assert {pk: v for pk, v in stored_returns().items() if pk in others} == others
    again = province_return("14")
    assert (again.mobilised_cash, again.mobilised_in_kind, again.coverage) == figures
    assert "Báo cáo năm (Tây Bắc 2022, Hòa Bình 2021): thêm 1," in out


def test_it_writes_the_demo_returns_as_the_demo_system_user(demo):
    system = user(SYSTEM_USERNAME)
    assert not system.has_usable_password() and not system.is_superuser
    returns = AnnualReturn.objects.all()
    assert returns.exists()
    assert set(AnnualReturn.history.values_list("history_user", flat=True)) == {system.pk}
    assert set(FundBalance.history.values_list("history_user", flat=True)) == {system.pk}
    assert set(Transfer.history.values_list("history_user", flat=True)) == {system.pk}


def test_it_loads_the_articles_province_figures_as_all_levels(demo):
    province_returns = AnnualReturn.objects.filter(association__tier=Tier.PROVINCE, year=2022)
    all_levels = province_returns.filter(coverage=AnnualReturn.Coverage.ALL)
    assert set(all_levels.values_list("association__code", flat=True)) == PROVINCES_WITH_FIGURES
    assert province_return("17", 2021).coverage == AnnualReturn.Coverage.ALL
    assert province_return("25").coverage == AnnualReturn.Coverage.OWN
    below = AnnualReturn.objects.filter(association__tier__in=[Tier.DISTRICT, Tier.COMMUNE])
    assert below.exists()
    assert set(below.values_list("coverage", flat=True)) == {AnnualReturn.Coverage.OWN}


def test_it_keeps_a_changed_demo_password(demo):
    hagiang = user("hagiang")
    hagiang.set_password("mat-khau-moi")
    hagiang.save()
    load()
    hagiang.refresh_from_db()
    assert hagiang.check_password("mat-khau-moi")


def test_it_does_not_give_a_removed_role_back(demo):
    Role.objects.filter(user__username="taybac").delete()
    load()
    assert not Role.objects.filter(user__username="taybac").exists()


def test_it_does_not_add_back_a_node_that_was_closed(demo):
    yen_minh = Association.objects.get(tier=Tier.DISTRICT, code="028")
    Association.objects.filter(pk=yen_minh.pk).update(active_until=2021)
    load()
    assert list(Association.objects.filter(tier=Tier.DISTRICT, code="028")) == [yen_minh]


def test_it_keeps_an_edited_conference(demo):
    conference = ClusterConference.objects.get(cluster__code="CUM01", year=2022)
    ClusterConference.objects.filter(pk=conference.pk).update(place="Hòa Bình")
    load()
    conference.refresh_from_db()
    assert conference.place == "Hòa Bình"


def test_it_keeps_a_balance_qualifier_that_a_save_does_not_send(demo):
    phu_tho = province_return("25")
    fund = Fund.objects.get(association=phu_tho.association, name="Quỹ khuyến học dòng họ Lê")
    annual_return_save(
        user=user(SYSTEM_USERNAME),
        association=phu_tho.association,
        year=2022,
        changes=ReturnChanges(
            figures={},
            funds=[FundRow(name=fund.name, kind=fund.kind, balance=2_000_000_000, fund_id=fund.pk)],
        ),
        expected_version=phu_tho.version,
    )
    balance = fund.balances.get(year=2022)
    assert (balance.balance, balance.qualifier) == (2_000_000_000, Qualifier.OVER)

"""The cached rankings and report documents stay fresh: every write path bumps the data version, so
the very next read after a write shows it; a second read with no write in between is served from the
cache."""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from associations import services as tree_services
from associations.data_version import bump_data_version, data_version
from associations.models import Association, RoleKind, Succession, Tier
from funds import imports, services, workflow
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship
from reports import cached
from reports.models import ClusterConference
from reports.rankings import Metric, Scope, ScopeKind
from reports.services import conference_save
from tests.conftest import make_user
from tests.funds.test_import_support import row, xlsx

YEAR = 2023
SUBMITTED, APPROVED = AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("quantri", password="pw-quantri")


@pytest.fixture
def returns(tree):
    """Drafts of P1 and P2 (cluster A) for YEAR; P3 (cluster B) has none."""
    return {
        node: AnnualReturn.objects.create(
            association=getattr(tree, node), year=YEAR, population=1000, mobilised_cash=cash
        )
        for node, cash in (("p1", 1_000_000), ("p2", 2_000_000))
    }


@pytest.fixture
def conference(tree):
    return ClusterConference.objects.create(
        cluster=tree.cluster_a, year=YEAR, kind="giao_ban", number=1, date=date(YEAR, 11, 29), place="Hà Nội"
    )


def ranked() -> dict[str, int | None]:
    """{short name: mobilised} of the provinces ranking, through the cache."""
    ranking = cached.ranking(year=YEAR, scope=Scope(ScopeKind.PROVINCES), metric=Metric.MOBILISED)
    return {r.association.short_name: r.value for r in ranking.rows}


def report(tree, conference=None) -> dict:
    """Cluster A's report document, through the cache."""
    return cached.live(cluster=tree.cluster_a, year=YEAR, conference=conference)


def member(doc: dict, name: str) -> dict:
    return next(m for m in doc["members"] if m["name"] == name)


def refreshed(annual_return: AnnualReturn) -> AnnualReturn:
    return AnnualReturn.objects.get(pk=annual_return.pk)


# --- the cache is used, and only the version makes it fresh ------------------------------------


def test_it_serves_a_second_read_from_the_cache(tree, returns, django_assert_num_queries):
    ranked(), report(tree)
    # 1 the data version, and nothing else for either piece
    with django_assert_num_queries(1):
        assert ranked()["Một"] == 1_000_000
    with django_assert_num_queries(1):
        assert member(report(tree), "Một")["figures"]["cash"] == 1_000_000


def test_it_shows_a_write_past_the_services_only_once_the_version_is_bumped(tree, returns):
    """The guard on this file: were nothing cached, every freshness test below would pass on its own."""
    ranked(), report(tree)
    AnnualReturn.objects.filter(pk=returns["p1"].pk).update(mobilised_cash=7)
    assert ranked()["Một"] == 1_000_000
    assert member(report(tree), "Một")["figures"]["cash"] == 1_000_000
    bump_data_version()
    assert ranked()["Một"] == 7
    assert member(report(tree), "Một")["figures"]["cash"] == 7


# --- one counter per year: a write keeps the other years' pieces, never a stale one ------------


def counters(*years: int) -> dict[int, int]:
    return {year: data_version(year) for year in years}


def moved(before: dict[int, int]) -> set[int]:
    """The years whose counter a write moved (a year's first write starts it on the clock)."""
    return {year for year, n in before.items() if data_version(year) != n}


@pytest.fixture
def officer2(tree):
    return make_user("officer2", RoleKind.OFFICER, tree.p2)


def _save(officer, node, year: int, cash: int) -> None:
    current = AnnualReturn.objects.filter(association=node, year=year).first()
    services.annual_return_save(
        user=officer,
        association=node,
        year=year,
        changes=services.ReturnChanges(figures={"mobilised_cash": cash}),
        expected_version=current.version if current else None,
        confirm_outliers=True,
    )


def test_a_write_to_another_year_leaves_the_pieces_cached(tree, officer2, returns):
    ranked(), report(tree)
    AnnualReturn.objects.filter(pk=returns["p1"].pk).update(mobilised_cash=7)  # unseen until a bump
    _save(officer2, tree.p2, YEAR + 2, 5_000_000)
    _save(officer2, tree.p2, YEAR - 2, 5_000_000)
    workflow.annual_return_submit(
        user=officer2, annual_return=AnnualReturn.objects.get(association=tree.p2, year=YEAR + 2)
    )
    # Still the cached pieces: none of those writes touched what they read.
    assert ranked()["Một"] == 1_000_000
    assert member(report(tree), "Một")["figures"]["cash"] == 1_000_000


@pytest.mark.parametrize("year", [YEAR, YEAR - 1], ids=["same year", "year before"])
def test_a_write_to_a_year_the_pieces_read_shows_at_once(tree, officer2, returns, year):
    """The year before counts too: the pieces show the change on it."""
    ranked(), report(tree)
    AnnualReturn.objects.filter(pk=returns["p1"].pk).update(mobilised_cash=7)
    _save(officer2, tree.p2, year, 4_000_000)
    assert ranked()["Một"] == 7
    assert member(report(tree), "Một")["figures"]["cash"] == 7


def test_a_write_tied_to_no_year_refreshes_every_year(tree, officer, returns):
    before = counters(0, YEAR)
    ranked(), report(tree)
    AnnualReturn.objects.filter(pk=returns["p1"].pk).update(mobilised_cash=7)
    tree_services.role_grant(user=officer, association=tree.p2, role=RoleKind.VIEWER)
    assert moved(before) == {0}
    assert ranked()["Một"] == 7
    assert member(report(tree), "Một")["figures"]["cash"] == 7


def test_an_import_counts_the_years_of_its_rows(tree, officer, returns):
    before = counters(0, YEAR - 1, YEAR, YEAR + 1)
    content = xlsx([row(tree.p1, YEAR + 1, mobilised_cash="2000000"), row(tree.p1, YEAR - 1, population="9")])
    preview = imports.import_preview(user=officer, content=content, filename="f.xlsx")
    imports.import_confirm(user=officer, content=content, filename="f.xlsx", fingerprint=preview.fingerprint)
    assert moved(before) == {YEAR - 1, YEAR + 1}


# --- the pages: the next request after a write, and fewer queries the second time ---------------


def test_the_rankings_page_shows_a_saved_figure_on_the_next_request(client, reviewer, officer, tree, returns):
    client.force_login(reviewer)
    url = reverse("rankings") + f"?nam={YEAR}&chi_so=mobilised"
    page = client.get(url)
    assert 1_000_000 in [r.value for r in page.context["ranking"].rows]
    assert "1.000.000" in page.content.decode()
    services.annual_return_save(
        user=officer,
        association=tree.p1,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 3_000_000}),
        expected_version=returns["p1"].version,
        confirm_outliers=True,
    )
    page = client.get(url)
    values = [r.value for r in page.context["ranking"].rows]
    assert 3_000_000 in values and 1_000_000 not in values
    # The rendered table too, which the page keeps beside the ranking.
    assert "3.000.000" in page.content.decode() and "1.000.000" not in page.content.decode()


def test_the_rankings_table_is_kept_per_language(client, reviewer, returns):
    client.force_login(reviewer)
    url = reverse("rankings") + f"?nam={YEAR}"
    assert "Hạng" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Rank" in english and "Hạng</a>" not in english


def test_the_rankings_page_reads_fewer_queries_the_second_time(
    client, reviewer, returns, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("rankings") + f"?nam={YEAR}"
    # 1 session, 2 user, 3 the data version, 4 ranked nodes, 5 totals of returns, 6 of scholarships,
    # 7 clusters for the scope picker, 8 provinces the user sees for the picker
    with django_assert_num_queries(8):
        client.get(url)
    # 1 session, 2 user, 3 the data version, 4 clusters for the picker, 5 provinces for the picker
    with django_assert_num_queries(5):
        client.get(url)


def test_the_report_page_reads_fewer_queries_the_second_time(
    client, reviewer, conference, returns, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("conference_report", args=[conference.pk])
    # 1 session, 2 user, 3 the conference, 4 issued versions, 5 the data version, 6-14 the report,
    # 15-16 the members' returns, 17 the issue right, 18 the next document number
    with django_assert_num_queries(18):
        client.get(url)
    # 1 session, 2 user, 3 the conference, 4 issued versions, 5 the data version, 6 the issue right,
    # 7 the next document number
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_report_page_shows_a_conference_edit_on_the_next_request(client, reviewer, conference, returns):
    client.force_login(reviewer)
    url = reverse("conference_report", args=[conference.pk])
    assert "Hà Nội" in client.get(url).content.decode()
    conference_save(
        user=reviewer, cluster=conference.cluster, data={"place": "Điện Biên"}, conference=conference
    )
    assert "Điện Biên" in client.get(url).content.decode()


# --- every write path ---------------------------------------------------------------------------


def test_a_return_save_is_seen_next(tree, officer, returns):
    ranked(), report(tree)
    services.annual_return_save(
        user=officer,
        association=tree.p1,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 4_000_000}),
        expected_version=returns["p1"].version,
        confirm_outliers=True,
    )
    assert ranked()["Một"] == 4_000_000
    assert member(report(tree), "Một")["figures"]["cash"] == 4_000_000


def test_a_row_save_is_seen_next(tree, officer, returns):
    assert report(tree)["scholarships"] == []
    row_ = Scholarship(
        association=tree.p1, year=YEAR, programme="Học bổng Mới", awards=3, total_value=9_000_000
    )
    services.figures_row_save(user=officer, row=row_)
    assert [s["programme"] for s in report(tree)["scholarships"]] == ["Học bổng Mới"]


def test_a_row_delete_is_seen_next(tree, officer, returns):
    held = Scholarship.objects.create(association=tree.p1, year=YEAR, programme="Cũ", awards=1, total_value=5)
    assert len(report(tree)["scholarships"]) == 1
    services.figures_row_delete(user=officer, row=held)
    assert report(tree)["scholarships"] == []


def test_a_fund_delete_is_seen_next(tree, officer, returns):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Một")
    FundBalance.objects.create(fund=fund, year=YEAR, balance=8_000_000)
    assert [f["name"] for f in report(tree)["funds"]] == ["Quỹ Một"]
    services.fund_delete(user=officer, fund=fund)
    assert report(tree)["funds"] == []


def test_a_return_delete_is_seen_next(tree, officer, returns):
    assert ranked()["Một"] == 1_000_000
    services.annual_return_delete(user=officer, annual_return=returns["p1"])
    assert ranked()["Một"] is None
    assert member(report(tree), "Một")["state"] == "missing"


def test_a_submit_is_seen_next(tree, officer, returns):
    assert member(report(tree), "Một")["state"] == "draft"
    workflow.annual_return_submit(user=officer, annual_return=returns["p1"])
    assert member(report(tree), "Một")["state"] == "submitted"


@pytest.fixture
def submitted(returns, officer):
    return workflow.annual_return_submit(user=officer, annual_return=returns["p1"])


def test_an_approval_is_seen_next(tree, reviewer, submitted):
    assert member(report(tree), "Một")["state"] == "submitted"
    workflow.annual_return_approve(user=reviewer, annual_return=submitted, expected_version=submitted.version)
    assert member(report(tree), "Một")["state"] == "approved"


def test_a_bulk_approval_is_seen_next(tree, reviewer, submitted):
    assert member(report(tree), "Một")["state"] == "submitted"
    workflow.annual_returns_approve_many(user=reviewer, seen={submitted.pk: submitted.version})
    assert member(report(tree), "Một")["state"] == "approved"


def test_a_send_back_is_seen_next(tree, reviewer, submitted):
    assert member(report(tree), "Một")["state"] == "submitted"
    workflow.annual_return_send_back(
        user=reviewer, annual_return=submitted, reason="Thiếu dân số", expected_version=submitted.version
    )
    assert member(report(tree), "Một")["state"] == "draft"


def test_a_reopen_is_seen_next(tree, reviewer, submitted):
    approved = workflow.annual_return_approve(
        user=reviewer, annual_return=submitted, expected_version=submitted.version
    )
    assert member(report(tree), "Một")["state"] == "approved"
    workflow.annual_return_reopen(user=reviewer, annual_return=approved, reason="Sửa số liệu")
    assert member(report(tree), "Một")["state"] == "draft"


def test_an_import_is_seen_next(tree, officer, returns):
    assert ranked()["Một"] == 1_000_000
    content = xlsx([row(tree.p1, population=1000, mobilised_cash=1_500_000)])
    preview = imports.import_preview(user=officer, content=content, filename="so-lieu.xlsx")
    assert preview.errors == []
    assert ranked()["Một"] == 1_000_000  # a preview writes nothing
    imports.import_confirm(
        user=officer, content=content, filename="so-lieu.xlsx", fingerprint=preview.fingerprint
    )
    assert ranked()["Một"] == 1_500_000
    assert member(report(tree), "Một")["figures"]["cash"] == 1_500_000


def test_a_new_association_is_seen_next(tree, returns):
    assert set(ranked()) == {"Ba", "Hai", "Một"}
    assert len(report(tree)["members"]) == 2
    tree_services.association_create(
        tier=Tier.PROVINCE, name="Hội Khuyến học tỉnh Bốn", short_name="Bốn", code="P4", parent=tree.cluster_a
    )
    assert "Bốn" in ranked()
    assert "Bốn" in [m["name"] for m in report(tree)["members"]]


def test_a_move_is_seen_next(tree, admin, returns):
    assert [m["name"] for m in report(tree)["members"]] == ["Hai", "Một"]
    tree_services.association_move(user=admin, association=tree.p2, parent=tree.cluster_b)
    assert [m["name"] for m in report(tree)["members"]] == ["Một"]


def test_a_closing_is_seen_next(tree, admin, returns):
    assert "Ba" in ranked()
    tree_services.association_update(user=admin, association=tree.p3, changes={"active_until": YEAR - 1})
    assert "Ba" not in ranked()


def test_a_conference_edit_is_seen_next(tree, reviewer, conference, returns):
    assert report(tree, conference)["conference"]["place"] == "Hà Nội"
    assert report(tree)["conference"]["place"] == "Hà Nội"
    conference_save(user=reviewer, cluster=tree.cluster_a, data={"place": "Sơn La"}, conference=conference)
    assert report(tree, conference)["conference"]["place"] == "Sơn La"
    assert report(tree)["conference"]["place"] == "Sơn La"


def test_a_new_conference_is_seen_next(tree, reviewer, returns):
    assert report(tree)["conference"] is None
    conference_save(
        user=reviewer,
        cluster=tree.cluster_a,
        data={"year": YEAR, "kind": "giao_ban", "number": 2, "place": "Lai Châu"},
    )
    assert report(tree)["conference"]["place"] == "Lai Châu"


# Writes that change nothing the cached pieces show still count: a piece added later may show them.


def test_role_writes_bump_the_version(tree, admin, officer):
    before = data_version()
    tree_services.role_grant(user=officer, association=tree.p2, role=RoleKind.VIEWER)
    assert data_version() == before + 1
    merged = tree_services.association_create(
        tier=Tier.PROVINCE,
        name="Hội Khuyến học tỉnh Một Mới",
        short_name="Một Mới",
        code="P9",
        parent=tree.cluster_a,
    )
    Succession.objects.create(predecessor=tree.p1, successor=merged)
    before = data_version()
    assert tree_services.roles_carry_to_successors(user=admin, association=tree.p1)
    assert data_version() == before + 1


def test_a_refused_write_bumps_nothing(tree, returns):
    outsider = make_user("xa", RoleKind.OFFICER, tree.p3)
    before = data_version()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied; only the rollback matters here
        workflow.annual_return_submit(user=outsider, annual_return=returns["p1"])
    assert data_version() == before


def test_a_nested_write_bumps_once(tree, officer, returns):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Hai Năm")
    FundBalance.objects.create(fund=fund, year=YEAR, balance=1)
    FundBalance.objects.create(fund=fund, year=YEAR - 1, balance=1)
    before = counters(0, YEAR - 1, YEAR)
    services.fund_delete(user=officer, fund=fund)
    # Each year whose balance went; the fund shows in no year it has no balance in.
    assert moved(before) == {YEAR - 1, YEAR}
    before = counters(0, YEAR)
    _save(officer, tree.p1, YEAR, 3_000_000)
    assert moved(before) == {YEAR}
    assert data_version(YEAR) == before[YEAR] + 1  # once, though the save is several services deep


def test_the_admin_bumps_the_version_for_what_it_saves_itself(client, admin, tree):
    """A node added in the admin is saved by the admin, not a service; its save_related bumps."""
    client.force_login(admin)
    before = data_version()
    response = client.post(
        reverse("admin:associations_association_add"),
        {
            "tier": Tier.PROVINCE,
            "name": "Hội Khuyến học tỉnh Năm",
            "short_name": "Năm",
            "code": "P5",
            "parent": tree.cluster_b.pk,
            "roles-TOTAL_FORMS": 0,
            "roles-INITIAL_FORMS": 0,
            "succeeded_by-TOTAL_FORMS": 0,
            "succeeded_by-INITIAL_FORMS": 0,
        },
    )
    assert Association.objects.filter(code="P5").exists(), response.content.decode()[:2000]
    assert data_version() > before


# --- one node's totals (the association page, the entry form) ---------------------------------


def test_the_association_page_shows_a_saved_figure_on_the_next_request(
    client, reviewer, officer, tree, returns
):
    client.force_login(reviewer)
    url = reverse("association_detail", args=[tree.cluster_a.pk]) + f"?nam={YEAR}"
    assert client.get(url).context["totals"].mobilised_cash == 3_000_000
    services.annual_return_save(
        user=officer,
        association=tree.p1,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 5_000_000}),
        expected_version=returns["p1"].version,
        confirm_outliers=True,
    )
    assert client.get(url).context["totals"].mobilised_cash == 7_000_000


def test_the_entry_form_shows_the_totals_after_its_own_save(client, officer, tree, returns):
    client.force_login(officer)
    url = reverse("return_edit", args=[tree.p1.pk, YEAR])
    assert client.get(url).context["totals"].mobilised_cash == 1_000_000
    AnnualReturn.objects.create(association=tree.c1, year=YEAR, mobilised_cash=10)
    # Past the services: still the cached figure, until a write service runs.
    assert client.get(url).context["totals"].mobilised_cash == 1_000_000
    services.annual_return_save(
        user=officer,
        association=tree.c3,
        year=YEAR,
        changes=services.ReturnChanges(figures={"mobilised_cash": 20}),
        expected_version=None,
    )
    assert client.get(url).context["totals"].mobilised_cash == 1_000_030


def test_the_association_page_reads_fewer_queries_the_second_time(
    client, reviewer, tree, returns, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("association_detail", args=[tree.p1.pk]) + f"?nam={YEAR}"
    # 1 session, 2 user, 3 the association, 4 ancestors, 5 children, 6 its own return, 7 edit right,
    # 8 the data version, 9 totals of returns, 10 of scholarships, 11 commune associations
    with django_assert_num_queries(11):
        client.get(url)
    # the same, but the totals (9, 10) from the cache
    with django_assert_num_queries(9):
        client.get(url)


# --- the reporting progress (completeness page, review queue) -----------------------------------


def test_the_completeness_counts_follow_each_step_of_the_workflow(client, reviewer, officer, tree, returns):
    client.force_login(reviewer)
    url = reverse("completeness") + f"?nam={YEAR}"

    def p1():
        return next(r for r in client.get(url).context["rows"] if r.province == tree.p1)

    assert (p1().returns, p1().submitted, p1().approved) == (1, 0, 0)
    submitted = workflow.annual_return_submit(user=officer, annual_return=returns["p1"])
    assert (p1().submitted, p1().approved) == (1, 0)
    workflow.annual_return_approve(user=reviewer, annual_return=submitted, expected_version=submitted.version)
    assert (p1().submitted, p1().approved) == (0, 1)
    _save(officer, tree.c1, YEAR, 5)
    assert p1().returns == 2


def test_the_completeness_counts_are_read_from_the_cache_the_second_time(client, reviewer, returns):
    client.force_login(reviewer)
    url = reverse("completeness") + f"?nam={YEAR}"
    client.get(url)
    AnnualReturn.objects.filter(pk=returns["p1"].pk).delete()  # past the services: unseen until a bump
    rows = client.get(url).context["rows"]
    assert sum(r.returns for r in rows) == 2
    bump_data_version([YEAR])
    rows = client.get(url).context["rows"]
    assert sum(r.returns for r in rows) == 1

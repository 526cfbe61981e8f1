"""Every page for year Y uses the tree of year Y: a small tree reformed in 2025 (tests/conftest.py TwoEras).

P1 and P2 end in 2024 and merge into "Một Hai" (code P1 again, a commune C1 again directly under
it); P3 and the clusters go on. Today is pinned to 2 December 2026, so the reporting year is 2025.
"""

import datetime

import pytest
from django.urls import reverse

from associations.models import Association, RoleKind, Tier
from associations.services import association_create
from core import years
from funds import imports, services
from funds.models import AnnualReturn, Scholarship
from funds.spreadsheets.exports import export_file
from reports.completeness import completeness
from reports.rankings import Metric, Scope, ScopeKind, ranking
from reports.selectors import cluster_report
from tests.conftest import make_user
from tests.funds.helpers import form_data
from tests.funds.test_import_support import read_xlsx, row, xlsx


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(years.timezone, "localdate", lambda: datetime.date(2026, 12, 2))


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def new_officer(two_eras):
    """The officer of the merged province (2025 on)."""
    return make_user("new_officer", RoleKind.OFFICER, two_eras.merged)


@pytest.fixture
def central_officer(tree):
    """An officer over the whole tree, who may fill in both eras."""
    return make_user("central_officer", RoleKind.OFFICER, tree.central)


def _names(nodes) -> list[str]:
    return [n.short_name for n in nodes]


# --- the tree browser ----------------------------------------------------------------------------


def test_it_lists_the_children_active_in_the_selected_year(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    url = reverse("association_detail", args=[tree.cluster_a.pk])
    assert _names(client.get(url, {"nam": 2024}).context["children"]) == ["Hai", "Một"]
    assert _names(client.get(url, {"nam": 2025}).context["children"]) == ["Một Hai"]


def test_it_lists_the_communes_under_the_new_province(client, reviewer, two_eras):
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[two_eras.merged.pk]), {"nam": 2025})
    assert _names(r.context["children"]) == ["Bắc Mới"]


def test_it_says_a_node_has_ended_and_names_its_successor(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]), {"nam": 2025})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Hội Khuyến học tỉnh Một không còn hoạt động năm 2025; hội kế thừa: Một Hai." in body
    assert f"{reverse('association_detail', args=[tree.p1.pk])}?nam=2024" in body
    assert f"{reverse('association_detail', args=[two_eras.merged.pk])}?nam=2025" in body
    # Nothing of the year it was not active: no figures to enter, no totals, no children.
    assert "children" not in r.context and "totals" not in r.context
    assert reverse("return_edit", args=[tree.p1.pk, 2025]) not in body


def test_it_says_a_node_has_not_begun_and_names_its_predecessors(client, reviewer, two_eras):
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[two_eras.merged.pk]), {"nam": 2022})
    body = r.content.decode()
    assert (
        "Hội Khuyến học tỉnh Một Hai chưa hoạt động năm 2022 (hoạt động từ năm 2025); hội tiền thân: Hai, Một."
        in body
    )
    assert "?nam=2025" in body


def test_it_names_a_successor_the_user_cannot_open_without_linking_it(client, officer, tree, two_eras):
    client.force_login(officer)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]), {"nam": 2025})
    assert "hội kế thừa: Một Hai" in r.content.decode()
    assert r.context["not_active"]["links"] == []
    assert reverse("association_detail", args=[two_eras.merged.pk]) not in r.content.decode()


def test_it_opens_a_node_on_the_reporting_year_within_its_span(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    assert client.get(reverse("association_detail", args=[tree.p1.pk])).context["year"] == 2024
    assert client.get(reverse("association_detail", args=[two_eras.merged.pk])).context["year"] == 2025
    assert client.get(reverse("association_detail", args=[tree.p3.pk])).context["year"] == 2025


def test_it_offers_only_the_years_a_node_is_active(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    old = client.get(reverse("association_detail", args=[tree.p1.pk])).context["years"]
    new = client.get(reverse("association_detail", args=[two_eras.merged.pk])).context["years"]
    assert max(old) == 2024 and new == [2026, 2025]


def test_home_links_each_officer_to_the_year_of_their_node(client, officer, new_officer, tree, two_eras):
    client.force_login(officer)
    assert reverse("return_edit", args=[tree.p1.pk, 2024]) in client.get(reverse("home")).content.decode()
    client.force_login(new_officer)
    body = client.get(reverse("home")).content.decode()
    assert reverse("return_edit", args=[two_eras.merged.pk, 2025]) in body


def test_home_and_import_open_on_the_same_year(client, central_officer, tree, two_eras):
    client.force_login(central_officer)
    home = client.get(reverse("home")).content.decode()
    assert client.get(reverse("import_upload")).context["year"] == years.default_year() == 2025
    assert reverse("return_edit", args=[tree.central.pk, 2025]) in home


# --- entry -----------------------------------------------------------------------------------------


def test_the_entry_page_offers_only_the_years_a_node_is_active(client, new_officer, two_eras):
    client.force_login(new_officer)
    r = client.get(reverse("return_edit", args=[two_eras.merged.pk, 2025]))
    assert r.context["years"] == [2026, 2025] and not r.context["read_only"]


def test_it_refuses_figures_for_a_year_the_node_is_not_active(client, officer, tree, two_eras):
    client.force_login(officer)
    r = client.post(reverse("return_edit", args=[tree.p1.pk, 2025]), form_data(mobilised_cash=5_000_000))
    assert r.status_code == 409
    assert "Hội Khuyến học tỉnh Một không còn hoạt động năm 2025; hội kế thừa: Một Hai." in r.content.decode()
    assert not AnnualReturn.objects.exists() and not AnnualReturn.history.exists()


def test_it_shows_a_year_the_node_is_not_active_read_only_with_the_reason(client, officer, tree, two_eras):
    client.force_login(officer)
    r = client.get(reverse("return_edit", args=[tree.p1.pk, 2025]))
    body = r.content.decode()
    assert r.status_code == 200 and r.context["read_only"]
    assert "không còn hoạt động năm 2025" in body and "Không thể nhập số liệu của hội cho năm này." in body
    assert all(y <= 2024 for y in r.context["years"])


def test_the_service_refuses_a_return_before_the_node_began(new_officer, two_eras):
    with pytest.raises(services.InactiveYearError, match="chưa hoạt động năm 2024"):
        services.annual_return_save(
            user=new_officer,
            association=two_eras.merged,
            year=2024,
            changes=services.ReturnChanges(figures={"mobilised_cash": 1}),
            expected_version=None,
        )
    assert not AnnualReturn.objects.exists()


def test_the_service_refuses_a_row_attached_to_a_year_the_node_is_not_active(officer, tree, two_eras):
    scholarship = Scholarship(association=tree.p1, year=2025, programme="Học bổng", awards=1)
    with pytest.raises(services.InactiveYearError):
        services.figures_row_check(user=officer, row=scholarship)
    with pytest.raises(services.InactiveYearError):
        services.figures_row_save(user=officer, row=scholarship)
    assert not Scholarship.objects.exists() and not AnnualReturn.objects.exists()


def test_the_service_takes_figures_in_a_year_the_node_is_active(officer, tree, two_eras):
    services.annual_return_save(
        user=officer,
        association=tree.p1,
        year=2024,
        changes=services.ReturnChanges(figures={"mobilised_cash": 1}),
        expected_version=None,
    )
    assert AnnualReturn.objects.get().association == tree.p1


# --- import templates and validation ---------------------------------------------------------------


def _template_codes(user, year: int) -> list[tuple[str, str]]:
    _name, _type, content = export_file(user=user, kind="returns", year=year, fmt="xlsx", template=True)
    return [(r[0], r[2]) for r in read_xlsx(content)[1:]]


def test_the_template_lists_the_units_active_in_its_year(central_officer, tree, two_eras):
    names_2024 = [name for _code, name in _template_codes(central_officer, 2024)]
    names_2025 = [name for _code, name in _template_codes(central_officer, 2025)]
    assert (
        tree.p1.name in names_2024 and tree.c4.name in names_2024 and two_eras.merged.name not in names_2024
    )
    assert two_eras.merged.name in names_2025 and two_eras.commune.name in names_2025
    assert not {tree.p1.name, tree.p2.name, tree.d1.name, tree.c1.name} & set(names_2025)
    assert tree.p3.name in names_2024 and tree.p3.name in names_2025


def test_an_officer_of_an_ended_node_gets_an_empty_template_for_a_later_year(officer, tree, two_eras):
    assert _template_codes(officer, 2025) == []
    assert ("P1", tree.p1.name) in _template_codes(officer, 2024)


def _preview(user, rows):
    return imports.import_preview(user=user, content=xlsx(rows), filename="so-lieu.xlsx")


def test_a_reused_code_resolves_to_the_node_active_in_the_rows_year(central_officer, tree, two_eras):
    # One file's bytes for both steps: the confirmation is refused if the file changed since the preview.
    content = xlsx([row(tree.p1, 2024, mobilised_cash=1), row(two_eras.merged, 2025, mobilised_cash=2)])
    preview = imports.import_preview(user=central_officer, content=content, filename="so-lieu.xlsx")
    assert preview.errors == []
    assert [(r.name, r.year) for r in preview.rows] == [(tree.p1.name, 2024), (two_eras.merged.name, 2025)]
    imports.import_confirm(
        user=central_officer, content=content, filename="so-lieu.xlsx", fingerprint=preview.fingerprint
    )
    stored = AnnualReturn.objects.values_list("association_id", "year", "mobilised_cash")
    assert set(stored) == {(tree.p1.pk, 2024, 1), (two_eras.merged.pk, 2025, 2)}


def test_it_refuses_a_row_for_a_unit_that_ended_naming_its_successor(officer, tree, two_eras):
    preview = _preview(officer, [row(tree.p1, 2025, mobilised_cash=1), row(tree.c1, 2025, mobilised_cash=1)])
    assert [e.message for e in preview.errors] == [
        "Mã P1 (Một) không còn hoạt động năm 2025; hội kế thừa: Một Hai.",
        "Mã C1 (Bắc) không còn hoạt động năm 2025; hội kế thừa: Bắc Mới.",
    ]


def test_it_refuses_a_row_for_a_unit_not_yet_formed(central_officer, two_eras):
    fresh = association_create(
        tier=Tier.COMMUNE,
        name="Xã Mới Lập",
        short_name="Mới Lập",
        code="N9",
        parent=two_eras.merged,
        active_from=2025,
    )
    preview = _preview(central_officer, [row(fresh, 2024, mobilised_cash=1)])
    assert [e.message for e in preview.errors] == [
        "Mã N9 (Mới Lập) chưa hoạt động năm 2024 (hoạt động từ năm 2025)."
    ]


def test_it_does_not_explain_a_unit_outside_the_users_scope(new_officer, tree, two_eras):
    # P2 ended in 2024 but is not the new officer's: the refusal names nothing of it.
    preview = _preview(new_officer, [row(tree.p2, 2025, mobilised_cash=1)])
    assert len(preview.errors) == 1 and "Hai" not in preview.errors[0].message


def test_it_refuses_the_whole_file_and_writes_nothing(officer, tree, two_eras):
    content = xlsx([row(tree.p1, 2024, mobilised_cash=1), row(tree.p1, 2025, mobilised_cash=1)])
    preview = imports.import_preview(user=officer, content=content, filename="so-lieu.xlsx")
    assert len(preview.errors) == 1
    with pytest.raises(imports.ImportRefused):
        imports.import_confirm(
            user=officer, content=content, filename="so-lieu.xlsx", fingerprint=preview.fingerprint
        )
    assert not AnnualReturn.objects.exists()


# --- exports, rankings, completeness, the review queue, cluster reports -----------------------------


def test_the_figures_export_lists_the_units_active_in_its_year(reviewer, tree, two_eras):
    _name, _type, content = export_file(user=reviewer, kind="returns", year=2025, fmt="xlsx")
    names = {r[2] for r in read_xlsx(content)[1:]}
    assert {two_eras.merged.name, two_eras.commune.name, tree.p3.name} <= names
    assert not {tree.p1.name, tree.p2.name, tree.d1.name, tree.c1.name} & names


def test_rankings_rank_the_provinces_of_the_year(tree, two_eras):
    def ranked(year, scope):
        return _names(r.association for r in ranking(year=year, scope=scope, metric=Metric.MOBILISED).rows)

    assert ranked(2024, Scope(ScopeKind.PROVINCES)) == ["Ba", "Hai", "Một"]
    assert ranked(2025, Scope(ScopeKind.PROVINCES)) == ["Ba", "Một Hai"]
    assert ranked(2025, Scope(ScopeKind.CLUSTER, tree.cluster_a)) == ["Một Hai"]
    assert (
        ranked(2025, Scope(ScopeKind.CLUSTERS))
        == ranked(2024, Scope(ScopeKind.CLUSTERS))
        == ["Cụm A", "Cụm B"]
    )
    assert ranked(2025, Scope(ScopeKind.PROVINCE, two_eras.merged)) == ["Bắc Mới"]


def test_the_ranking_page_says_a_province_scope_is_not_active_that_year(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    r = client.get(reverse("rankings"), {"nam": 2025, "pham_vi": f"tinh-{tree.p1.pk}"})
    assert "Hội Khuyến học tỉnh Một không còn hoạt động năm 2025; hội kế thừa: Một Hai." in r.content.decode()
    assert _names(r.context["provinces"]) == ["Ba", "Một Hai"]


def test_completeness_lists_the_provinces_of_the_year(tree, two_eras):
    AnnualReturn.objects.create(association=two_eras.commune, year=2025)
    rows = {r.province.short_name: r for r in completeness(year=2025, provinces=Association.objects.all())}
    assert sorted(rows) == ["Ba", "Một Hai"]
    assert (rows["Một Hai"].associations, rows["Một Hai"].returns) == (2, 1)
    assert sorted(
        r.province.short_name for r in completeness(year=2024, provinces=Association.objects.all())
    ) == ["Ba", "Hai", "Một"]


def test_the_review_queue_lists_only_returns_of_nodes_active_that_year(client, reviewer, tree, two_eras):
    def make_return(node, year, status):
        AnnualReturn.objects.create(association=node, year=year, status=status)

    # A return of P1 for 2025 cannot be entered any more; one left from before is not counted anywhere.
    make_return(tree.p1, 2025, status=AnnualReturn.Status.SUBMITTED)
    make_return(two_eras.merged, 2025, status=AnnualReturn.Status.SUBMITTED)
    make_return(tree.p1, 2024, status=AnnualReturn.Status.SUBMITTED)
    client.force_login(reviewer)

    def listed(query):
        return [
            row.annual_return.association for row in client.get(reverse("review_list"), query).context["rows"]
        ]

    assert listed({"nam": 2025}) == [two_eras.merged]
    assert listed({}) == [two_eras.merged]
    assert listed({"nam": 2024}) == [tree.p1]


def test_a_cluster_report_has_the_provinces_of_its_year(tree, two_eras):
    assert _names(m.association for m in cluster_report(cluster=tree.cluster_a, year=2024).members) == [
        "Hai",
        "Một",
    ]
    assert _names(m.association for m in cluster_report(cluster=tree.cluster_a, year=2025).members) == [
        "Một Hai"
    ]


def test_a_cluster_report_leaves_out_figures_of_nodes_not_active_that_year(tree, two_eras):
    Scholarship.objects.create(association=tree.c1, year=2025, programme="Cũ", awards=1)
    Scholarship.objects.create(association=two_eras.commune, year=2025, programme="Mới", awards=1)
    report = cluster_report(cluster=tree.cluster_a, year=2025)
    assert [s.programme for s in report.scholarships] == ["Mới"]


def test_trends_of_an_ended_province_end_in_its_last_year(client, reviewer, tree, two_eras):
    client.force_login(reviewer)
    r = client.get(reverse("province_trends", args=[tree.p1.pk]))
    assert r.context["year"] == 2024 and max(r.context["years"]) == 2024

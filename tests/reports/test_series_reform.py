"""Rankings, the cluster report, the trend page and a new node's page across the 2025 reform."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from associations.access import open_totals
from associations.models import Association, RoleKind, Succession, Tier
from associations.services import association_create
from reports import snapshot
from reports.exports import NOTE, export_csv, export_xlsx, ranking_table
from reports.rankings import Metric, Scope, ScopeKind, ranking
from reports.selectors import cluster_report
from tests.conftest import make_user
from tests.funds.reform import (
    NEW,
    OLD,
    build_era,
    expected_from_predecessors,
    expected_total,
    per_head,
    save_figures,
)

NOTE_MOI = "2024: cộng Hai, Một cũ"


@pytest.fixture
def era(db):
    era = build_era()
    save_figures(era)
    return era


@pytest.fixture
def grown(request, db):
    era = build_era(extra_predecessors=request.param)
    save_figures(era)
    return era


def _expected_change(node) -> int:
    now, before = expected_total(node, NEW), expected_from_predecessors(node, OLD)
    return per_head(now["mobilised"], now["population"]) - per_head(
        before["mobilised_with_population"], before["population"]
    )


# Rankings


def test_it_ranks_a_new_province_by_its_change_on_its_predecessors_sum(era):
    result = ranking(year=NEW, scope=Scope(ScopeKind.PROVINCES), metric=Metric.CHANGE)
    rows = {row.association.pk: row for row in result.rows}
    assert set(rows) == {era.moi.pk, era.ba.pk}
    assert rows[era.moi.pk].value == _expected_change(era.moi)
    assert rows[era.ba.pk].value == _expected_change(era.ba)
    assert [row.association for row in result.ranked] == sorted(
        [era.moi, era.ba], key=lambda a: -rows[a.pk].value
    )


def test_it_says_in_the_row_what_the_change_compares_with(era):
    table = ranking_table(ranking(year=NEW, scope=Scope(ScopeKind.PROVINCES), metric=Metric.CHANGE))
    assert table.columns[-1] == NOTE
    notes = {row.association_id: row.values[-1] for row in table.rows}
    assert notes == {era.moi.pk: NOTE_MOI, era.ba.pk: "2024: cộng Ba cũ"}


def test_it_adds_no_note_where_nothing_is_derived(era):
    old = ranking_table(ranking(year=OLD, scope=Scope(ScopeKind.PROVINCES), metric=Metric.CHANGE))
    per_head_table = ranking_table(
        ranking(year=NEW, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT)
    )
    assert NOTE not in old.columns and NOTE not in per_head_table.columns


def test_it_exports_the_note_to_csv_and_xlsx(era):
    table = ranking_table(ranking(year=NEW, scope=Scope(ScopeKind.PROVINCES), metric=Metric.CHANGE_PCT))
    _name, _type, content = export_csv(table, name="x")
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[-1] == str(NOTE.label)
    assert NOTE_MOI in [row[-1] for row in rows]
    _name, _type, content = export_xlsx(table, name="x")
    sheet = [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert sheet[0][-1] == str(NOTE.label)
    assert NOTE_MOI in [row[-1] for row in sheet[1:]]


def test_it_marks_the_split_communes_in_a_province_ranking(era):
    table = ranking_table(ranking(year=NEW, scope=Scope(ScopeKind.PROVINCE, era.moi), metric=Metric.CHANGE))
    notes = {row.association_id: row.values[-1] for row in table.rows}
    assert notes[era.nhat.pk] == "2024: không cộng dồn vì xã cũ được chia (Bình)"
    assert notes[era.tam.pk] == "2024: cộng Cát cũ"
    ranks = {row.association_id: row.values[0] for row in table.rows}
    assert ranks[era.nhat.pk] is None and ranks[era.tam.pk] == 1


def test_it_shows_the_note_on_the_ranking_page(client, era):
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    r = client.get(reverse("rankings"), {"nam": NEW, "chi_so": Metric.CHANGE})
    body = r.content.decode()
    assert NOTE_MOI in body
    assert "tổng số liệu các hội tiền thân" in body


@pytest.mark.parametrize("grown", [0, 4], indirect=True, ids=["one-reform", "more-predecessors"])
def test_it_ranks_across_the_reform_in_fixed_queries(grown, django_assert_num_queries):
    # 1 the ranked nodes, 2 their predecessors, 3 returns of both years, 4 scholarships
    for scope in (Scope(ScopeKind.PROVINCES), Scope(ScopeKind.PROVINCE, grown.moi)):
        with django_assert_num_queries(4):
            ranking(year=NEW, scope=scope, metric=Metric.CHANGE)


# The cluster report


def test_it_compares_a_member_with_its_predecessors_in_the_cluster_report(era):
    report = cluster_report(cluster=era.cluster, year=NEW)
    members = {row.association.pk: row for row in report.members}
    assert set(members) == {era.moi.pk, era.ba.pk}
    assert members[era.moi.pk].totals.per_inhabitant_change == _expected_change(era.moi)
    assert members[era.moi.pk].totals.prev_from_predecessors == ["Hai", "Một"]
    # The cluster is the same node: last year is its own 2024 total, of its 2024 provinces.
    assert report.total.prev_mobilised == sum(
        expected_total(p, OLD)["mobilised"] for p in (era.mot, era.hai, era.ba_old)
    )


def test_it_says_so_in_the_report(era):
    doc = snapshot.live(cluster=era.cluster, year=NEW)
    member = next(m for m in doc["members"] if m["id"] == era.moi.pk)
    assert member["prev_note"] == NOTE_MOI
    assert member["figures"]["per_inhabitant_change"] == _expected_change(era.moi)
    sentence = next(s for s in doc["text"]["results"] if s.startswith("Mới"))
    assert "so với tổng năm 2024 của Hai, Một cũ" in sentence


def test_it_prints_the_note_under_the_report_table_for_members_with_figures(client, db):
    era = build_era(extra_predecessors=1)
    save_figures(era)
    # A 2025 province without a return this year: its row says so, with no note on a change it lacks.
    empty = association_create(
        tier=Tier.PROVINCE, name="Hội Bốn", short_name="Bốn", code="04", parent=era.cluster, active_from=NEW
    )
    Succession.objects.create(predecessor=era.ba_old, successor=empty)
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    body = client.get(reverse("cluster_report", args=[era.cluster.pk, NEW])).content.decode()
    assert "Mới: so năm trước với năm 2024: cộng Hai, Một, Thêm 0 cũ (chưa có số liệu: Thêm 0)." in body
    assert "Bốn: so năm trước" not in body


@pytest.mark.parametrize("grown", [0, 4], indirect=True, ids=["one-reform", "more-predecessors"])
def test_it_reads_the_2025_cluster_report_in_fixed_queries(grown, django_assert_num_queries):
    # The ten of cluster_report, and the members' predecessors (funds.selectors.lineages)
    with django_assert_num_queries(11):
        cluster_report(cluster=grown.cluster, year=NEW)


# The trend page


def _trend(client, node, year=NEW + 1):
    return client.get(reverse("province_trends", args=[node.pk]), {"nam": year})


def test_it_labels_the_years_read_from_predecessors_on_the_trend_page(client, era):
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    r = _trend(client, era.moi)
    points = {p.year: p for p in r.context["points"]}
    assert sorted(points) == [2023, OLD, NEW]
    assert points[OLD].mobilised == expected_from_predecessors(era.moi, OLD)["mobilised"]
    notes = dict((p.year, note) for p, note in r.context["rows"])
    assert notes == {2023: "2023: cộng Hai, Một cũ", OLD: NOTE_MOI, NEW: ""}
    body = r.content.decode()
    assert "2024*" in body and "2025*" not in body
    derived = [c.year for _title, chart in r.context["charts"] for c in chart.columns if c.derived]
    assert derived == [2023, OLD, 2023, OLD]


@pytest.mark.parametrize("grown", [0, 4], indirect=True, ids=["one-reform", "more-predecessors"])
def test_it_renders_the_trend_across_the_reform_in_fixed_queries(client, grown, django_assert_num_queries):
    client.force_login(make_user("xem", RoleKind.VIEWER, grown.central))
    # 1 session, 2 user, 3 the province, 4 its predecessors, 5 the trend
    with django_assert_num_queries(5):
        _trend(client, grown.moi)


# A new node's page: its predecessors side by side


def _page(client, node, year=NEW):
    return client.get(reverse("association_detail", args=[node.pk]), {"nam": year})


def test_it_lists_a_split_predecessor_in_full_and_does_not_sum(client, era):
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    body = _page(client, era.nhat).content.decode()
    assert "data-predecessors" in body
    assert "Không cộng dồn vì xã cũ được chia" in body
    assert "Bình cũng là tiền thân của: Nhì" in body
    assert "data-summed" not in body
    binh = expected_total(era.binh, OLD)
    assert f"{binh['mobilised']:,}".replace(",", ".") in body


def test_it_adds_up_whole_predecessors_on_the_page(client, era):
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    body = _page(client, era.moi).content.decode()
    assert "data-summed" in body and "Không cộng dồn" not in body
    total = expected_from_predecessors(era.moi, OLD)["mobilised"]
    assert f"{total:,}".replace(",", ".") in body


def test_it_marks_the_totals_of_a_year_before_the_node_began(client, era):
    client.force_login(make_user("xem", RoleKind.VIEWER, era.central))
    body = _page(client, era.moi, year=OLD).content.decode()
    assert "Năm 2024 hội chưa hình thành: số liệu là tổng của các hội tiền thân Hai, Một cũ." in body
    body = _page(client, era.nhat, year=OLD).content.decode()
    assert "không cộng dồn vì xã cũ được chia (Bình cũng là tiền thân của hội khác)" in body
    body = _page(client, era.moi, year=NEW).content.decode()
    assert "so với tổng năm 2024 của Hai, Một cũ" in body


def test_it_shows_a_predecessors_figures_only_to_those_who_read_them(client, era):
    officer = make_user("canbo", RoleKind.OFFICER, era.moi)
    client.force_login(officer)
    r = _page(client, era.nhat)
    readable = set(
        (open_totals(officer) | Association.objects.visible_to(officer))
        .filter(pk__in=[era.an.pk, era.binh.pk])
        .values_list("pk", flat=True)
    )
    assert r.context["readable"] == readable
    body = r.content.decode()
    binh = f"{expected_total(era.binh, OLD)['mobilised']:,}".replace(",", ".")
    assert (binh in body) == (era.binh.pk in readable)
    assert ("Ngoài phạm vi xem của bạn" in body) == (readable != {era.an.pk, era.binh.pk})


@pytest.mark.parametrize("grown", [0, 4], indirect=True, ids=["one-reform", "more-predecessors"])
def test_it_renders_a_new_nodes_page_in_fixed_queries(client, grown, django_assert_num_queries):
    client.force_login(make_user("xem", RoleKind.VIEWER, grown.central))
    # In its last year: 1 session, 2 user, 3 the association, 4 the right to edit, 5 whether the
    # user may carry its roles on (it ended), 6 its own return, 7 the data version (the totals' cache
    # key), 8 totals of returns, 9 of scholarships, 10 the ancestors, 11 the children, 12 its commune
    # associations (from the tree)
    with django_assert_num_queries(12):
        _page(client, grown.mot, year=OLD)
    # and the predecessors with their other successors, their returns, which of them the user reads,
    # and the predecessors once more for the totals (2025 compares with their 2024)
    with django_assert_num_queries(15):
        _page(client, grown.moi)


# The note itself


def test_it_words_the_note_by_what_was_found():
    from funds.selectors import Derivation
    from reports.derivations import derivation_note

    assert derivation_note(None, OLD) == ""
    assert derivation_note(Derivation(names=("Hai", "Một")), OLD) == NOTE_MOI
    partly = Derivation(names=("Hai", "Một"), missing=("Hai",))
    assert derivation_note(partly, OLD) == "2024: cộng Hai, Một cũ (chưa có số liệu: Hai)"
    nothing = Derivation(names=("Hai", "Một"), missing=("Hai", "Một"))
    assert derivation_note(nothing, OLD) == "2024: chưa có số liệu của Hai, Một cũ"
    split = Derivation(names=("An", "Bình"), split=("Bình",))
    assert derivation_note(split, OLD) == "2024: không cộng dồn vì xã cũ được chia (Bình)"

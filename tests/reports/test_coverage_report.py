"""The cluster report says, under its table, what the returns below an all-levels province add up to."""

import copy
import io
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from funds.models import AnnualReturn
from reports import snapshot
from reports.rendering import document_context
from tests.reports.conftest import put_return

YEAR = 2022
ALL = AnnualReturn.Coverage.ALL
NOTE = "Số liệu của Một là số toàn tỉnh; các hội cấp dưới của Một đã báo cáo cộng lại 2 tỷ đồng (18,3%)."


@pytest.fixture
def ha_giang(tree):
    """P1 ("Một") reports 10.939.000.000 đ for the whole province, its district D1 2 tỷ; P2 its own level."""
    put_return(tree.p1, YEAR, coverage=ALL, population=900_000, mobilised_cash=10_939_000_000)
    put_return(tree.d1, YEAR, mobilised_cash=2_000_000_000)
    put_return(tree.p2, YEAR, population=500_000, mobilised_cash=3_000_000_000)
    put_return(tree.d2, YEAR, mobilised_cash=1_000_000_000)
    return tree


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _notes(html: str) -> list[str]:
    return [
        f"{cls}: {_text(body)}"
        for cls, body in re.findall(r'<p class="muted-note (reconcile[^"]*)">(.*?)</p>', html, flags=re.S)
    ]


def _page(client, user, cluster) -> str:
    client.force_login(user)
    response = client.get(reverse("cluster_report", args=[cluster.pk, YEAR]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_notes_what_the_returns_below_an_all_levels_province_add_up_to(client, chair, ha_giang):
    assert _notes(_page(client, chair, ha_giang.cluster_a)) == [f"reconcile: {NOTE}"]


def test_it_keeps_the_provinces_all_levels_figure_in_the_table(ha_giang):
    doc = snapshot.live(cluster=ha_giang.cluster_a, year=YEAR)
    [one] = [m for m in doc["members"] if m["name"] == "Một"]
    assert (one["figures"]["mobilised"], one["all_levels"], one["below_mobilised"]) == (
        10_939_000_000,
        True,
        2_000_000_000,
    )
    assert doc["total"]["figures"]["mobilised"] == 10_939_000_000 + 3_000_000_000 + 1_000_000_000


def test_it_flags_returns_below_that_add_up_to_more(client, chair, ha_giang):
    put_return(ha_giang.c3, YEAR, mobilised_cash=9_000_000_000)
    assert _notes(_page(client, chair, ha_giang.cluster_a)) == [
        "reconcile warn: Cần đối chiếu: số liệu của Một là số toàn tỉnh, nhưng các hội cấp dưới của Một "
        "đã báo cáo cộng lại 11 tỷ đồng, nhiều hơn số toàn tỉnh."
    ]


def test_it_notes_nothing_for_an_all_levels_province_with_nothing_below(client, chair, tree):
    put_return(tree.p1, YEAR, coverage=ALL, population=900_000, mobilised_cash=10_939_000_000)
    put_return(tree.p2, YEAR, mobilised_cash=1)
    assert _notes(_page(client, chair, tree.cluster_a)) == []


def test_it_prints_the_note_in_the_pdf(client, chair, ha_giang):
    client.force_login(chair)
    response = client.get(reverse("cluster_report_pdf", args=[ha_giang.cluster_a.pk, YEAR]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert NOTE in text


def _older(doc: dict) -> dict:
    """The same snapshot as a report issued before coverage was recorded (schema 1) stored it."""
    old = copy.deepcopy(doc)
    old["schema"] = 1
    for m in old["members"]:
        del m["all_levels"], m["below_mobilised"]
    del old["text"]["coverage"]
    return old


def test_an_older_snapshot_renders_without_the_note(ha_giang):
    old = _older(snapshot.live(cluster=ha_giang.cluster_a, year=YEAR))
    html = render_to_string("reports/_document.html", document_context(old))
    assert "10,939" in _text(html) and _notes(html) == []


def test_an_older_snapshot_lists_no_change_of_coverage(ha_giang):
    doc = snapshot.live(cluster=ha_giang.cluster_a, year=YEAR)
    assert snapshot.changes(_older(doc), doc) == []
    assert snapshot.changes(doc, _older(doc)) == []


def test_it_lists_a_province_turning_all_levels_and_a_changed_sum_below(ha_giang):
    before = snapshot.live(cluster=ha_giang.cluster_a, year=YEAR)
    AnnualReturn.objects.filter(association=ha_giang.p2, year=YEAR).update(coverage=ALL)
    AnnualReturn.objects.filter(association=ha_giang.d1, year=YEAR).update(mobilised_cash=3_000_000_000)
    after = snapshot.live(cluster=ha_giang.cluster_a, year=YEAR)
    # Hai's own 3 tỷ now stands for the whole province: its district's 1 tỷ is no longer added.
    assert snapshot.changes(before, after) == [
        "Hai: vận động bằng tiền 4 tỷ đồng → 3 tỷ đồng",
        "Hai: số của hội tỉnh cộng các hội cấp dưới → số toàn tỉnh",
        "Một: các hội cấp dưới báo cáo cộng lại 2 tỷ đồng → 3 tỷ đồng",
    ]

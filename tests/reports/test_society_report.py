"""The cluster report's section "Tổ chức hội và xây dựng xã hội học tập", HTML and PDF, and the
completeness of the new figures."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Association, Tier
from funds.models import AnnualReturn
from reports import prose, snapshot
from reports.completeness import completeness
from reports.models import ClusterConference

from .conftest import put_return

SECTION = "Tổ chức hội và xây dựng xã hội học tập"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (950, "950"),
        (1432, "hơn 1.400"),
        (20_000, "20.000"),
        (20_012, "hơn 20.000"),
        (8_734, "hơn 8.700"),
        (3_612_345, "hơn 3,6 triệu"),
        (2_000_000, "2 triệu"),
    ],
)
def test_counts_read_as_the_articles_round_them(value, text):
    assert prose.rounded_count(value) == text


def _province(code: str) -> Association:
    return Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code=code)


@pytest.fixture
def society(demo_once, db):
    """Hà Giang (02) and Lai Châu (12) give their organisation and learning titles for 2022."""
    AnnualReturn.objects.filter(association=_province("02"), year=2022).update(
        chapters=1_200, boards=500, members=150_000, learning_families_recognised=140_000, households=200_000
    )
    AnnualReturn.objects.filter(association=_province("12"), year=2022).update(
        chapters=800, boards=300, members=60_000, learning_families_recognised=20_000, households=100_000
    )
    return Association.objects.get(tier=Tier.CLUSTER, code="CUM01")


def _section_rows(body: str) -> dict[str, list[str]]:
    table = body[body.index('<table class="results society">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        rows[cells[1]] = cells[2:]
    return rows


def test_taybacs_report_has_the_section_in_html_and_pdf(client, society):
    conference = ClusterConference.objects.get(cluster=society, year=2022)
    client.force_login(get_user_model().objects.get(username="taybac"))
    body = client.get(reverse("conference_report", args=[conference.pk])).content.decode()
    assert f"4. {SECTION}" in body
    # 160.000 of 300.000 households: the ratio of the sums (53,3 %), not the mean of 70 % and 20 %.
    assert "Toàn cụm có hơn 1.400 hội cấp xã, 2.000 chi hội, 800 ban khuyến học; 210.000 hội viên" in body
    assert "160.000 gia đình học tập (53,3% hộ gia đình, đạt 76,2% mục tiêu năm 2025)" in body
    rows = _section_rows(body)
    communes = Association.objects.active_in(2022).filter(tier=Tier.COMMUNE)
    ha_giang = communes.filter(
        tree_id=_province("02").tree_id, lft__gt=_province("02").lft, rght__lt=_province("02").rght
    )
    assert rows["Hà Giang"][:5] == [
        f"{ha_giang.count():,}".replace(",", "."),
        "1.200",
        "500",
        "150.000 · 16,7%",  # of Hà Giang's 2022 population in the demo
        "140.000 · 70,0%",
    ]
    assert rows["Cộng toàn cụm"][1:5] == ["2.000", "800", "210.000 · 6,0%", "160.000 · 53,3%"]
    assert rows["Sơn La"][1:5] == ["—", "—", "—", "—"]

    pdf = client.get(reverse("conference_pdf", args=[conference.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    assert SECTION in text and "53,3%" in text


def test_an_issued_snapshot_from_before_the_section_renders_without_it(society):
    doc = snapshot.live(cluster=society, year=2022)
    assert doc["schema"] == 4 and doc["titles"]
    for key in ("titles",):
        del doc[key]
    for member in doc["members"]:
        del member["society"]
    del doc["total"]["society"], doc["text"]["society"]
    html = render_to_string("reports/_document.html", {"doc": doc})
    assert SECTION not in html and "Cộng toàn cụm" in html


def test_a_correction_names_the_organisation_figures_that_changed(society):
    before = snapshot.live(cluster=society, year=2022)
    AnnualReturn.objects.filter(association=_province("02"), year=2022).update(members=151_000)
    after = snapshot.live(cluster=society, year=2022)
    assert "Hà Giang: số hội viên 150.000 → 151.000" in snapshot.changes(before, after)


def test_completeness_counts_the_returns_without_the_new_figures(figures):
    AnnualReturn.objects.filter(association=figures.d1, year=2022).update(members=10)
    put_return(figures.c2, 2022, households=100)
    rows = {r.province.code: r for r in completeness(year=2022, provinces=Association.objects.all())}
    # P1: its own return, C1 and C3 give none of them; D1 (members) and C2 (households) do.
    assert (rows["P1"].returns, rows["P1"].lacking_society) == (5, 3)
    assert rows["P2"].lacking_society == 1
    assert rows["P3"].lacking_society == 0

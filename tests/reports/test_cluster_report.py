import logging
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.urls import reverse

from associations.models import Association, RoleKind, Tier
from associations.services import association_create
from funds.models import AnnualReturn, Fund, Scholarship, Transfer
from reports.models import ClusterConference
from tests.conftest import make_user
from tests.reports.seed import MEMBERS, SEED_FIGURES, SEED_TABLE, TY, count, seed_problems

pytestmark = pytest.mark.usefixtures("demo_once")

# A figure with a decimal comma or thousands points: "43,2", "51.733", "3.504.072".
NUMBER = re.compile(r"\d+(?:[.,]\d+)+")


def article_text(html: bytes) -> str:
    body = html.decode()
    body = body[body.index("<article") : body.index("</article>")]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def table_rows(html: bytes) -> dict[str, list[str]]:
    """{province (or 'Cộng toàn cụm'): the text of its cells} of the results table."""
    body = html.decode()
    table = body[body.index('<table class="results">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        rows[cells[1].split(" ")[0] if cells[1].startswith("Cộng") else cells[1]] = cells
    return rows


@pytest.fixture
def tay_bac(db):
    return Association.objects.get(tier=Tier.CLUSTER, code="CUM01")


@pytest.fixture
def conference(tay_bac):
    return ClusterConference.objects.get(cluster=tay_bac, year=2022)


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def chair_client(client, db):
    return login(client, "taybac")


def test_it_shows_every_seed_figure_once_with_its_qualifier(chair_client, conference):
    r = chair_client.get(reverse("conference_report", args=[conference.pk]))
    assert r.status_code == 200
    assert not seed_problems(article_text(r.content))


def test_the_province_sentences_read_like_the_article(chair_client, conference):
    results = chair_client.get(reverse("conference_report", args=[conference.pk])).context["doc"]["text"][
        "results"
    ]
    assert (
        "Hòa Bình vận động được 43,2 tỷ đồng, bình quân đạt 51.733 đồng/người (tăng 4.782 đồng so với năm 2021)."
        in results
    )
    assert (
        "Lào Cai vận động được trên 12 tỷ đồng, bình quân đạt 17.000 đồng/người. Số liệu chung của các cấp hội trong tỉnh."
        in results
    )
    assert "Điện Biên vận động được trên 12 tỷ đồng, bình quân đạt 20.000 đồng/người." in results


def typed_demo_texts() -> list[str]:
    """Every free text the demo loader typed: notes, names, purposes, the conference's prose."""
    texts = []
    for model in (AnnualReturn, Fund, Scholarship, Transfer, ClusterConference):
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        texts += [value for row in model.objects.values_list(*names) for value in row if value]
    return texts


def test_the_demo_texts_state_no_figure_the_report_tests_look_for(db):
    # Facts that only a note holds ("110%", "100%") are the article's words, not computed figures.
    computed = [p for p in SEED_FIGURES if p not in ("110%", "100%")]
    phrases = computed + [p.removeprefix("trên ") for p in computed]
    numbers = {n for text in [*computed, *sum(expected_table().values(), [])] for n in NUMBER.findall(text)}
    texts = typed_demo_texts()
    assert any("110%" in t for t in texts)  # the notes are there to be read
    assert [(p, t) for p in phrases for t in texts if count(t, p)] == []
    assert [(n, t) for n in sorted(numbers) for t in texts if count(t, n)] == []


def _billions(amount: int) -> str:
    # Written here rather than taken from core.numbers, so that a change there shows: tỷ with a
    # decimal comma and no trailing zeros.
    text = f"{Decimal(amount) / TY:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _amount(value: int | None, over: bool) -> str:
    return "—" if value is None else ("trên " if over else "") + _billions(value)


def _sum(values) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def expected_table() -> dict[str, list[str]]:
    """{province or "Cộng": its figure cells} computed from the article's figures (seed.SEED_TABLE)."""
    reported = {name: f for name, f in SEED_TABLE.items() if f is not None}
    per = {name: f["per_inhabitant"] for name, f in reported.items() if "per_inhabitant" in f}
    rows, figures = {}, []
    for name, f in reported.items():
        over = f.get("over", set())
        total = _sum([f.get("cash"), f.get("in_kind")])
        population = round(total / per[name]) if name in per else None
        scholarships = f.get("scholarships")
        figures.append(
            {
                "cash": (f.get("cash"), "cash" in over),
                "in_kind": (f.get("in_kind"), "in_kind" in over),
                "total": (total, bool(over & {"cash", "in_kind"})),
                "population": population,
                "fund_balance": (_sum(f.get("fund_balance", [])), "fund_balance" in over),
                "scholarships": scholarships,
                "awards": (f.get("awards"), "awards" in over),
                "facilities": (f.get("facilities"), "facilities" in over),
            }
        )
        row = figures[-1]
        rows[name] = [
            *(_amount(*row[k]) for k in ("cash", "in_kind", "total")),
            "—" if population is None else _grouped(population),
            _grouped(per[name]) if name in per else "—",
            f"+{_grouped(f['change'])}" if "change" in f else "—",
            _amount(*row["fund_balance"]),
            "—" if scholarships is None else f"{scholarships[0]} · {_billions(scholarships[1])}",
            _amount(*row["awards"]),
            _amount(*row["facilities"]),
            # Competition ranks by per inhabitant, highest first; no figure, no rank.
            str(1 + sum(v > per[name] for v in per.values())) if name in per else "—",
        ]

    def summed(key: str) -> str:
        pairs = [r[key] for r in figures]
        return _amount(_sum(v for v, _over in pairs), any(over for v, over in pairs if v is not None))

    populations = [r["population"] for r in figures if r["population"] is not None]
    with_population = sum(r["total"][0] for r in figures if r["population"] is not None)
    rows["Cộng"] = [
        summed("cash"),
        summed("in_kind"),
        summed("total"),
        _grouped(sum(populations)),
        _grouped(int(Decimal(with_population) / sum(populations) + Decimal("0.5"))),
        # Only Hòa Bình has a 2021 figure: the cluster's two years cover different provinces.
        "—",
        summed("fund_balance"),
        "10 · 5",  # Sơn La's scholarships alone
        summed("awards"),
        summed("facilities"),
        "",
    ]
    return rows


def test_the_table_cells_hold_the_computed_figures(chair_client, conference):
    rows = table_rows(chair_client.get(reverse("conference_report", args=[conference.pk])).content)
    # TT, province, then the figure cells: cash, in kind, total, population, per inhabitant, change,
    # fund balance, scholarships, awards, facilities, rank.
    assert [cells[:2] for name, cells in rows.items() if name != "Cộng"] == [
        [str(i), name] for i, name in enumerate(SEED_TABLE, start=1)
    ]
    assert rows.pop("Tuyên Quang")[2:] == ["Chưa có báo cáo năm 2022"]
    assert {name: cells[2:] for name, cells in rows.items()} == expected_table()


def test_the_expected_table_holds_the_articles_own_wording():
    # The computation above, read against figures the article prints, so that it cannot drift either.
    expected = expected_table()
    assert expected["Hà Giang"][2:5] == ["10,939", "896.933", "12.196"]
    assert expected["Hòa Bình"][2:6] == ["43,2", "835.057", "51.733", "+4.782"]
    assert expected["Lai Châu"][0] == "trên 2,2" and expected["Sơn La"][:3] == ["7,8", "8", "15,8"]
    assert expected["Phú Thọ"][6] == "trên 15,5" and expected["Yên Bái"][8:10] == ["trên 10,3", "18,7"]
    assert expected["Cộng"][:5] == ["trên 88,139", "8", "trên 96,139", "3.504.072", "22.927"]


def test_the_cluster_total_is_set_apart_and_says_what_it_sums(chair_client, conference):
    body = chair_client.get(reverse("conference_report", args=[conference.pk])).content
    total = table_rows(body)["Cộng"]
    assert total[1] == "Cộng toàn cụm 8/9 tỉnh có báo cáo"
    assert total[2:5] == ["trên 88,139", "8", "trên 96,139"]
    assert 'class="total-row"' in body.decode()
    assert "là tổng của 8 tỉnh có báo cáo trong 9 tỉnh thành viên" in article_text(body)


def test_it_ranks_hoa_binh_first_and_leaves_son_la_unranked(chair_client, conference):
    doc = chair_client.get(reverse("conference_report", args=[conference.pk])).context["doc"]
    ranks = {m["name"]: m["rank"] for m in doc["members"]}
    assert ranks["Hòa Bình"] == 1 and ranks["Điện Biên"] == 2 and ranks["Lai Châu"] == 5
    assert ranks["Sơn La"] is None and ranks["Tuyên Quang"] is None


def test_the_draft_lists_each_members_approval_state(chair_client, conference):
    text = article_text(chair_client.get(reverse("conference_report", args=[conference.pk])).content)
    assert "DỰ THẢO" in text
    for name in MEMBERS:
        state = "chưa có báo cáo" if name == "Tuyên Quang" else "chưa gửi duyệt"
        assert f"{name}: {state}" in text
    assert "chưa được duyệt đầy đủ" in text


def test_a_year_without_anything_has_empty_states(chair_client, tay_bac):
    r = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2019]))
    text = article_text(r.content)
    assert r.status_code == 200
    assert "Chưa có thông tin về hội nghị" in text
    assert "Chưa tỉnh nào có đủ số liệu" in text


def test_the_old_year_addresses_lead_to_the_years_conference(chair_client, tay_bac, conference):
    r = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2022]))
    assert r.status_code == 302 and r["Location"] == reverse("conference_report", args=[conference.pk])
    r = chair_client.get(reverse("cluster_report_pdf", args=[tay_bac.pk, 2022]))
    assert r["Location"] == reverse("conference_pdf", args=[conference.pk])
    r = chair_client.get(reverse("conference_edit_year", args=[tay_bac.pk, 2022]))
    assert r["Location"] == reverse("conference_edit", args=[conference.pk])
    r = chair_client.get(reverse("conference_edit_year", args=[tay_bac.pk, 2026]))
    assert r["Location"] == reverse("conference_create", args=[tay_bac.pk]) + "?nam=2026"


@pytest.mark.parametrize("username", ["taybac", "trunguong", "hagiang"])
def test_it_is_readable_by_chair_reviewer_and_member_officer(client, conference, username):
    login(client, username)
    assert client.get(reverse("conference_report", args=[conference.pk])).status_code == 200
    r = client.get(reverse("conference_pdf", args=[conference.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert 'filename="bao-cao-tay-bac-2022.pdf"' in r["Content-Disposition"]


def test_it_is_404_for_an_officer_of_another_cluster(client, tay_bac, conference):
    ha_noi = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="01")
    client.force_login(make_user("hanoi", RoleKind.OFFICER, ha_noi))
    for url in [
        reverse("cluster_report", args=[tay_bac.pk, 2022]),
        reverse("cluster_report_pdf", args=[tay_bac.pk, 2022]),
        reverse("conference_edit_year", args=[tay_bac.pk, 2022]),
        reverse("conference_list", args=[tay_bac.pk]),
        reverse("conference_report", args=[conference.pk]),
        reverse("conference_draft", args=[conference.pk]),
        reverse("conference_pdf", args=[conference.pk]),
        reverse("conference_edit", args=[conference.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_it_is_404_for_a_node_that_is_not_a_cluster(chair_client):
    ha_giang = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="02")
    assert chair_client.get(reverse("cluster_report", args=[ha_giang.pk, 2022])).status_code == 404
    assert chair_client.get(reverse("conference_list", args=[ha_giang.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, conference):
    r = client.get(reverse("conference_report", args=[conference.pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_an_officer_inside_the_cluster_cannot_edit_the_conference(client, conference):
    login(client, "hagiang")
    url = reverse("conference_edit", args=[conference.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"place": "Đổi"}).status_code == 403
    conference.refresh_from_db()
    assert conference.place == "Hà Giang"


def test_the_chair_edits_the_conference(chair_client, conference):
    son_la = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="14")
    data = {"year": 2022, "kind": "giao_ban", "number": 12, "date": "2022-11-29", "place": "Hà Giang"}
    data |= {"host": conference.host_id, "next_host": son_la.pk, "signer_name": "Người Ký Mới"}
    r = chair_client.post(reverse("conference_edit", args=[conference.pk]), data)
    assert r.status_code == 302
    conference.refresh_from_db()
    assert (conference.number, conference.next_host, conference.signer_name) == (12, son_la, "Người Ký Mới")


def test_a_host_outside_the_cluster_is_refused(chair_client, tay_bac):
    ha_noi = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="01")
    data = {"year": 2026, "kind": "giao_ban", "host": ha_noi.pk}
    r = chair_client.post(reverse("conference_create", args=[tay_bac.pk]), data)
    assert r.status_code == 200
    assert not ClusterConference.objects.filter(cluster=tay_bac, year=2026).exists()


def test_the_report_query_count_does_not_grow_with_districts_and_communes(
    chair_client, conference, django_assert_num_queries
):
    url = reverse("conference_report", args=[conference.pk])
    chair_client.get(url)
    cache.clear()  # the report's document uncached, as on the first read after a write
    # 1 session, 2 user, 3 the conference (with the clusters the user may read), 4 issued versions,
    # 5 the data version (the cache key), 6-14 the report (member provinces, subtree totals ×2, own
    # returns, fund balances, local funds, scholarships, transfers, commune associations from the
    # tree), 15-16 the members' returns by status and their qualifiers, 17 the issue right, 18 the
    # next document number
    with django_assert_num_queries(18):
        chair_client.get(url)
    lai_chau = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="12")
    for i in range(15):
        district = association_create(
            tier=Tier.DISTRICT, name=f"Huyện thử {i}", short_name=f"Thử {i}", code=f"T{i}", parent=lai_chau
        )
        commune = association_create(
            tier=Tier.COMMUNE, name=f"Xã thử {i}", short_name=f"Xã {i}", code=f"TX{i}", parent=district
        )
        AnnualReturn.objects.create(association=commune, year=2022, mobilised_cash=1_000_000, fund_balance=1)
    cache.clear()
    with django_assert_num_queries(18):
        assert chair_client.get(url).status_code == 200


def test_the_chairs_home_links_the_cluster_page_and_the_report_years(chair_client, tay_bac):
    body = chair_client.get(reverse("home")).content.decode()
    assert reverse("conference_list", args=[tay_bac.pk]) in body
    assert reverse("cluster_report", args=[tay_bac.pk, 2022]) in body
    assert reverse("cluster_report_pdf", args=[tay_bac.pk, 2022]) in body


def test_an_officer_sees_only_the_report_of_their_own_cluster(client, tay_bac):
    body = login(client, "hagiang").get(reverse("home")).content.decode()
    assert reverse("cluster_report", args=[tay_bac.pk, 2022]) in body
    other = Association.objects.get(tier=Tier.CLUSTER, code="CUM03")
    assert reverse("cluster_report", args=[other.pk, 2022]) not in body
    assert other.name not in body


def test_a_reviewer_reaches_every_clusters_report(client):
    body = login(client, "trunguong").get(reverse("home")).content.decode()
    for cluster in Association.objects.of_tier(Tier.CLUSTER):
        assert cluster.name in body


def test_the_report_stays_vietnamese_in_the_english_interface(chair_client, conference):
    chair_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = chair_client.get(reverse("conference_report", args=[conference.pk]))
    assert "Download PDF" in r.content.decode()  # the portal around the report is English
    text = article_text(r.content)
    assert "BÁO CÁO" in text and "51.733 đồng/người" in text and "43,2 tỷ đồng" in text
    assert "trên 2,2 tỷ đồng" in text


def test_the_chair_starts_the_2023_conference_of_hoa_binh_from_the_cluster_page(chair_client, tay_bac):
    # As before the demo's later conferences: the article's is the last, so its next host and signer carry over.
    ClusterConference.objects.filter(cluster=tay_bac, year__gt=2022).delete()
    page = chair_client.get(reverse("conference_list", args=[tay_bac.pk])).content.decode()
    create = reverse("conference_create", args=[tay_bac.pk])
    assert f'href="{create}"' in page
    form = chair_client.get(create).context["form"]
    hoa_binh = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="17")
    assert (form["year"].value(), form["host"].value(), form["place"].value()) == (
        2023,
        hoa_binh.pk,
        "Hòa Bình",
    )
    assert form["signer_name"].value() == "Nguyễn Thị Kim Hải"


def test_the_pdf_renders_without_a_warning_from_weasyprint(chair_client, conference, caplog):
    # A rule WeasyPrint cannot read is dropped with a warning, and the PDF silently loses it.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        r = chair_client.get(reverse("conference_pdf", args=[conference.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []

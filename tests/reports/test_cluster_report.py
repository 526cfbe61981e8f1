import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Association, RoleKind, Tier
from associations.services import association_create
from funds.models import AnnualReturn
from reports.models import ClusterConference
from tests.conftest import make_user

# Every figure of the seed article (shared/seed/README.md) as the report must write it.
SEED_PHRASES = [
    "43,2 tỷ đồng",
    "51.733 đồng/người",
    "tăng 4.782 đồng so với năm 2021",
    "10,939 tỷ đồng",
    "12.196 đồng/người",
    "2,2 tỷ đồng",
    "4.719 đồng/người",
    "17.000 đồng/người",
    "20.000 đồng/người",
    "7,8 tỷ đồng",
    "hiện vật quy ra tiền 8 tỷ đồng",
    "10 suất",
    "Nhật Bản",
    "trị giá 5 tỷ đồng",
    "1,55 tỷ đồng",
    "10,3 tỷ đồng",
    "18,7 tỷ đồng",
    "Quỹ Hùng Vương",
    "11,1 tỷ đồng",
    "Cẩm Khê",
    "Tứ Xã",
    "10,5 tỷ đồng",
    "Làng Vân",
    "1,5 tỷ đồng",
    "Bùi Kim Đỉnh",
    "Nguyễn Mạnh Thản",
    "Cựu chiến binh",
    "dòng họ Lê",
    "dòng họ Dương",
    "100%",
    "50 triệu đồng",
    "100 triệu đồng",
    "Học không bao giờ cùng",
    "Nguyễn Thị Kim Hải",
    "Lê Mạnh Hùng",
    "Trần Đức Quý",
    "Yên Minh",
    "Hà Giang, ngày 29 tháng 11 năm 2022",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "trao cờ luân lưu cho Hội Khuyến học tỉnh Hòa Bình",
    "Chưa có báo cáo năm 2022",
]
MEMBERS = [
    "Hà Giang",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Hòa Bình",
    "Phú Thọ",
    "Tuyên Quang",
    "Yên Bái",
    "Lào Cai",
]


def _text(html: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", html.decode())
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def tay_bac(demo):
    return Association.objects.get(tier=Tier.CLUSTER, code="CUM01")


@pytest.fixture
def chair_client(client, demo):
    client.login(username="taybac", password="khuyenhoc-demo")
    return client


def test_it_shows_every_seed_figure_in_html(chair_client, tay_bac):
    r = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2022]))
    assert r.status_code == 200
    text = _text(r.content)
    missing = [p for p in SEED_PHRASES + MEMBERS if p not in text]
    assert not missing


def test_it_ranks_hoa_binh_first_and_leaves_son_la_unranked(chair_client, tay_bac):
    report = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2022])).context["report"]
    ranks = {m.association.short_name: m.rank for m in report.members}
    assert ranks["Hòa Bình"] == 1 and ranks["Điện Biên"] == 2 and ranks["Lai Châu"] == 5
    assert ranks["Sơn La"] is None and ranks["Tuyên Quang"] is None


def test_the_pdf_holds_the_seed_figures_with_embedded_fonts(chair_client, tay_bac):
    r = chair_client.get(reverse("cluster_report_pdf", args=[tay_bac.pk, 2022]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-tay-bac-2022.pdf"' in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) >= 2
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    missing = [p for p in SEED_PHRASES + MEMBERS if p not in text]
    assert not missing
    assert "Trang 1 / " in text
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values())
    assert any("Noto-Serif" in name for name in fonts)


def test_a_province_without_a_return_says_so(chair_client, tay_bac):
    html = _text(chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2022])).content)
    assert re.search(r"Tuyên Quang Chưa có báo cáo năm 2022", html)


def test_a_year_without_anything_has_empty_states(chair_client, tay_bac):
    r = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2019]))
    text = _text(r.content)
    assert r.status_code == 200
    assert "Chưa có thông tin về hội nghị" in text
    assert "Chưa tỉnh nào có đủ số liệu" in text


@pytest.mark.parametrize(
    ("username", "status"),
    [("taybac", 200), ("trunguong", 200), ("hagiang", 200)],
)
def test_it_is_readable_by_chair_reviewer_and_member_officer(client, tay_bac, username, status):
    client.login(username=username, password="khuyenhoc-demo")
    assert client.get(reverse("cluster_report", args=[tay_bac.pk, 2022])).status_code == status
    assert client.get(reverse("cluster_report_pdf", args=[tay_bac.pk, 2022])).status_code == status


def test_it_is_404_for_an_officer_of_another_cluster(client, tay_bac):
    ha_noi = Association.objects.get(tier=Tier.PROVINCE, code="01")
    client.force_login(make_user("hanoi", RoleKind.OFFICER, ha_noi))
    assert client.get(reverse("cluster_report", args=[tay_bac.pk, 2022])).status_code == 404
    assert client.get(reverse("cluster_report_pdf", args=[tay_bac.pk, 2022])).status_code == 404
    assert client.get(reverse("conference_edit", args=[tay_bac.pk, 2022])).status_code == 404


def test_it_is_404_for_a_node_that_is_not_a_cluster(chair_client, tay_bac):
    ha_giang = Association.objects.get(tier=Tier.PROVINCE, code="02")
    assert chair_client.get(reverse("cluster_report", args=[ha_giang.pk, 2022])).status_code == 404


def test_anonymous_is_sent_to_login(client, tay_bac):
    r = client.get(reverse("cluster_report", args=[tay_bac.pk, 2022]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_an_officer_inside_the_cluster_cannot_edit_the_conference(client, tay_bac):
    client.login(username="hagiang", password="khuyenhoc-demo")
    url = reverse("conference_edit", args=[tay_bac.pk, 2022])
    assert client.get(url).status_code == 403
    assert client.post(url, {"place": "Đổi"}).status_code == 403
    assert ClusterConference.objects.get(cluster=tay_bac, year=2022).place == "Hà Giang"


def test_the_chair_edits_the_conference(chair_client, tay_bac):
    hoa_binh = Association.objects.get(tier=Tier.PROVINCE, code="17")
    son_la = Association.objects.get(tier=Tier.PROVINCE, code="14")
    url = reverse("conference_edit", args=[tay_bac.pk, 2023])
    r = chair_client.post(
        url,
        {
            "date": "2023-11-20",
            "place": "Hòa Bình",
            "host": hoa_binh.pk,
            "next_host": son_la.pk,
            "directions": "A",
        },
    )
    assert r.status_code == 302
    conference = ClusterConference.objects.get(cluster=tay_bac, year=2023)
    assert (conference.host, conference.next_host, conference.place) == (hoa_binh, son_la, "Hòa Bình")


def test_a_host_outside_the_cluster_is_refused(chair_client, tay_bac):
    ha_noi = Association.objects.get(tier=Tier.PROVINCE, code="01")
    r = chair_client.post(reverse("conference_edit", args=[tay_bac.pk, 2023]), {"host": ha_noi.pk})
    assert r.status_code == 200
    assert not ClusterConference.objects.filter(cluster=tay_bac, year=2023).exists()


def test_the_report_query_count_does_not_grow_with_districts_and_communes(
    chair_client, tay_bac, django_assert_num_queries
):
    url = reverse("cluster_report", args=[tay_bac.pk, 2022])
    chair_client.get(url)
    # 1 session, 2 user, 3 the cluster (report access), 4 edit right, 5 conference, 6 member provinces,
    # 7-9 subtree totals (returns, scholarships, mobilised of provinces with a population),
    # 10 own returns, 11 fund balances, 12 local funds, 13 scholarships, 14 transfers
    with django_assert_num_queries(14):
        chair_client.get(url)
    lai_chau = Association.objects.get(tier=Tier.PROVINCE, code="12")
    for i in range(15):
        district = association_create(
            tier=Tier.DISTRICT, name=f"Huyện thử {i}", short_name=f"Thử {i}", code=f"T{i}", parent=lai_chau
        )
        commune = association_create(
            tier=Tier.COMMUNE, name=f"Xã thử {i}", short_name=f"Xã {i}", code=f"TX{i}", parent=district
        )
        AnnualReturn.objects.create(association=commune, year=2022, mobilised_cash=1_000_000, fund_balance=1)
    with django_assert_num_queries(14):
        assert chair_client.get(url).status_code == 200


def test_the_chairs_home_lists_the_report_years_with_pdf_links(chair_client, tay_bac):
    body = chair_client.get(reverse("home")).content.decode()
    assert reverse("cluster_report", args=[tay_bac.pk, 2022]) in body
    assert reverse("cluster_report_pdf", args=[tay_bac.pk, 2022]) in body


def test_an_officer_sees_only_the_report_of_their_own_cluster(client, tay_bac):
    client.login(username="hagiang", password="khuyenhoc-demo")
    body = client.get(reverse("home")).content.decode()
    assert reverse("cluster_report", args=[tay_bac.pk, 2022]) in body
    other = Association.objects.get(tier=Tier.CLUSTER, code="CUM03")
    assert reverse("cluster_report", args=[other.pk, 2022]) not in body
    assert other.name not in body


def test_a_reviewer_reaches_every_clusters_report(client, tay_bac):
    client.login(username="trunguong", password="khuyenhoc-demo")
    body = client.get(reverse("home")).content.decode()
    for cluster in Association.objects.of_tier(Tier.CLUSTER):
        assert cluster.name in body


def test_the_report_stays_vietnamese_in_the_english_interface(chair_client, tay_bac):
    chair_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = chair_client.get(reverse("cluster_report", args=[tay_bac.pk, 2022]))
    text = _text(r.content)
    assert "Download PDF" in text  # the portal around the report is English
    assert "BÁO CÁO TÓM TẮT" in text.upper() and "51.733 đồng/người" in text and "43,2 tỷ đồng" in text

"""The demo's cluster conferences: the Tây Bắc cluster's of 2022, as the seed article tells it; its
2023 and 2024 ones, whose hosts are public and the rest illustrative; its 2025 one, illustrative; and
Cụm 4 Bắc Trung Bộ's of 2025, whose date, place and host are public.
"""

from dataclasses import dataclass
from datetime import date

from associations.models import Association, Tier

from .models import ClusterConference, ConferenceKind
from .services import conference_save

TAY_BAC_2022 = {
    "date": date(2022, 11, 29),
    "place": "Hà Giang",
    "presided_by": (
        "Bà Nguyễn Thị Kim Hải, Ủy viên thường vụ Trung ương Hội Khuyến học Việt Nam, Cụm trưởng cụm thi đua "
        "Tây Bắc, Chủ tịch Hội Khuyến học Phú Thọ"
    ),
    "guests": "\n".join(
        [
            "Ông Lê Mạnh Hùng, Phó Chủ tịch kiêm Tổng Thư ký Hội Khuyến học Việt Nam, dự và chỉ đạo Hội nghị",
            "Ông Trần Đức Quý, Tỉnh ủy viên, Phó Chủ tịch UBND tỉnh Hà Giang",
            "Lãnh đạo Hội Khuyến học huyện Yên Minh (Hà Giang)",
            "Các Chủ tịch, Phó Chủ tịch và chuyên viên của 9 hội khuyến học tỉnh trong cụm",
        ]
    ),
    "summary": (
        "Các cấp hội trong cụm đã bám sát chủ trương, chính sách của Đảng, Nhà nước và nhiệm vụ phát triển kinh "
        "tế - xã hội của địa phương; công tác tuyên truyền được đổi mới; tổ chức Hội được củng cố; các tỉnh chú "
        "trọng xây dựng và phát triển các quỹ khuyến học, tạo nguồn lực để đẩy mạnh hoạt động của Hội."
    ),
    # The money and scholarships handed over, and the rotating flag, are stated by the report from
    # the figures and the next host; the events say only what no figure records.
    "events": "\n".join(
        [
            "Hội Khuyến học tỉnh Hà Giang báo cáo tổng hợp những kết quả nổi bật của các hội trong cụm.",
            "Phát biểu chỉ đạo Hội nghị, Phó Chủ tịch kiêm Tổng Thư ký Hội Khuyến học Việt Nam biểu dương thành "
            "tích các hội khuyến học cụm Tây Bắc và đề nghị các cấp hội tiếp tục đẩy mạnh xây dựng phong trào học "
            "tập, mô hình học tập trong năm 2023.",
        ]
    ),
    "directions": "\n".join(
        [
            "Tiếp tục tổ chức tốt công tác thông tin tuyên truyền về khuyến học, khuyến tài, xây dựng xã hội học "
            "tập; xây dựng các mô hình học tập trên cơ sở công nghệ thông tin hiện đại.",
            "Nâng cao chất lượng đội ngũ cán bộ, tăng số lượng hội viên, đáp ứng yêu cầu chuyển đổi số quốc gia.",
            "Tích cực vận động xây dựng quỹ khuyến học các cấp, quản lý và sử dụng quỹ hiệu quả.",
            "Hưởng ứng Giải thưởng “Nhân tài đất Việt” năm 2023 với chủ đề “Tôn vinh tài năng - Khơi nguồn sáng "
            "tạo”, trong đó có Giải thưởng “Khuyến học - Tự học thành tài”.",
        ]
    ),
    "doc_symbol": "BC-CTĐ1",
    "signer_authority": "TM. Cụm thi đua",
    "signer_title": "Cụm trưởng",
    "signer_name": "Nguyễn Thị Kim Hải",
    "recipients": "\n".join(
        [
            "- Trung ương Hội Khuyến học Việt Nam (để báo cáo);",
            "- Các hội khuyến học tỉnh trong cụm;",
            "- Lưu: VT.",
        ]
    ),
}


# The records after 2022 carry what is public and say that the rest is made up.
ILLUSTRATIVE_SUMMARY = (
    "Bản ghi minh họa: {public}; nội dung còn lại và số liệu của các hội trong cụm là minh họa, "
    "không phải số liệu thật của Hội."
)
ILLUSTRATIVE_RECIPIENTS = "\n".join(
    [
        "- Trung ương Hội Khuyến học Việt Nam (để báo cáo);",
        "- Các hội khuyến học tỉnh trong cụm;",
        "- Lưu: VT.",
    ]
)
TAY_BAC_LATER = {
    "presided_by": "Cụm trưởng cụm thi đua Tây Bắc",
    "doc_symbol": "BC-CTĐ1",
    "signer_authority": "TM. Cụm thi đua",
    "signer_title": "Cụm trưởng",
    "recipients": ILLUSTRATIVE_RECIPIENTS,
    "directions": "\n".join(
        [
            "Tiếp tục vận động xây dựng quỹ khuyến học các cấp, quản lý và sử dụng quỹ hiệu quả.",
            "Đẩy mạnh xây dựng các mô hình học tập: gia đình, dòng họ, cộng đồng, đơn vị học tập.",
        ]
    ),
}


@dataclass(frozen=True)
class DemoConference:
    cluster: str
    year: int
    data: dict
    host: str | None
    # (code, year the node is active in): the next host may be a province of the next era.
    next_host: tuple[str, int] | None


# Tây Bắc after 2022: (year, date, place = the host's seat, host code, next host, what is public).
# Only the hosts of 2023 and 2024 are public; everything else about these records is illustrative.
TAY_BAC_LATER_MEETINGS = [
    (2023, date(2023, 11, 24), "Hòa Bình", "17", ("14", 2024), "Hòa Bình đăng cai hội nghị năm 2023"),
    (2024, date(2024, 11, 22), "Sơn La", "14", ("15", 2025), "Sơn La đăng cai hội nghị năm 2024"),
    (2025, date(2025, 12, 5), "Lào Cai", "15", None, None),
]
AFTER_THE_REFORM_SUMMARY = (
    "Bản ghi minh họa: hội đăng cai, ngày họp, thành phần cụm sau sắp xếp năm 2025 và số liệu "
    "đều là minh họa, không phải số liệu thật của Hội."
)

CONFERENCES = [
    DemoConference("CUM01", 2022, TAY_BAC_2022, host="02", next_host=("17", 2023)),
    *(
        DemoConference(
            "CUM01",
            year,
            {
                **TAY_BAC_LATER,
                "date": held,
                "place": place,
                "summary": ILLUSTRATIVE_SUMMARY.format(public=public) if public else AFTER_THE_REFORM_SUMMARY,
            },
            host=host,
            next_host=next_host,
        )
        for year, held, place, host, next_host, public in TAY_BAC_LATER_MEETINGS
    ),
    DemoConference(
        "CUM04",
        2025,
        {
            "date": date(2025, 12, 13),
            "place": "Thanh Hóa",
            "presided_by": "Hội Khuyến học tỉnh Thanh Hóa, Cụm trưởng cụm thi đua số 4 Bắc Trung Bộ",
            "summary": ILLUSTRATIVE_SUMMARY.format(
                public=(
                    "hội nghị họp ngày 13/12/2025 tại Thanh Hóa, do Hội Khuyến học tỉnh Thanh Hóa đăng cai, "
                    "với các hội khuyến học tỉnh Thanh Hóa, Nghệ An, Hà Tĩnh và Quảng Trị"
                )
            ),
            "doc_symbol": "BC-CTĐ4",
            "signer_authority": "TM. Cụm thi đua",
            "signer_title": "Cụm trưởng",
            "recipients": ILLUSTRATIVE_RECIPIENTS,
        },
        host="38",
        next_host=None,
    ),
]


def _province(cluster: Association, code: str | None, year: int) -> Association | None:
    """The cluster's member province with this code in `year` (codes were reused after the reform)."""
    if code is None:
        return None
    return cluster.get_children().active_in(year).filter(code=code).first()


def load_conferences(*, user) -> tuple[int, int]:
    """Add, as `user` through the conference service, the demo conferences that are missing.

    Returns (added, present); a conference already stored (the cluster's giao ban of that year) is
    left as its cluster has made it.
    """
    added = present = 0
    for spec in CONFERENCES:
        cluster = (
            Association.objects.active_in(spec.year).filter(tier=Tier.CLUSTER, code=spec.cluster).first()
        )
        if cluster is None:
            continue
        if ClusterConference.objects.filter(
            cluster=cluster, year=spec.year, kind=ConferenceKind.REGULAR
        ).exists():
            present += 1
            continue
        data = {**spec.data, "year": spec.year, "kind": ConferenceKind.REGULAR}
        data["host"] = _province(cluster, spec.host, spec.year)
        data["next_host"] = _province(cluster, *spec.next_host) if spec.next_host else None
        conference_save(user=user, cluster=cluster, data=data)
        added += 1
    return added, present

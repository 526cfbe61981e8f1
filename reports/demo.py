"""The Tây Bắc cluster's 2022 conference, as the seed article tells it."""

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


def load_conferences(*, user) -> tuple[int, int]:
    """Add, as `user` through the conference service, the Tây Bắc 2022 conference if it is missing.

    Returns (added, present); a conference already stored is left as its cluster has made it.
    """
    cluster = Association.objects.active_in(2022).filter(tier=Tier.CLUSTER, code="CUM01").first()
    if cluster is None:
        return 0, 0
    if ClusterConference.objects.filter(cluster=cluster, year=2022, kind=ConferenceKind.REGULAR).exists():
        return 0, 1
    provinces = {p.code: p for p in cluster.get_children()}
    data = {**TAY_BAC_2022, "year": 2022, "kind": ConferenceKind.REGULAR}
    data["host"], data["next_host"] = provinces.get("02"), provinces.get("17")
    conference_save(user=user, cluster=cluster, data=data)
    return 1, 0

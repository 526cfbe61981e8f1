"""The seed article's figures and names, as the report must write them, and how to count them."""

import re
from collections import Counter

# Every figure of the seed article (shared/seed/README.md), as the report writes it, with how many
# facts carry it (Lào Cai and Điện Biên both raised "trên 12 tỷ"). "trên" is part of the figure.
SEED_FIGURES = Counter(
    {
        "43,2 tỷ đồng": 1,
        "51.733 đồng/người": 1,
        "tăng 4.782 đồng so với năm 2021": 1,
        "10,939 tỷ đồng": 1,
        "12.196 đồng/người": 1,
        "trên 2,2 tỷ đồng": 1,
        "4.719 đồng/người": 1,
        "trên 12 tỷ đồng": 2,
        "17.000 đồng/người": 1,
        "20.000 đồng/người": 1,
        "7,8 tỷ đồng": 1,
        "hiện vật quy ra tiền 8 tỷ đồng": 1,
        "10 suất": 1,
        "trị giá 5 tỷ đồng": 1,
        "1,55 tỷ đồng": 1,
        "110%": 1,
        "trên 10,3 tỷ đồng": 1,
        "18,7 tỷ đồng": 1,
        "11,1 tỷ đồng": 1,
        "trên 5 tỷ đồng": 1,
        "10,5 tỷ đồng": 1,
        "1,5 tỷ đồng": 1,
        "trên 1 tỷ đồng": 1,
        "100%": 1,
        "50 triệu đồng": 1,
        "100 triệu đồng": 1,
    }
)
SEED_NAMES = [
    "Quỹ Hùng Vương",
    "Cẩm Khê",
    "Tứ Xã",
    "Làng Vân",
    "Bùi Kim Đỉnh",
    "Nguyễn Mạnh Thản",
    "Cựu chiến binh",
    "dòng họ Lê",
    "dòng họ Dương",
    "Nhật Bản",
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
TY = 1_000_000_000

# The article's figures of each member province in đồng, from which the tests compute the results
# table themselves: cash, in kind, per inhabitant (the population is amount ÷ per inhabitant), the
# change of that figure, the local fund balances below the province, scholarships (awards, value),
# awards paid, facilities; `over` names the figures the article writes with "trên".
SEED_TABLE = {
    "Điện Biên": {"cash": 12 * TY, "per_inhabitant": 20_000, "over": {"cash"}},
    "Hà Giang": {"cash": 10_939_000_000, "per_inhabitant": 12_196},
    "Hòa Bình": {"cash": 43_200_000_000, "per_inhabitant": 51_733, "change": 4_782},
    "Lai Châu": {"cash": 2_200_000_000, "per_inhabitant": 4_719, "over": {"cash"}},
    "Lào Cai": {"cash": 12 * TY, "per_inhabitant": 17_000, "over": {"cash"}},
    # Cẩm Khê's "trên 5 tỷ" and Tứ Xã's 10,5 tỷ.
    "Phú Thọ": {"fund_balance": [5 * TY, 10_500_000_000], "over": {"fund_balance"}},
    "Sơn La": {"cash": 7_800_000_000, "in_kind": 8 * TY, "scholarships": (10, 5 * TY)},
    "Tuyên Quang": None,
    "Yên Bái": {"awards": 10_300_000_000, "facilities": 18_700_000_000, "over": {"awards"}},
}
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


def count(text: str, phrase: str) -> int:
    """Occurrences of `phrase` not inside a longer number ('1 tỷ đồng' is not in '11,1 tỷ đồng')."""
    return len(re.findall(rf"(?<![\d.,]){re.escape(phrase)}(?![\d])", text))


def seed_problems(text: str) -> list[str]:
    problems = [
        f"{p}: {count(text, p)}×, expected {n}" for p, n in SEED_FIGURES.items() if count(text, p) != n
    ]
    # Where the article says "trên", the bare figure never appears without it (nor inside another phrase).
    for phrase in (p for p in SEED_FIGURES if p.startswith("trên ")):
        bare = phrase.removeprefix("trên ")
        expected = sum(n for p, n in SEED_FIGURES.items() if count(p, bare))
        if count(text, bare) != expected:
            problems.append(f"{bare} without trên")
    return problems + [n for n in SEED_NAMES + MEMBERS if n not in text]

"""Illustrative figures for the years after the article: made up, plausible, and marked so in each return.

- 2023 and 2024: all-levels returns of the nine old Tây Bắc provinces, grown year on year from each
  one's 2022 figures (the article's where it gives them), of the six old Bắc Trung Bộ provinces, and of
  Vĩnh Phúc, which new Phú Thọ carries on beside Hòa Bình and old Phú Thọ;
- 2025: all-levels returns of the new provinces of the Tây Bắc and Bắc Trung Bộ clusters, grown from
  the sum of their predecessors' 2024 figures (the links of associations/data/successions_2025.csv),
  and a few own-level returns of new Tuyên Quang's communes.

Everything is worked out from the tables below in whole đồng, so two loads give the same figures.
"""

from associations.demo import REFORM_YEAR, read_successions
from associations.models import Tier

from .demo import TRIEU, TY, article_province_returns, load_returns
from .models import AnnualReturn
from .services import ReturnChanges

# Stored in every illustrative return, so that no page shows these figures without saying so.
ILLUSTRATIVE_NOTE = "Số liệu minh họa, không phải số liệu thật của Hội."

BASE_YEAR = 2022
YEARS_BEFORE_REFORM = (2023, 2024)
VINH_PHUC = "26"

# Old province code: the 2022 figures the article does not give (population, mobilised in cash).
# Populations are rounded official estimates; the amounts are made up at 10 000-40 000 đồng a person,
# the range of the article's own figures.
BASE_FILLS = {
    "14": {"population": 1_300_000},  # Sơn La: the article gives the amounts only
    "15": {"population": 840_000, "mobilised_cash": 14 * TY},  # Yên Bái: awards and facilities only
    "25": {"population": 1_500_000, "mobilised_cash": 28 * TY},  # Phú Thọ: a note only
    "08": {"population": 800_000, "mobilised_cash": 9 * TY},  # Tuyên Quang: not in the article
    VINH_PHUC: {"population": 1_200_000, "mobilised_cash": 31 * TY},
    "38": {"population": 3_720_000, "mobilised_cash": 88 * TY},  # Thanh Hóa
    "40": {"population": 3_410_000, "mobilised_cash": 102 * TY},  # Nghệ An
    "42": {"population": 1_320_000, "mobilised_cash": 49 * TY},  # Hà Tĩnh
    "44": {"population": 905_000, "mobilised_cash": 19 * TY},  # Quảng Bình
    "45": {"population": 645_000, "mobilised_cash": 13 * TY},  # Quảng Trị
    "46": {"population": 1_160_000, "mobilised_cash": 28 * TY},  # Thừa Thiên Huế
}

# The other amounts of a base year that has none, in % of the cash mobilised. In kind is not among
# them: adding it would make the total jump on the article's year instead of growing from it.
SHARES_OF_CASH = {"fund_balance": 140, "awards_paid": 55, "facilities": 35}

# Old province code: % growth of the amounts in 2023 and in 2024.
GROWTH_BEFORE_REFORM = {
    "02": (9, 7),
    "12": (14, 10),
    "11": (8, 6),
    "14": (11, 9),
    "17": (4, 5),
    "25": (7, 8),
    "08": (10, 8),
    "15": (9, 6),
    "10": (12, 9),
    VINH_PHUC: (6, 5),
    "38": (8, 7),
    "40": (6, 8),
    "42": (9, 6),
    "44": (10, 7),
    "45": (7, 9),
    "46": (5, 6),
}

# New province code (2025): % growth of the amounts on its predecessors' 2024 sum.
GROWTH_2025 = {"12": 8, "11": 6, "14": 7, "15": 9, "25": 5, "08": 8, "38": 7, "40": 6, "42": 8, "44": 9}

POPULATION_GROWTH = 1  # % a year, about the country's

# New Tuyên Quang's communes with a 2025 return of their own:
# code: (population, mobilised in cash, fund balance, awards paid), amounts in millions of đồng.
TUYEN_QUANG = "08"
TUYEN_QUANG_COMMUNES_2025 = {
    "00694": (24_000, 620, 850, 410),  # phường Hà Giang 1
    "00691": (21_500, 540, 700, 360),  # phường Hà Giang 2
    "02215": (27_000, 710, 980, 450),  # phường Minh Xuân
    "02509": (18_000, 380, 520, 240),  # phường Mỹ Lâm
    "00721": (16_500, 120, 150, 90),  # xã Đồng Văn
    "00820": (19_000, 150, 210, 110),  # xã Yên Minh
}


def _grown(value: int | None, percent: int, *, unit: int = TRIEU) -> int | None:
    """`value` grown by `percent`, to the nearest `unit`, in integers so that no rounding differs."""
    if value is None:
        return None
    return (value * (100 + percent) * 2 + 100 * unit) // (200 * unit) * unit


def base_figures() -> dict[str, dict[str, int]]:
    """Old province code: its 2022 figures, the article's first, then the fills, then the shares of cash."""
    article = {
        code: figures
        for (_tier, code, year), figures in article_province_returns().items()
        if year == BASE_YEAR
    }
    bases = {}
    for code in GROWTH_BEFORE_REFORM:
        given = {
            k: v
            for k, v in article.get(code, {}).items()
            if k in AnnualReturn.FIGURE_FIELDS and v is not None
        }
        base = {**BASE_FILLS.get(code, {}), **given}
        for name, share in SHARES_OF_CASH.items():
            base.setdefault(name, base["mobilised_cash"] * share // 100)
        bases[code] = base
    return bases


def province_figures() -> dict[tuple[str, int], dict[str, int]]:
    """(province code, year): the illustrative figures of 2023 and 2024 (old provinces) and 2025 (new ones)."""
    figures = {}
    previous = base_figures()
    for i, year in enumerate(YEARS_BEFORE_REFORM):
        for code, base in previous.items():
            percent = GROWTH_BEFORE_REFORM[code][i]
            figures[code, year] = {
                name: _grown(value, POPULATION_GROWTH, unit=1)
                if name == "population"
                else _grown(value, percent)
                for name, value in base.items()
            }
        previous = {code: figures[code, year] for code in previous}
    predecessors: dict[str, list[str]] = {}
    for (tier, old, _), (_, new, _) in read_successions():
        if tier == Tier.PROVINCE and new in GROWTH_2025:
            predecessors.setdefault(new, []).append(old)
    last = YEARS_BEFORE_REFORM[-1]
    for code, percent in GROWTH_2025.items():
        summed: dict[str, int] = {}
        for old in predecessors[code]:
            for name, value in figures[old, last].items():
                summed[name] = summed.get(name, 0) + value
        figures[code, REFORM_YEAR] = {
            name: _grown(value, POPULATION_GROWTH, unit=1) if name == "population" else _grown(value, percent)
            for name, value in summed.items()
        }
    return figures


def illustrative_returns() -> dict[tuple[str, str, int], ReturnChanges]:
    """(tier, code, year): every illustrative return, a year's before the next's (the outlier rule reads the year before)."""
    returns = {}
    for (code, year), figures in sorted(province_figures().items(), key=lambda kv: kv[0][1]):
        returns[Tier.PROVINCE, code, year] = ReturnChanges(
            figures={**figures, "coverage": AnnualReturn.Coverage.ALL, "notes": ILLUSTRATIVE_NOTE}
        )
    for code, (population, cash, balance, awards) in TUYEN_QUANG_COMMUNES_2025.items():
        returns[Tier.COMMUNE, code, REFORM_YEAR] = ReturnChanges(
            figures={
                "population": population,
                "mobilised_cash": cash * TRIEU,
                "fund_balance": balance * TRIEU,
                "awards_paid": awards * TRIEU,
                "coverage": AnnualReturn.Coverage.OWN,
                "notes": ILLUSTRATIVE_NOTE,
            }
        )
    return returns


def load_illustrative_figures(*, user) -> tuple[int, int, int]:
    """Add the illustrative returns that are missing (see funds.demo.load_returns)."""
    return load_returns(illustrative_returns(), user=user)

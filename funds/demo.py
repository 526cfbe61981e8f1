"""The figures of the Tây Bắc 2022 conference article, placed on their associations.

Where the article gives an amount and a per-inhabitant figure, the population stored is the one
the association must have used (amount ÷ per inhabitant, to the nearest person), so that the
portal's own per-inhabitant figures come out as the article's.
"""

from datetime import date

from associations.models import Association, Tier

from .models import AnnualReturn, Fund, Qualifier, Scholarship, Transfer
from .services import FundRow, OutlierError, ReturnChanges, ScholarshipRow, TransferRow, annual_return_save

TY = 1_000_000_000
TRIEU = 1_000_000
CONFERENCE_DAY = date(2022, 11, 29)


def implied_population(amount: int, per_inhabitant: int) -> int:
    return round(amount / per_inhabitant)


# (province code, year): return figures; "per_inhabitant" is turned into a population.
# A province's figures are the article's "toàn tỉnh" ones, so a return carrying one covers all levels;
# Phú Thọ's carries only a note (its balances sit on its funds, a district and a commune), so it stays
# own-level and what is below it adds up to its total.
RETURNS = {
    ("17", 2022): {
        "mobilised_cash": 43_200_000_000,
        "per_inhabitant": 51_733,
        "notes": "",
    },
    # 2021: the article gives only the per-inhabitant figure (51.733 − 4.782 = 46.951 đồng); the
    # amount is that figure times the 2022 population.
    ("17", 2021): {"per_inhabitant_only": 51_733 - 4_782, "population_from": ("17", 2022)},
    ("14", 2022): {
        "mobilised_cash": 7_800_000_000,
        "mobilised_in_kind": 8_000_000_000,
        "notes": "Quỹ học bổng Khuyến học của tỉnh tăng 110% so với năm trước.",
    },
    ("02", 2022): {
        "mobilised_cash": 10_939_000_000,
        "per_inhabitant": 12_196,
        "notes": "",
    },
    ("12", 2022): {
        "mobilised_cash": 2_200_000_000,
        "per_inhabitant": 4_719,
        "notes": "",
        "qualifiers": {"mobilised_cash": Qualifier.OVER},
    },
    ("15", 2022): {
        "awards_paid": 10_300_000_000,
        "facilities": 18_700_000_000,
        "notes": "",
        "qualifiers": {"awards_paid": Qualifier.OVER},
    },
    ("10", 2022): {
        "mobilised_cash": 12_000_000_000,
        "per_inhabitant": 17_000,
        "notes": "Số liệu chung của các cấp hội trong tỉnh.",
        "qualifiers": {"mobilised_cash": Qualifier.OVER},
    },
    ("11", 2022): {
        "mobilised_cash": 12_000_000_000,
        "per_inhabitant": 20_000,
        "notes": "",
        "qualifiers": {"mobilised_cash": Qualifier.OVER},
    },
    ("25", 2022): {
        "notes": "100% huyện, thị, thành, xã, phường, thị trấn, cơ quan đơn vị đều xây dựng "
        "được quỹ/học bổng khuyến học."
    },
}

# Fund balances below the province: (tier, code): fund balance at the end of 2022.
# The article's "trên" (over) is kept as a qualifier on the figure, not typed into a note.
LOCAL_FUND_BALANCES = {
    (Tier.DISTRICT, "235"): 5_000_000_000,  # Cẩm Khê: "trên 5 tỷ"
    (Tier.COMMUNE, "08536"): 10_500_000_000,  # Tứ Xã, Lâm Thao
}

LOCAL_FUND_QUALIFIERS = {(Tier.DISTRICT, "235"): {"fund_balance": Qualifier.OVER}}
FUND_QUALIFIERS = {
    "Quỹ khuyến học dòng họ Lê": Qualifier.OVER,
    "Quỹ khuyến học dòng họ Dương": Qualifier.OVER,
}

# (province code, fund name, kind, 2022 balance or None)
FUNDS = [
    ("25", "Quỹ Hùng Vương", Fund.Kind.NAMED, 11_100_000_000),
    ("25", "Học bổng Khuyến học Làng Vân", Fund.Kind.SCHOLARSHIP, 1_500_000_000),
    ("25", "Học bổng Bùi Kim Đỉnh", Fund.Kind.SCHOLARSHIP, None),
    ("25", "Học bổng doanh nhân Nguyễn Mạnh Thản", Fund.Kind.SCHOLARSHIP, None),
    ("25", "Học bổng nghĩa tình Cựu chiến binh", Fund.Kind.SCHOLARSHIP, None),
    ("25", "Quỹ khuyến học dòng họ Lê", Fund.Kind.CLAN, 1_000_000_000),
    ("25", "Quỹ khuyến học dòng họ Dương", Fund.Kind.CLAN, 1_000_000_000),
    ("14", "Quỹ học bổng Khuyến học Sơn La", Fund.Kind.SCHOLARSHIP, 1_550_000_000),
]


def demo_node(tier: str, code: str, year: int) -> Association | None:
    """The demo node with this code active in `year`, or None if it is no longer there.

    Codes were reused after the 2025 reform, so the year tells which unit a code names.
    """
    return Association.objects.active_in(year).filter(tier=tier, code=code).order_by("pk").first()


def article_province_returns() -> dict[tuple[str, str, int], dict]:
    """(tier, code, year): the figures of each province return of the article."""
    figures_of = {}
    populations = {}
    for (code, year), spec in sorted(RETURNS.items(), key=lambda kv: "per_inhabitant_only" in kv[1]):
        values = {k: spec[k] for k in AnnualReturn.FIGURE_FIELDS + ["notes", "qualifiers"] if k in spec}
        if "per_inhabitant" in spec:
            total = spec.get("mobilised_cash", 0) + spec.get("mobilised_in_kind", 0)
            values["population"] = implied_population(total, spec["per_inhabitant"])
            populations[code, year] = values["population"]
        if "per_inhabitant_only" in spec:
            values["population"] = populations[spec["population_from"]]
            values["mobilised_cash"] = spec["per_inhabitant_only"] * values["population"]
            # The note says where the figure comes from without restating one, so that no figure the
            # reports compute can be read off a note instead.
            values["notes"] = "Bài báo chỉ nêu mức tăng năm 2022; số năm 2021 suy ra từ mức tăng đó."
        has_figure = any(values.get(k) is not None for k in AnnualReturn.FIGURE_FIELDS)
        values["coverage"] = AnnualReturn.Coverage.ALL if has_figure else AnnualReturn.Coverage.OWN
        figures_of[Tier.PROVINCE, code, year] = values
    return figures_of


def demo_returns() -> dict[tuple[str, str, int], ReturnChanges]:
    """(tier, code, year): every return of the demo with the funds, scholarships and transfers it holds."""
    returns = {key: ReturnChanges(figures=figures) for key, figures in article_province_returns().items()}
    for (tier, code), balance in LOCAL_FUND_BALANCES.items():
        returns[tier, code, 2022] = ReturnChanges(
            figures={
                "fund_balance": balance,
                "qualifiers": LOCAL_FUND_QUALIFIERS.get((tier, code), {}),
                "coverage": AnnualReturn.Coverage.OWN,
            }
        )

    def attached(tier: str, code: str) -> ReturnChanges:
        return returns.setdefault((tier, code, 2022), ReturnChanges(figures={}))

    for code, name, kind, balance in FUNDS:
        attached(Tier.PROVINCE, code).funds.append(
            FundRow(name=name, kind=kind, balance=balance, qualifier=FUND_QUALIFIERS.get(name, ""))
        )
    attached(Tier.PROVINCE, "14").scholarships.append(
        ScholarshipRow(
            programme="Học bổng du học Nhật Bản", awards=10, total_value=5 * TY, in_kind=True, abroad=True
        )
    )
    central = demo_node(Tier.CENTRAL, "TW", CONFERENCE_DAY.year)
    for (tier, code), from_central, giver_name, amount, purpose in [
        ((Tier.DISTRICT, "028"), True, "", 50 * TRIEU, "Hỗ trợ Hội Khuyến học huyện Yên Minh"),
        (
            (Tier.PROVINCE, "02"),
            False,
            "Quỹ Khuyến học Việt Nam",
            100 * TRIEU,
            "Học bổng vào quỹ trao thưởng khuyến học Hà Giang",
        ),
        (
            (Tier.DISTRICT, "028"),
            True,
            "",
            None,
            "Học bổng “Học không bao giờ cùng” cho học sinh xuất sắc huyện Yên Minh",
        ),
    ]:
        giver_id = central.pk if from_central and central else None
        if from_central and giver_id is None:
            continue  # no giver left to name: the transfer would be refused
        attached(tier, code).transfers.append(
            TransferRow(
                purpose=purpose, amount=amount, giver_name=giver_name, giver_id=giver_id, date=CONFERENCE_DAY
            )
        )
    return returns


def _only_missing_rows(association: Association, year: int, changes: ReturnChanges) -> ReturnChanges:
    """The changes without the funds, scholarships and transfers already stored, which stay as they are."""
    funds = set(Fund.objects.filter(association=association).values_list("name", flat=True))
    programmes = set(
        Scholarship.objects.filter(association=association, year=year).values_list("programme", flat=True)
    )
    purposes = set(
        Transfer.objects.filter(recipient=association, year=year).values_list("purpose", flat=True)
    )
    return ReturnChanges(
        figures=changes.figures,
        funds=[row for row in changes.funds if row.name not in funds],
        scholarships=[row for row in changes.scholarships if row.programme not in programmes],
        transfers=[row for row in changes.transfers if row.purpose not in purposes],
    )


def load_returns(returns: dict[tuple[str, str, int], ReturnChanges], *, user) -> tuple[int, int, int]:
    """Add, as `user` through the figures service, those of `returns` that are missing; return (added, present, skipped).

    A return already stored belongs to its association: whatever was corrected, approved or removed in
    it or in what it holds stays so. One whose figures are fivefold off the previous year as stored
    (someone corrected that year) is skipped: the demo does not confirm an outlier for anyone.
    """
    added = present = skipped = 0
    for (tier, code, year), changes in returns.items():
        association = demo_node(tier, code, year)
        if association is None:
            continue
        if AnnualReturn.objects.filter(association=association, year=year).exists():
            present += 1
            continue
        try:
            annual_return_save(
                user=user,
                association=association,
                year=year,
                changes=_only_missing_rows(association, year, changes),
                expected_version=None,
            )
        except OutlierError:
            skipped += 1
            continue
        added += 1
    return added, present, skipped


def load_figures(*, user) -> tuple[int, int, int]:
    """Add the article's returns that are missing (see load_returns)."""
    return load_returns(demo_returns(), user=user)

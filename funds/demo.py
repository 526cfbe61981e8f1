"""The figures of the Tây Bắc 2022 conference article, placed on their associations.

Where the article gives an amount and a per-inhabitant figure, the population stored is the one
the association must have used (amount ÷ per inhabitant, to the nearest person), so that the
portal's own per-inhabitant figures come out as the article's.
"""

from datetime import date

from associations.models import Association, Tier

from .models import AnnualReturn, Fund, FundBalance, Qualifier, Scholarship, Transfer

TY = 1_000_000_000
TRIEU = 1_000_000
CONFERENCE_DAY = date(2022, 11, 29)


def implied_population(amount: int, per_inhabitant: int) -> int:
    return round(amount / per_inhabitant)


# (province code, year): return figures; "per_inhabitant" is turned into a population.
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


def _node(tier: str, code: str) -> Association:
    return Association.objects.active_in(2022).get(tier=tier, code=code)


def _upsert(model, lookup: dict, values: dict):
    """Create or update, saving only on a difference, so that a second load adds no history."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, k) == v for k, v in values.items()):
        return obj
    else:
        for k, v in values.items():
            setattr(obj, k, v)
    obj.full_clean()
    obj.save()
    return obj


def load_figures() -> None:
    """Place every figure of the seed article on its association (safe to run twice)."""
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
            values["notes"] = "Bình quân 46.951 đồng/người (suy ra từ mức tăng 4.782 đồng của năm 2022)."
        _upsert(AnnualReturn, {"association": _node(Tier.PROVINCE, code), "year": year}, values)

    for (tier, code), balance in LOCAL_FUND_BALANCES.items():
        qualifiers = LOCAL_FUND_QUALIFIERS.get((tier, code), {})
        _upsert(
            AnnualReturn,
            {"association": _node(tier, code), "year": 2022},
            {"fund_balance": balance, "qualifiers": qualifiers},
        )

    for code, name, kind, balance in FUNDS:
        fund = _upsert(Fund, {"association": _node(Tier.PROVINCE, code), "name": name}, {"kind": kind})
        qualifier = FUND_QUALIFIERS.get(name, "")
        _upsert(FundBalance, {"fund": fund, "year": 2022}, {"balance": balance, "qualifier": qualifier})

    _upsert(
        Scholarship,
        {"association": _node(Tier.PROVINCE, "14"), "year": 2022, "programme": "Học bổng du học Nhật Bản"},
        {"awards": 10, "total_value": 5 * TY, "in_kind": True, "abroad": True, "donor": ""},
    )

    central = Association.objects.get(tier=Tier.CENTRAL, code="TW")
    yen_minh = _node(Tier.DISTRICT, "028")
    ha_giang = _node(Tier.PROVINCE, "02")
    for recipient, giver, giver_name, amount, purpose in [
        (yen_minh, central, "", 50 * TRIEU, "Hỗ trợ Hội Khuyến học huyện Yên Minh"),
        (
            ha_giang,
            None,
            "Quỹ Khuyến học Việt Nam",
            100 * TRIEU,
            "Học bổng vào quỹ trao thưởng khuyến học Hà Giang",
        ),
        (
            yen_minh,
            central,
            "",
            None,
            "Học bổng “Học không bao giờ cùng” cho học sinh xuất sắc huyện Yên Minh",
        ),
    ]:
        _upsert(
            Transfer,
            {"recipient": recipient, "year": 2022, "purpose": purpose},
            {"giver": giver, "giver_name": giver_name, "amount": amount, "date": CONFERENCE_DAY},
        )

"""A small tree across the 2025 reform, its figures saved through the service, and the expected sums
computed here in plain Python over the stored AnnualReturn rows (never through funds.selectors).

central → cluster K → old Một (→ district Đông → communes An, Bình), old Hai (→ commune Cát), old Ba,
all until 2024; new Mới (predecessors Một and Hai, like new Phú Thọ) and new Ba (predecessor old Ba
alone, like Lai Châu), from 2025, under the same cluster. Mới's communes: Nhất (An and Bình), Nhì
(Bình: Bình was split between Nhất and Nhì), Tam (Cát whole).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from associations.models import Association, Succession, Tier
from associations.services import association_create
from funds.models import AnnualReturn, mobilised_total
from funds.services import ReturnChanges, ScholarshipRow, annual_return_save

OLD, NEW = 2024, 2025
TY = 1_000_000_000
ALL = AnnualReturn.Coverage.ALL

# (node, year): figures as the officers enter them. Hai's 2024 return is all levels (so Cát's is inside
# it); Nhì reports nothing.
FIGURES = {
    ("mot", 2023): dict(population=1_000_000, mobilised_cash=8 * TY),
    ("mot", OLD): dict(
        population=1_010_000, mobilised_cash=10 * TY, mobilised_in_kind=2 * TY, fund_balance=TY
    ),
    ("dong", OLD): dict(mobilised_cash=500_000_000),
    ("an", OLD): dict(population=5_000, mobilised_cash=40_000_000),
    ("binh", OLD): dict(population=7_000, mobilised_cash=60_000_000, mobilised_in_kind=5_000_000),
    ("hai", 2023): dict(population=400_000, mobilised_cash=3 * TY),
    ("hai", OLD): dict(population=410_000, mobilised_cash=5 * TY, fund_balance=2 * TY, coverage=ALL),
    ("cat", OLD): dict(population=3_000, mobilised_cash=30_000_000),
    ("ba_old", 2023): dict(population=290_000, mobilised_cash=1_200_000_000),
    ("ba_old", OLD): dict(population=300_000, mobilised_cash=1_500_000_000),
    ("moi", NEW): dict(population=1_500_000, mobilised_cash=19 * TY, fund_balance=4 * TY),
    ("ba", NEW): dict(population=305_000, mobilised_cash=1_800_000_000),
    ("nhat", NEW): dict(population=12_000, mobilised_cash=110_000_000),
    ("tam", NEW): dict(population=3_100, mobilised_cash=35_000_000),
}
SCHOLARSHIPS = {("mot", OLD): (4, 40_000_000), ("cat", OLD): (1, 5_000_000), ("moi", NEW): (6, 90_000_000)}


@dataclass
class Era:
    central: Association
    cluster: Association
    mot: Association
    hai: Association
    ba_old: Association
    dong: Association
    an: Association
    binh: Association
    cat: Association
    moi: Association
    ba: Association
    nhat: Association
    nhi: Association
    tam: Association

    def refresh(self) -> None:
        fresh = Association.objects.in_bulk([getattr(self, name).pk for name in self.__dataclass_fields__])
        for name in self.__dataclass_fields__:
            setattr(self, name, fresh[getattr(self, name).pk])


def build_era(*, extra_predecessors: int = 0) -> Era:
    """The two-era tree; `extra_predecessors` more old provinces merged into Mới (for query counts)."""
    node = association_create
    central = node(tier=Tier.CENTRAL, name="Trung ương Hội", short_name="Trung ương", code="TW")
    cluster = node(tier=Tier.CLUSTER, name="Cụm K", short_name="Cụm K", code="K", parent=central)

    def old(tier, name, code, parent):
        return node(
            tier=tier, name=f"Hội {name} cũ", short_name=name, code=code, parent=parent, active_until=OLD
        )

    def new(tier, name, code, parent):
        return node(tier=tier, name=f"Hội {name}", short_name=name, code=code, parent=parent, active_from=NEW)

    mot = old(Tier.PROVINCE, "Một", "01", cluster)
    hai = old(Tier.PROVINCE, "Hai", "02", cluster)
    ba_old = old(Tier.PROVINCE, "Ba", "03", cluster)
    dong = old(Tier.DISTRICT, "Đông", "011", mot)
    an = old(Tier.COMMUNE, "An", "0111", dong)
    binh = old(Tier.COMMUNE, "Bình", "0112", dong)
    cat = old(Tier.COMMUNE, "Cát", "0201", hai)
    moi = new(Tier.PROVINCE, "Mới", "01", cluster)
    ba = new(Tier.PROVINCE, "Ba", "03", cluster)
    nhat = new(Tier.COMMUNE, "Nhất", "0101", moi)
    nhi = new(Tier.COMMUNE, "Nhì", "0102", moi)
    tam = new(Tier.COMMUNE, "Tam", "0103", moi)
    links = [(mot, moi), (hai, moi), (ba_old, ba), (an, nhat), (binh, nhat), (binh, nhi), (cat, tam)]
    for i in range(extra_predecessors):
        extra = old(Tier.PROVINCE, f"Thêm {i}", f"9{i}", cluster)
        links.append((extra, moi))
    Succession.objects.bulk_create([Succession(predecessor=p, successor=s) for p, s in links])
    era = Era(central, cluster, mot, hai, ba_old, dong, an, binh, cat, moi, ba, nhat, nhi, tam)
    era.refresh()
    return era


def save_figures(era: Era, figures: dict = FIGURES, scholarships: dict = SCHOLARSHIPS) -> None:
    """Every return entered through funds.services.annual_return_save, as a central administrator."""
    admin = get_user_model().objects.filter(username="quantri-reform").first()
    admin = admin or get_user_model().objects.create_superuser("quantri-reform", password="pw")
    for (name, year), values in figures.items():
        awards = scholarships.get((name, year))
        rows = (
            [ScholarshipRow(programme="Học bổng", awards=awards[0], total_value=awards[1])] if awards else []
        )
        annual_return_save(
            user=admin,
            association=getattr(era, name),
            year=year,
            changes=ReturnChanges(figures=dict(values), scholarships=rows),
            expected_version=None,
            confirm_outliers=True,
        )


# The independent computation: parent links, active years and the returns, in plain Python.


def _active(node: Association, year: int) -> bool:
    return (node.active_from or 0) <= year <= (node.active_until or 9999)


def expected_total(node: Association, year: int) -> dict:
    """{field: value} of the node's total for `year` by the all-levels rule, from the stored rows."""
    nodes = list(Association.objects.all())
    returns = {(r.association_id, r.year): r for r in AnnualReturn.objects.filter(year=year)}
    children: dict[int, list[Association]] = {}
    for a in nodes:
        children.setdefault(a.parent_id, []).append(a)

    def total(n: Association) -> dict:
        own = returns.get((n.pk, year)) if _active(n, year) else None
        out = {f: (getattr(own, f) if own else None) for f in AnnualReturn.AMOUNT_FIELDS}
        # "Số hội đã báo cáo": every return in the subtree, also those an all-levels one includes.
        out["returns"] = 1 if own else 0
        for child in children.get(n.pk, []):
            if not _active(child, year):
                continue
            below = total(child)
            out["returns"] += below["returns"]
            if own is not None and own.coverage == ALL:
                continue
            for f in AnnualReturn.AMOUNT_FIELDS:
                if below[f] is not None:
                    out[f] = (out[f] or 0) + below[f]
        return out

    result = total(node)
    result["mobilised"] = mobilised_total(result["mobilised_cash"], result["mobilised_in_kind"])
    own = returns.get((node.pk, year)) if _active(node, year) else None
    result["population"] = own.population if own else None
    return result


def expected_from_predecessors(node: Association, year: int) -> dict:
    """The predecessors' totals for `year` added up; population and the money over it only of those
    that gave a population."""
    parts = [expected_total(p, year) for p in node.predecessors.all()]
    out = {}
    for f in [*AnnualReturn.AMOUNT_FIELDS, "mobilised"]:
        values = [p[f] for p in parts if p[f] is not None]
        out[f] = sum(values) if values else None
    with_population = [p for p in parts if p["population"]]
    out["population"] = sum(p["population"] for p in with_population) or None
    money = [p["mobilised"] for p in with_population if p["mobilised"] is not None]
    out["mobilised_with_population"] = sum(money) if money else None
    out["returns"] = sum(p["returns"] for p in parts)
    return out


def per_head(amount: int | None, population: int | None) -> int | None:
    """Rounded half up, computed with Decimal here rather than funds.selectors.per_head."""
    from decimal import ROUND_HALF_UP, Decimal

    if amount is None or not population:
        return None
    return int((Decimal(amount) / Decimal(population)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

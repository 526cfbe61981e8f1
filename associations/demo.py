"""The demo tree through the 2025 reform: the central node and its clusters, which last; the 63
provinces of 2022 with their districts and communes, active until 2024; and the 34 provinces of 2025
with their communes directly under them, active from 2025, linked to the units they carry on.

By default only the Tây Bắc cluster's districts and communes (2022) and the communes of its
successors and of Cụm 4 Bắc Trung Bộ (2025) are loaded; `full=True` loads every one.

Names and codes come from associations/data/units_2022.csv, units_2025.csv and successions_2025.csv,
derived from the MIT-licensed `vietnamadminunits` package (see scripts/build_units_fixture.py). The
grouping of provinces other than the Tây Bắc, Đồng bằng sông Hồng and Bắc Trung Bộ clusters is
illustrative, and so is the Tây Bắc cluster's membership from 2025.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q

from .models import Association, Succession, Tier, sort_key_for

DATA = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA / "units_2022.csv"
UNITS_2025_CSV = DATA / "units_2025.csv"
SUCCESSIONS_CSV = DATA / "successions_2025.csv"

# The first year of the tree after the reform, and the last of the one before it.
REFORM_YEAR = 2025
LAST_YEAR_BEFORE_REFORM = REFORM_YEAR - 1

CENTRAL = ("TW", "Hội Khuyến học Việt Nam", "Trung ương Hội")

# (code, name, short name, province codes until 2024, province codes from 2025). Cụm 1 (2022) is the
# seed's; Cụm 3 and Cụm 4 follow public reports of 2023 and 2025; Cụm 1 from 2025 and the other
# groupings are illustrative, by region.
CLUSTERS = [
    (
        "CUM01",
        "Cụm thi đua khuyến học số 1 Tây Bắc",
        "Tây Bắc",
        ["02", "12", "11", "14", "17", "25", "08", "15", "10"],
        ["12", "11", "14", "15", "25", "08"],
    ),
    (
        "CUM02",
        "Cụm thi đua khuyến học số 2 Đông Bắc",
        "Đông Bắc",
        ["04", "06", "19", "20", "22", "24", "30", "31"],
        ["04", "19", "20", "22", "24", "31"],
    ),
    (
        "CUM03",
        "Cụm thi đua khuyến học số 3 Đồng bằng sông Hồng",
        "Đồng bằng sông Hồng",
        ["01", "34", "27", "33", "37", "26", "35", "36"],
        ["01", "33", "37"],
    ),
    (
        "CUM04",
        "Cụm thi đua khuyến học số 4 Bắc Trung Bộ",
        "Bắc Trung Bộ",
        ["38", "40", "42", "44", "45", "46"],
        ["38", "40", "42", "44"],
    ),
    (
        "CUM05",
        "Cụm thi đua khuyến học số 5 Nam Trung Bộ",
        "Nam Trung Bộ",
        ["48", "49", "51", "52", "54", "56", "58", "60"],
        ["46", "48", "51", "56"],
    ),
    (
        "CUM06",
        "Cụm thi đua khuyến học số 6 Tây Nguyên",
        "Tây Nguyên",
        ["62", "64", "66", "67", "68"],
        ["52", "66", "68"],
    ),
    (
        "CUM07",
        "Cụm thi đua khuyến học số 7 Đông Nam Bộ",
        "Đông Nam Bộ",
        ["70", "72", "74", "75", "77", "79"],
        ["75", "79", "80"],
    ),
    (
        "CUM08",
        "Cụm thi đua khuyến học số 8 Tây Nam Bộ",
        "Tây Nam Bộ",
        ["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"],
        ["82", "86", "91", "92", "96"],
    ),
]
TAY_BAC = CLUSTERS[0]
BAC_TRUNG_BO = CLUSTERS[3]
ILLUSTRATIVE_CLUSTERS = {"CUM02", "CUM05", "CUM06", "CUM07", "CUM08"}
# Clusters whose membership from 2025 is illustrative too (Cụm 4's follows its 2025 conference).
ILLUSTRATIVE_CLUSTERS_2025 = ILLUSTRATIVE_CLUSTERS | {"CUM01", "CUM03"}

# The eras of the demo tree: (first year, last year) of the nodes read from each fixture.
ERA_2022 = (None, LAST_YEAR_BEFORE_REFORM)
ERA_2025 = (REFORM_YEAR, None)


@dataclass
class Unit:
    tier: str
    code: str
    name: str
    short_name: str
    parent_key: tuple[str, str, int | None] | None
    active_from: int | None = None
    active_until: int | None = None

    @property
    def key(self) -> tuple[str, str, int | None]:
        """(tier, code, first year): codes were reused after the reform, so the code alone is not enough."""
        return (self.tier, self.code, self.active_from)


def _read_era(path: Path, *, era: tuple[int | None, int | None], detailed: set[str] | None, clusters: int):
    """The provinces, districts and communes of one fixture, under the clusters of column `clusters`."""
    cluster_of = {p: c[0] for c in CLUSTERS for p in c[clusters]}
    first, last = era
    units = []
    district_province = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tier, code, parent = row["tier"], row["code"], row["parent_code"]
            name = f"Hội Khuyến học {row['unit']}"
            if tier == Tier.PROVINCE:
                parent_key = (Tier.CLUSTER, cluster_of[code], None)
                province = code
            elif tier == Tier.DISTRICT:
                district_province[code] = parent
                province = parent
                parent_key = (Tier.PROVINCE, parent, first)
            elif parent in district_province:
                province = district_province[parent]
                parent_key = (Tier.DISTRICT, parent, first)
            else:
                province = parent
                parent_key = (Tier.PROVINCE, parent, first)
            if tier == Tier.PROVINCE or detailed is None or province in detailed:
                units.append(Unit(tier, code, name, row["short_name"], parent_key, first, last))
    return units


def read_units(*, full: bool) -> list[Unit]:
    """Every unit of the demo tree, parents before children."""
    units = [Unit(Tier.CENTRAL, CENTRAL[0], CENTRAL[1], CENTRAL[2], None)]
    units += [Unit(Tier.CLUSTER, c[0], c[1], c[2], (Tier.CENTRAL, CENTRAL[0], None)) for c in CLUSTERS]
    units += _read_era(UNITS_CSV, era=ERA_2022, detailed=None if full else set(TAY_BAC[3]), clusters=3)
    detailed_2025 = None if full else set(TAY_BAC[4]) | set(BAC_TRUNG_BO[4])
    units += _read_era(UNITS_2025_CSV, era=ERA_2025, detailed=detailed_2025, clusters=4)
    return units


def read_successions() -> list[tuple[tuple[str, str, None], tuple[str, str, int]]]:
    """(old unit's key, new unit's key) for every link of the reform."""
    with SUCCESSIONS_CSV.open(encoding="utf-8") as f:
        return [
            ((row["tier"], row["predecessor_code"], None), (row["tier"], row["successor_code"], REFORM_YEAR))
            for row in csv.DictReader(f)
        ]


def _renumber(tree_id: int) -> None:
    """Recompute lft/rght/level of one tree in Python and write back only what changed.

    mptt's per-node insert shifts every row to its right, which is quadratic on 11,000 nodes.
    """
    nodes = list(
        Association.objects.filter(tree_id=tree_id).values_list(
            "pk", "parent_id", "sort_key", "lft", "rght", "level"
        )
    )
    children = defaultdict(list)
    roots = []
    for pk, parent_id, sort_key, *_ in nodes:
        (children[parent_id] if parent_id else roots).append((sort_key, pk))
    for kids in children.values():
        kids.sort()
    wanted = {}
    counter = 0
    stack = [(pk, 0, False) for _, pk in sorted(roots, reverse=True)]
    lft = {}
    while stack:
        pk, level, done = stack.pop()
        counter += 1
        if done:
            wanted[pk] = (lft[pk], counter, level)
            continue
        lft[pk] = counter
        stack.append((pk, level, True))
        stack.extend((child, level + 1, False) for _, child in reversed(children[pk]))
    changed = [
        Association(pk=pk, lft=wanted[pk][0], rght=wanted[pk][1], level=wanted[pk][2], tree_id=tree_id)
        for pk, _p, _s, lft_, rght_, level in nodes
        if (lft_, rght_, level) != wanted[pk]
    ]
    Association.objects.bulk_update(changed, ["lft", "rght", "level"], batch_size=500)


@transaction.atomic
def load_tree(*, full: bool = False) -> tuple[int, int]:
    """Create the nodes and successions of the demo tree that are missing; return (created, already there).

    A node is the demo's when it has the unit's tier, code and start year (none before the reform,
    2025 after it): it stays as it is, even closed or renamed. Only the MPTT columns of the tree's rows
    are renumbered around the new nodes. The first load of the 2025 provinces closes the demo's
    still-open nodes of the old tree at 2024, as the reform did; later loads leave them alone.
    """
    units = read_units(full=full)
    # An open node is read last, so that it wins over a closed one with the same key.
    existing = {
        (tier, code, active_from): pk
        for pk, tier, code, active_from in Association.objects.filter(
            Q(active_from__isnull=True) | Q(active_from=REFORM_YEAR)
        )
        .order_by(F("active_until").asc(nulls_last=True), "pk")
        .values_list("pk", "tier", "code", "active_from")
    }
    reform_is_new = not any(key[0] == Tier.PROVINCE and key[2] == REFORM_YEAR for key in existing)
    central_pk = existing.get((Tier.CENTRAL, CENTRAL[0], None))
    tree_id = (
        Association.objects.get(pk=central_pk).tree_id
        if central_pk
        else (Association.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    )
    if reform_is_new and central_pk:
        Association.objects.filter(
            tree_id=tree_id,
            tier__in=[Tier.PROVINCE, Tier.DISTRICT, Tier.COMMUNE],
            active_from__isnull=True,
            active_until__isnull=True,
        ).update(active_until=LAST_YEAR_BEFORE_REFORM)
    levels = defaultdict(list)
    depth = {Tier.CENTRAL: 0, Tier.CLUSTER: 1, Tier.PROVINCE: 2, Tier.DISTRICT: 3, Tier.COMMUNE: 4}
    for unit in units:
        if unit.key not in existing:
            levels[depth[unit.tier]].append(unit)
    created = 0
    for level in sorted(levels):
        objs = [
            Association(
                tier=u.tier,
                code=u.code,
                name=u.name,
                short_name=u.short_name,
                sort_key=sort_key_for(u.short_name),
                parent_id=existing[u.parent_key] if u.parent_key else None,
                active_from=u.active_from,
                active_until=u.active_until,
                tree_id=tree_id,
                lft=0,
                rght=0,
                level=level,
            )
            for u in levels[level]
        ]
        Association.objects.bulk_create(objs, batch_size=500)
        for u, obj in zip(levels[level], objs, strict=True):
            existing[u.key] = obj.pk
        created += len(objs)
    if created:
        _renumber(tree_id)
    links = [
        Succession(predecessor_id=existing[old], successor_id=existing[new])
        for old, new in read_successions()
        if old in existing and new in existing
    ]
    Succession.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    return created, len(units) - created

"""The national tree of 2022 for the demo: clusters, 63 provinces, and the districts and communes
of the Tây Bắc cluster (or of every province with `full=True`).

Names and codes come from associations/data/units_2022.csv, derived from the MIT-licensed
`vietnamadminunits` package (see scripts/build_units_fixture.py). The grouping of provinces other
than the Tây Bắc, Đồng bằng sông Hồng and Bắc Trung Bộ clusters is illustrative.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F

from .models import Association, Tier, sort_key_for

UNITS_CSV = Path(__file__).resolve().parent / "data" / "units_2022.csv"

CENTRAL = ("TW", "Hội Khuyến học Việt Nam", "Trung ương Hội")

# (code, name, short name, province codes). Cụm 1 is the seed's; Cụm 3 and Cụm 4 follow public
# reports of 2023 and 2025; the other groupings are illustrative, by region.
CLUSTERS = [
    (
        "CUM01",
        "Cụm thi đua khuyến học số 1 Tây Bắc",
        "Tây Bắc",
        ["02", "12", "11", "14", "17", "25", "08", "15", "10"],
    ),
    (
        "CUM02",
        "Cụm thi đua khuyến học số 2 Đông Bắc",
        "Đông Bắc",
        ["04", "06", "19", "20", "22", "24", "30", "31"],
    ),
    (
        "CUM03",
        "Cụm thi đua khuyến học số 3 Đồng bằng sông Hồng",
        "Đồng bằng sông Hồng",
        ["01", "34", "27", "33", "37", "26", "35", "36"],
    ),
    (
        "CUM04",
        "Cụm thi đua khuyến học số 4 Bắc Trung Bộ",
        "Bắc Trung Bộ",
        ["38", "40", "42", "44", "45", "46"],
    ),
    (
        "CUM05",
        "Cụm thi đua khuyến học số 5 Nam Trung Bộ",
        "Nam Trung Bộ",
        ["48", "49", "51", "52", "54", "56", "58", "60"],
    ),
    (
        "CUM06",
        "Cụm thi đua khuyến học số 6 Tây Nguyên",
        "Tây Nguyên",
        ["62", "64", "66", "67", "68"],
    ),
    (
        "CUM07",
        "Cụm thi đua khuyến học số 7 Đông Nam Bộ",
        "Đông Nam Bộ",
        ["70", "72", "74", "75", "77", "79"],
    ),
    (
        "CUM08",
        "Cụm thi đua khuyến học số 8 Tây Nam Bộ",
        "Tây Nam Bộ",
        ["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"],
    ),
]
TAY_BAC = CLUSTERS[0]
ILLUSTRATIVE_CLUSTERS = {"CUM02", "CUM05", "CUM06", "CUM07", "CUM08"}


@dataclass
class Unit:
    tier: str
    code: str
    name: str
    short_name: str
    parent_key: tuple[str, str] | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.tier, self.code)


def read_units(*, full: bool) -> list[Unit]:
    """Every unit of the demo tree, parents before children."""
    cluster_of = {p: c[0] for c in CLUSTERS for p in c[3]}
    detailed = None if full else set(TAY_BAC[3])
    units = [Unit(Tier.CENTRAL, CENTRAL[0], CENTRAL[1], CENTRAL[2], None)]
    units += [Unit(Tier.CLUSTER, c[0], c[1], c[2], (Tier.CENTRAL, CENTRAL[0])) for c in CLUSTERS]
    district_province = {}
    with UNITS_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tier, code, parent = row["tier"], row["code"], row["parent_code"]
            name = f"Hội Khuyến học {row['unit']}"
            if tier == Tier.PROVINCE:
                units.append(Unit(tier, code, name, row["short_name"], (Tier.CLUSTER, cluster_of[code])))
                continue
            if tier == Tier.DISTRICT:
                district_province[code] = parent
                province = parent
                parent_key = (Tier.PROVINCE, parent)
            else:
                province = district_province[parent]
                parent_key = (Tier.DISTRICT, parent)
            if detailed is None or province in detailed:
                units.append(Unit(tier, code, name, row["short_name"], parent_key))
    return units


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
    """Create the nodes of the demo tree that are missing; return (created, already there).

    A node is the demo's when it has the unit's tier and code and no start year (the demo's nodes
    have none): it stays as it is, even closed or renamed. Only the MPTT columns of the tree's rows
    are renumbered around the new nodes.
    """
    units = read_units(full=full)
    # An open node is read last, so that it wins over a closed one with the same key.
    existing = {
        (tier, code): pk
        for pk, tier, code in Association.objects.filter(active_from__isnull=True)
        .order_by(F("active_until").asc(nulls_last=True), "pk")
        .values_list("pk", "tier", "code")
    }
    central_pk = existing.get((Tier.CENTRAL, CENTRAL[0]))
    tree_id = (
        Association.objects.get(pk=central_pk).tree_id
        if central_pk
        else (Association.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    )
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
    return created, len(units) - created

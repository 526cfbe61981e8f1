"""Regenerate the committed tree fixtures from the vietnamadminunits package.

- associations/data/units_2022.csv: the 63 provinces with their districts and communes (2022-2024);
- associations/data/units_2025.csv: the 34 provinces and 3.321 communes of the 2025 reform;
- associations/data/successions_2025.csv: which old unit each new one carries on (provinces merged
  whole; a commune split across several new ones has a row for each).

Development only: the `dev` extra installs vietnamadminunits (MIT,
https://github.com/tranngocminhhieu/vietnamadminunits); then `python scripts/build_units_fixture.py`.
The portal reads the committed CSVs and never imports the package.
"""

import csv
import json
import os
import sqlite3
import sys
from pathlib import Path

import vietnamadminunits

DB = Path(os.path.dirname(vietnamadminunits.__file__)) / "data" / "dataset.db"
DATA = Path(__file__).resolve().parent.parent / "associations" / "data"
OUT = DATA / "units_2022.csv"
OUT_2025 = DATA / "units_2025.csv"
OUT_SUCCESSIONS = DATA / "successions_2025.csv"


def lower_type(full: str, unit_type: str) -> str:
    """'Huyện Yên Minh' -> 'huyện Yên Minh', so it reads after 'Hội Khuyến học'."""
    if unit_type and full.startswith(unit_type):
        return unit_type.lower() + full[len(unit_type) :]
    return full


def main() -> None:
    con = sqlite3.connect(DB)
    rows = con.execute(
        "select province, provinceShort, provinceCode, district, districtShort, districtType,"
        " districtCode, ward, wardShort, wardType, wardCode from admin_units_legacy"
        " order by provinceCode, districtCode, wardCode"
    ).fetchall()
    seen = set()
    out = []
    for p, ps, pc, d, ds, dt, dc, w, ws, wt, wc in rows:
        ptype = "Thành phố" if p.startswith("Thành phố") else "Tỉnh"
        if ("province", pc) not in seen:
            seen.add(("province", pc))
            out.append(("province", pc, lower_type(p, ptype), ps, ""))
        if ("district", dc) not in seen:
            seen.add(("district", dc))
            out.append(("district", dc, lower_type(d, dt), ds, pc))
        if wc and ("commune", wc) not in seen:
            seen.add(("commune", wc))
            out.append(("commune", wc, lower_type(w, wt), ws, dc))
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["tier", "code", "unit", "short_name", "parent_code"])
        writer.writerows(out)
    counts = {t: sum(1 for r in out if r[0] == t) for t in ("province", "district", "commune")}
    print(f"wrote {OUT}: {counts}", file=sys.stderr)
    build_2025(con)


def build_2025(con: sqlite3.Connection) -> None:
    """The 2025 tree (communes directly under provinces) and the old -> new links."""
    rows = con.execute(
        "select province, provinceShort, provinceCode, ward, wardShort, wardType, wardCode, provinceKey, wardKey"
        " from admin_units order by provinceCode, wardCode"
    ).fetchall()
    out = []
    new_province = {}
    new_ward = {}
    for p, ps, pc, w, ws, wt, wc, pk, wk in rows:
        ptype = "Thành phố" if p.startswith("Thành phố") else "Tỉnh"
        if pk not in new_province:
            new_province[pk] = pc
            out.append(("province", pc, lower_type(p, ptype), ps, ""))
        new_ward[(pk, wk)] = wc
        # The package swaps wardType on a few rows (Xã Vĩnh Hòa typed Phường): trust the name.
        wt = next((t for t in ("Phường", "Xã", "Đặc khu") if w.startswith(t + " ")), wt)
        out.append(("commune", wc, lower_type(w, wt), ws, pc))
    with OUT_2025.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["tier", "code", "unit", "short_name", "parent_code"])
        writer.writerows(out)

    old_province = {}
    old_ward = {}
    for pk, pc, dk, wk, wc in con.execute(
        "select provinceKey, provinceCode, districtKey, wardKey, wardCode from admin_units_legacy"
    ):
        old_province[pk] = pc
        if wc:
            old_ward[f"{pk}_{dk}_{wk}"] = wc
    converter = json.loads((DB.parent / "converter_2025.json").read_text(encoding="utf-8"))
    links = set()
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        links.update(("province", old_province[o], new_province[new_key]) for o in old_keys)
    for new_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            links.update(
                ("commune", old_ward[o], new_ward[(new_key, ward_key)]) for o in old_keys if o in old_ward
            )
    for new_key, splits in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in splits.items():
            if old_key in old_ward:
                links.update(
                    ("commune", old_ward[old_key], new_ward[(new_key, t["newWardKey"])]) for t in targets
                )
    with OUT_SUCCESSIONS.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["tier", "predecessor_code", "successor_code"])
        writer.writerows(sorted(links))
    counts = {t: sum(1 for r in out if r[0] == t) for t in ("province", "commune")}
    print(f"wrote {OUT_2025}: {counts}; {OUT_SUCCESSIONS}: {len(links)} links", file=sys.stderr)


if __name__ == "__main__":
    main()

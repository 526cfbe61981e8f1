"""Regenerate associations/data/units_2022.csv from the vietnamadminunits package.

Development only: `pip install vietnamadminunits` (MIT, https://github.com/tranngocminhhieu/vietnamadminunits)
in a throwaway virtual environment, then `python scripts/build_units_fixture.py`. The portal reads
the committed CSV and never imports the package.
"""

import csv
import os
import sqlite3
import sys
from pathlib import Path

import vietnamadminunits

DB = Path(os.path.dirname(vietnamadminunits.__file__)) / "data" / "dataset.db"
OUT = Path(__file__).resolve().parent.parent / "associations" / "data" / "units_2022.csv"


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


if __name__ == "__main__":
    main()

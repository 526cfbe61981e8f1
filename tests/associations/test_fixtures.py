"""The committed tree fixtures are what scripts/build_units_fixture.py writes from vietnamadminunits."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("vietnamadminunits", reason="vietnamadminunits (dev extra) is not installed")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "associations" / "data"
OUTPUTS = {"OUT": "units_2022.csv", "OUT_2025": "units_2025.csv", "OUT_SUCCESSIONS": "successions_2025.csv"}


def test_the_committed_fixtures_match_the_scripts_output(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "build_units_fixture", ROOT / "scripts" / "build_units_fixture.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for name, filename in OUTPUTS.items():
        monkeypatch.setattr(script, name, tmp_path / filename)
    script.main()
    for filename in OUTPUTS.values():
        assert (tmp_path / filename).read_bytes() == (DATA / filename).read_bytes(), filename

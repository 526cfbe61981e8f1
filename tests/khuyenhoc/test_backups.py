"""Backups: a dump restored into an empty database gives every node the same totals for every year."""

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max, Min

from associations.models import Association
from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from khuyenhoc import backups

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def all_totals() -> dict:
    """{year: {node id: totals}} for every node, from the first year with a return to the year after the last."""
    bounds = AnnualReturn.objects.aggregate(lo=Min("year"), hi=Max("year"))
    ids = list(Association.objects.values_list("pk", flat=True))
    totals = {
        year: {pk: asdict(t) for pk, t in subtree_totals(year=year, nodes=ids).items()}
        for year in range(bounds["lo"], bounds["hi"] + 2)
    }
    return json.loads(json.dumps(totals))  # the same key types as the copy read back from a subprocess


@pytest.fixture
def figures():
    """The demo tree and figures, whose years run on so that changes on last year are compared too."""
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    assert AnnualReturn.objects.filter(year=2023).count() > 5


@contextlib.contextmanager
def empty_database(tmp_path: Path):
    """The URL of a new, empty database of the same kind as the test database; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    params = {k.lower(): db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
        yield f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "khuyenhoc.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _totals_in(database_url: str) -> dict:
    code = (
        "import django, json; django.setup(); "
        "from tests.khuyenhoc.test_backups import all_totals; print(json.dumps(all_totals()))"
    )
    return json.loads(_manage(database_url, "-c", code).strip().splitlines()[-1])


def test_it_restores_a_dump_into_an_empty_database_with_every_total_intact(figures, tmp_path):
    expected = all_totals()
    dump = tmp_path / ("khuyenhoc.dump" if connection.vendor == "postgresql" else "khuyenhoc.sqlite3")
    call_command("backup", str(dump), "--no-media", stdout=io.StringIO())
    with empty_database(tmp_path) as url:
        _manage(url, "manage.py", "restore", str(dump), "--yes")
        restored = _totals_in(url)
    assert restored == expected
    assert any(t["mobilised_cash"] for year in expected.values() for t in year.values())


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "not-a-dump"
    bogus.write_text("hello")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes", stdout=io.StringIO())


def test_it_archives_and_restores_the_files_under_media_root(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    issued = settings.MEDIA_ROOT / "reports" / "2022" / "tay-bac-v1.pdf"
    issued.parent.mkdir(parents=True)
    issued.write_bytes(b"%PDF-1.7 issued")
    dump = tmp_path / "khuyenhoc.dump"
    archive = backups.backup_media(dump)
    assert archive == backups.media_archive_for(dump)
    issued.unlink()
    backups.restore_media(dump)
    assert issued.read_bytes() == b"%PDF-1.7 issued"

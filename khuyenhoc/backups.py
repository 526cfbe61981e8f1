"""Backups of the configured database, and of the files kept under MEDIA_ROOT.

PostgreSQL: `pg_dump --format=custom`, put back with `pg_restore` in one transaction.
SQLite: the online backup API (`sqlite3.Connection.backup`), consistent while the site runs.
Files (issued reports) never change once written, so an archive taken after the database dump
holds every file the dump refers to.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    pass


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def default_path() -> Path:
    """BACKUP_DIR/khuyenhoc-YYYYmmdd-HHMMSS.dump (PostgreSQL) or .sqlite3."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BACKUP_DIR) / f"khuyenhoc-{stamp}.{'dump' if is_postgresql() else 'sqlite3'}"


def media_archive_for(path: Path) -> Path:
    return path.with_name(path.name + ".media.tar.gz")


def backup_database(path: Path) -> Path:
    """Write a dump of the configured database to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgresql():
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return path


def restore_database(path: Path) -> None:
    """Replace the configured database's contents with the dump at `path`."""
    _check_format(path)
    if is_postgresql():
        connection.close()  # pg_restore --clean drops tables this connection may hold
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(path),
            ]
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def backup_media(path: Path) -> Path | None:
    """Archive MEDIA_ROOT beside the database dump; None when there is nothing to keep."""
    media = Path(settings.MEDIA_ROOT)
    if not media.is_dir() or not any(media.iterdir()):
        return None
    archive = media_archive_for(path)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media, arcname=".")
    return archive


def restore_media(path: Path) -> Path | None:
    """Unpack the archive beside `path` into MEDIA_ROOT, if there is one."""
    archive = media_archive_for(path)
    if not archive.exists():
        return None
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(media, filter="data")  # refuses absolute paths, "..", devices and links out
    return archive


def _check_format(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"Không có tệp {path}.")
    magic = path.open("rb").read(16)
    wanted = b"PGDMP" if is_postgresql() else b"SQLite format 3\x00"
    if not magic.startswith(wanted):
        kind = "pg_dump --format=custom" if is_postgresql() else "SQLite"
        raise BackupError(f"{path} không phải bản sao lưu {kind} (the file is not a {kind} backup).")


def _run(command: list[str]) -> None:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} không có trên máy này (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")

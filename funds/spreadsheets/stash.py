"""Uploaded files kept between the preview and the confirmation, under a random token.

They go through Django's storage API, since the worker that checks and writes the file (a task,
funds/import_jobs.py) may run on another machine than the request that received it:
`STORAGES["imports"]` when it is configured (a storage every application server and worker shares,
such as django-storages' S3), otherwise a private directory, IMPORT_STASH_DIR or imports/ under
MEDIA_ROOT (a folder the servers share when they share MEDIA_ROOT). A file left by a preview that
was never confirmed nor cancelled is removed a day later.
"""

import re
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from core.storage import delete_older_than, private_storage

MAX_AGE = timedelta(days=1)
TOKEN = re.compile(r"[0-9a-f]{32}")


def _storage() -> Storage:
    path = Path(getattr(settings, "IMPORT_STASH_DIR", "") or Path(settings.MEDIA_ROOT) / "imports")
    return private_storage("imports", path, "IMPORT_STASH_DIR")


def stash_put(content: bytes) -> str:
    """Keep the file; returns its token. Removes the files of previews older than a day."""
    storage = _storage()
    delete_older_than(storage, MAX_AGE)
    token = secrets.token_hex(16)
    storage.save(token, ContentFile(content))
    return token


def stash_get(token: str) -> bytes | None:
    """The file kept under `token`, or None when it is gone."""
    if not TOKEN.fullmatch(token):
        return None
    storage = _storage()
    try:
        with storage.open(token) as stashed:
            return stashed.read()
    except FileNotFoundError:
        return None


def stash_drop(token: str) -> None:
    if TOKEN.fullmatch(token):
        _storage().delete(token)

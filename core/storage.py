"""Private storages for files the portal keeps a short while (uploads awaiting import, built downloads)."""

import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone


def private_storage(alias: str, path: Path, setting: str) -> Storage:
    """`STORAGES[alias]` when configured (shared by every server and worker), else a 0700 directory at `path`."""
    if alias in settings.STORAGES:
        return storages[alias]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # In a shared folder someone else could have created the directory first, to read the files.
    if path.stat().st_uid != os.getuid():
        raise ImproperlyConfigured(f"{path} belongs to another user; set {setting}.")
    path.chmod(0o700)
    return FileSystemStorage(location=path, file_permissions_mode=0o600, directory_permissions_mode=0o700)


def delete_older_than(storage: Storage, age: timedelta) -> None:
    """Remove the files at the storage's top level last modified more than `age` ago."""
    cutoff = timezone.now() - age
    for name in storage.listdir("")[1]:
        if storage.get_modified_time(name) < cutoff:
            storage.delete(name)

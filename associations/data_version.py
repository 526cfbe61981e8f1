"""The data version: one counter that every write bumps in its own transaction, and the cache keyed on it.

A computed piece (a ranking's rows, a report's document) is cached under a key holding the version
read before it is computed. A write bumps the version inside the transaction that writes, so once it
commits every reader reads the new version and misses the old entries: a saved figure shows on the
very next request, with no invalidation to forget and nothing run after the commit. A write that
commits while a piece is being computed leaves at worst newer data under the older key, never older
data under the newer one.

The bump is an UPDATE of one row, so it holds that row until the commit: it runs last in the
outermost write (`writes_data`), where the writer holds everything else it needs already and waits
for no one else while it holds the counter.
"""

import contextvars
import functools
import hashlib
import time
from collections.abc import Callable, Hashable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from .models import DataVersion

# How deep the current call is in write services; only the outermost bumps.
_depth = contextvars.ContextVar("data_write_depth", default=0)
# Entries outlive no version anyway; the timeout only returns the memory of versions nobody reads.
TIMEOUT = 60 * 60


def bump_data_version() -> None:
    """Count a write; call it inside the writing transaction (write services get it from `writes_data`)."""
    if not DataVersion.objects.filter(pk=1).update(n=F("n") + 1):
        # The row is made by the migration; a flushed database has none, and starts again on the clock.
        DataVersion.objects.get_or_create(pk=1, defaults={"n": _clock()})


def _clock() -> int:
    return time.time_ns() // 1000


def restart_data_version() -> None:
    """Move the version past every one used before, after the database is put back from a backup.

    A restored database brings back an old version, under which a shared cache (or a running server's
    own) may hold figures of the data the restore replaced. The time in microseconds is beyond any
    count of writes since the last restart, which itself started from an earlier time.
    """
    if not DataVersion.objects.filter(pk=1).update(n=_clock()):
        DataVersion.objects.create(pk=1, n=_clock())


def writes_data(func: Callable) -> Callable:
    """`transaction.atomic` for a write service, bumping the data version at its end in the same transaction.

    A write service called from another (fund_delete deleting each balance) leaves the bump to the
    outermost one, so that a transaction bumps once and holds the counter only at its end.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            token = _depth.set(_depth.get() + 1)
            try:
                result = func(*args, **kwargs)
            finally:
                _depth.reset(token)
            if _depth.get() == 0:
                bump_data_version()
            return result

    return wrapper


def data_version() -> int:
    """The current version (one query); 0 before any row exists."""
    return DataVersion.objects.filter(pk=1).values_list("n", flat=True).first() or 0


def versioned(name: str, *parts: Hashable, compute: Callable):
    """`compute()`, or its result cached for `name` and `parts` at the current data version.

    Cache only what is the same for every user (apply a user's scope to what comes back), and only
    plain data that pickles: dataclasses, dicts, model instances, never a queryset.
    """
    # The database's name too: two sites (or two test runs) may share one Redis.
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
    key = ":".join(str(p) for p in ("data", database, data_version(), name, *parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value

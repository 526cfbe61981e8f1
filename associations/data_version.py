"""The data versions: counters that every write bumps in its own transaction, and the cache keyed on them.

A computed piece (a ranking's rows, a report's document) is cached under a key holding the versions
read before it is computed. A write bumps them inside the transaction that writes, so once it commits
every reader reads the new versions and misses the old entries: a saved figure shows on the very next
request, with no invalidation to forget and nothing run after the commit. A write that commits while
a piece is being computed leaves at worst newer data under the older key, never older data under the
newer one.

There is one counter per year of figures and one (year 0) for everything else. A write service says
which years it writes (`touches_years`); one that says nothing bumps year 0, which every key holds,
so forgetting to say costs only cache hits, never freshness. A piece names the years it reads
(a year's report reads the year before too, for the change on it): in the reporting season the
officers' saves to this year's returns leave last year's reports and rankings cached.

The bump is an UPDATE of a few rows (after an INSERT of those missing), so it holds them until the commit: it runs last in the
outermost write (`writes_data`), where the writer holds everything else it needs already and waits
for no one else while it holds the counters.
"""

import contextvars
import functools
import hashlib
import time
from collections.abc import Callable, Hashable, Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from .models import DataVersion

# How deep the current call is in write services; only the outermost bumps.
_depth = contextvars.ContextVar("data_write_depth", default=0)
# The years the current outermost write has said it writes.
_years: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "data_write_years", default=frozenset()
)
# Year 0's counter: writes tied to no single year, and writes that did not say.
EVERYTHING = 0
# Entries outlive no version anyway; the timeout only returns the memory of versions nobody reads.
TIMEOUT = 60 * 60


def bump_data_version(years: Iterable[int] = ()) -> None:
    """Count a write of `years` (of everything when empty); call it inside the writing transaction
    (write services get it from `writes_data`)."""
    keys = sorted(set(years)) or [EVERYTHING]
    # A year's first write makes its row, starting on the clock: past any count a flushed or restored
    # database used before. A concurrent first writer's row is waited for and then counted, so that
    # neither write goes uncounted. Two statements whether or not the rows exist, so that a write's
    # queries are the same in every year.
    DataVersion.objects.bulk_create([DataVersion(year=y, n=_clock()) for y in keys], ignore_conflicts=True)
    DataVersion.objects.filter(year__in=keys).update(n=F("n") + 1)


def touches_years(*years: int) -> None:
    """Say, inside a write service, which years of figures it writes (see the module's docstring)."""
    if _depth.get():
        _years.set(_years.get() | {int(y) for y in years})


def _clock() -> int:
    return time.time_ns() // 1000


def restart_data_version() -> None:
    """Move the version past every one used before, after the database is put back from a backup.

    A restored database brings back an old version, under which a shared cache (or a running server's
    own) may hold figures of the data the restore replaced. The time in microseconds is beyond any
    count of writes since the last restart, which itself started from an earlier time.
    """
    if not DataVersion.objects.filter(year=EVERYTHING).update(n=_clock()):
        DataVersion.objects.create(year=EVERYTHING, n=_clock())


def writes_data(func: Callable) -> Callable:
    """`transaction.atomic` for a write service, bumping the data version at its end in the same transaction.

    A write service called from another (fund_delete deleting each balance) leaves the bump to the
    outermost one, so that a transaction bumps once, the union of the years its services said, and
    holds the counters only at its end.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            outermost = _depth.get() == 0
            token = _depth.set(_depth.get() + 1)
            years = _years.set(frozenset()) if outermost else None
            try:
                result = func(*args, **kwargs)
                touched = _years.get()
            finally:
                _depth.reset(token)
                if years is not None:
                    _years.reset(years)
            if outermost:
                bump_data_version(touched)
            return result

    return wrapper


def data_version(year: int = EVERYTHING) -> int:
    """One counter's value (one query); 0 before its row exists."""
    return DataVersion.objects.filter(year=year).values_list("n", flat=True).first() or 0


def _versions(years: Iterable[int]) -> str:
    """The counters a key holds, in one query: year 0's and those of `years`."""
    wanted = sorted({EVERYTHING, *years})
    found = dict(DataVersion.objects.filter(year__in=wanted).values_list("year", "n"))
    return ",".join(f"{y}.{found.get(y, 0)}" for y in wanted)


def versioned_key(name: str, *parts: Hashable, years: Iterable[int]) -> str:
    """The cache key of `name` and `parts` at the current versions of `years` (one query).

    Templates pass it to `{% cache %}` to keep a rendered table beside the data it shows.
    """
    # The database's name too: two sites (or two test runs) may share one Redis.
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
    key = ":".join(str(p) for p in ("data", database, _versions(years), name, *parts))
    if len(key) > 200 or any(c.isspace() for c in key):  # memcached's limit is 250, and no spaces
        key = "data:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def cached_value(key: str, *, compute: Callable):
    """`compute()`, or its result cached under `key` (from versioned_key)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def versioned(name: str, *parts: Hashable, years: Iterable[int], compute: Callable):
    """`compute()`, or its result cached for `name` and `parts` at the current versions of `years`.

    `years` are all the years of figures `compute` reads. Cache only what is
    the same for every user (apply a user's scope to what comes back), and only plain data that
    pickles: dataclasses, dicts, model instances, never a queryset.
    """
    return cached_value(versioned_key(name, *parts, years=years), compute=compute)

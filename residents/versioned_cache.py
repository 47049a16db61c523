"""Reference data every request re-reads (a user's memberships, the categories, SMS templates),
kept in the cache under a version number that any change bumps.

    value = versioned("places", str(user.pk), compute)   # one cache round trip when warm
    bump("places")                                        # on save or delete of what it is made of

One MGET reads the version and the entry together (only the version, once this process holds the
entry); an entry made under an older version is computed again. A change bumps the version at
once and again when its transaction commits, so an entry computed from the uncommitted state in
between is outdated too. With the database as the cache (the embedded default) a cache read is
itself a query: then values are computed each time. A cache that fails answers from the database
as if nothing were cached.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

logger = logging.getLogger(__name__)
T = TypeVar("T")

TIMEOUT = 3600  # seconds an entry lives without a bump (a safety net: bumps are what invalidate)


def enabled() -> bool:
    """Whether values are cached (not with the database as the cache: a read there is a query)."""
    from django.core.cache import caches

    return not isinstance(caches["default"], DatabaseCache)


def _version_key(name: str) -> str:
    return f"doorstep:version:{name}"


# Entries this process has read, by key: while the version in the cache is theirs, only the version
# is fetched, not the pickled value (unpickling the categories' model instances cost more than the
# round trip). The values are shared by the process's requests: callers treat them as read-only.
# Like the cache's copies, they live at most TIMEOUT seconds (a bump lost to a cache outage, or made
# by a transaction that rolled back, outdates nothing: the age limit does).
_LOCAL: OrderedDict[str, tuple[int, object, float]] = OrderedDict()
_LOCAL_LOCK = threading.Lock()  # runserver and the test's live server answer in threads
LOCAL_ENTRIES = 2048


def _local(entry_key: str) -> tuple[int, object] | None:
    with _LOCAL_LOCK:
        held = _LOCAL.get(entry_key)
        if held is None:
            return None
        if held[2] < time.monotonic():
            del _LOCAL[entry_key]
            return None
        _LOCAL.move_to_end(entry_key)
        return held[0], held[1]


def _keep_local(entry_key: str, entry: tuple[int, object]) -> None:
    with _LOCAL_LOCK:
        _LOCAL[entry_key] = (entry[0], entry[1], time.monotonic() + TIMEOUT)
        _LOCAL.move_to_end(entry_key)
        if len(_LOCAL) > LOCAL_ENTRIES:
            _LOCAL.popitem(last=False)


# A web request reads the versions once: its first read fetches every name's version in one MGET,
# and its later reads (places, categories, an SMS template, …) use them — as if all were read when
# the request began. A bump in this process forgets its name's version. Outside a web request (a
# task, a shell) each read asks the cache.
_request = threading.local()


@receiver(request_started, dispatch_uid="versioned-cache-request-started")
def _request_started(**kwargs) -> None:
    _request.versions = {}


@receiver(request_finished, dispatch_uid="versioned-cache-request-finished")
def _request_finished(**kwargs) -> None:
    _request.versions = None


def _known_version(name: str) -> int | None:
    """The version this request read of `name` (reading every name's on the first ask), or None
    outside a web request."""
    read = getattr(_request, "versions", None)
    if read is None:
        return None
    if name not in read:
        names = sorted(NAMES | {name})
        found = _read_versions(names)
        if found is None:
            return None
        read.update(zip(names, found, strict=True))
    return read[name]


def _read_versions(names: list[str]) -> list[int] | None:
    keys = [_version_key(name) for name in names]
    got = cache.get_many(keys)
    for key in keys:
        if got.get(key) is None:
            cache.add(key, time.time_ns(), None)
            got[key] = cache.get(key)
    found = [got.get(key) for key in keys]
    return None if None in found else found


def versioned(name: str, key: str, compute: Callable[[], T]) -> T:
    """The cached value of `name`/`key` made under the current version, or compute() (and keep it)."""
    if not enabled():
        return compute()
    NAMES.add(name)  # a request's first read of versions reads this one's too
    version_key, entry_key = _version_key(name), f"doorstep:{name}:{key}"
    local = _local(entry_key)
    try:
        if local is not None:
            known = _known_version(name)
            if known is None:  # outside a web request: this name's version alone
                known = (_read_versions([name]) or [None])[0]
            if known == local[0]:
                return local[1]
        # Not held here, or outdated: the cache may hold the current entry (another process made it).
        got = cache.get_many([version_key, entry_key])
        version = got.get(version_key)
        if version is None:
            cache.add(version_key, time.time_ns(), None)
            version = cache.get(version_key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the database answers
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    entry = got.get(entry_key)
    if entry is not None and version is not None and entry[0] == version:
        _keep_local(entry_key, entry)
        return entry[1]
    value = compute()
    if version is not None:
        _keep_local(entry_key, (version, value))
        try:
            cache.set(entry_key, (version, value), TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable for %s", name, exc_info=True)
    return value


def versions(names: list[str]) -> list[int] | None:
    """The current version of each name (one MGET; a name without one gets one), or None when
    nothing is cached or the cache fails: then nothing can be said to be unchanged."""
    if not enabled():
        return None
    try:
        known = [_known_version(name) for name in names]
        return known if None not in known else _read_versions(names)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the caller does without
        logger.warning("cache unavailable for versions", exc_info=True)
        return None


def _incr(name: str) -> None:
    read = getattr(_request, "versions", None)
    if read:
        read.pop(name, None)  # this request reads the new version
    version_key = _version_key(name)
    try:
        try:
            cache.incr(version_key)
        except ValueError:  # no version yet (or evicted): any new number outdates every entry
            cache.set(version_key, time.time_ns(), None)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable: %s not bumped", name, exc_info=True)


def outdate_all() -> None:
    """Outdate every entry of every name now, outside any transaction (after changes that sent no
    signal and were never committed, such as a test's rolled-back ones)."""
    if enabled():
        for name in sorted(NAMES):
            _incr(name)


def bump(name: str) -> None:
    """Outdate every entry of `name`: now, and again when the current transaction commits (after
    the change that called it, or at once outside a transaction)."""
    _bump_now(name)
    bump_after_commit(name)


def _bump_now(name: str) -> None:
    NAMES.add(name)
    if enabled():
        _incr(name)


def bump_after_commit(name: str) -> None:
    NAMES.add(name)
    if enabled():
        transaction.on_commit(lambda: _incr(name))


NAMES: set[str] = set()  # every name bumped so far or declared by a BumpingQuerySet


class BumpingQuerySet(models.QuerySet):
    """A queryset whose bulk changes (update, delete, bulk_create, bulk_update) outdate the cached
    `cache_names`, as single saves and deletes do through signals."""

    cache_names: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        NAMES.update(cls.cache_names)

    def _bumped(self, write):
        """Run the bulk `write`, bumping before it (entries read in this transaction from here on
        are outdated) and after it commits (outside a transaction: right after the write, so a
        read between the bump and the write cannot keep the old rows under the new version)."""
        for name in self.cache_names:
            _bump_now(name)
        result = write()
        for name in self.cache_names:
            bump_after_commit(name)
        return result

    def update(self, **kwargs):
        return self._bumped(lambda: super(BumpingQuerySet, self).update(**kwargs))

    def delete(self):
        return self._bumped(lambda: super(BumpingQuerySet, self).delete())

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not objs:  # nothing written: nothing outdated
            return []
        return self._bumped(lambda: super(BumpingQuerySet, self).bulk_create(objs, *args, **kwargs))

    def bulk_update(self, *args, **kwargs):
        return self._bumped(lambda: super(BumpingQuerySet, self).bulk_update(*args, **kwargs))


@receiver(post_migrate, dispatch_uid="versioned-cache-after-migrate")
def _after_migrate(**kwargs) -> None:
    """migrate and flush (a transactional test's teardown) change rows without signals."""
    for name in NAMES:
        bump(name)

"""The versioned cache: a value is computed once and served until its name is bumped — by this
process or another one — and a web request reads all the versions it needs in one round trip."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from residents import versioned_cache
from residents.versioned_cache import bump, versioned
from tests.conftest import require

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _redis():
    require(
        "A cache server",
        versioned_cache.enabled(),
        "the versioned cache keeps nothing in the database (REDIS_URL)",
    )


class Computed:
    """compute() for versioned(): counts its calls, answers the current `value`."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def _another_process_bumps(name: str) -> None:
    cache.incr(f"doorstep:version:{name}")  # what bump() does in another worker: only the cache knows


def test_a_value_is_computed_once_until_a_bump(db):
    rows = Computed(["维修"])
    assert versioned("test-categories", "intake", rows) == ["维修"]
    assert versioned("test-categories", "intake", rows) == ["维修"] and rows.calls == 1
    rows.value = ["维修", "补贴"]
    bump("test-categories")
    assert versioned("test-categories", "intake", rows) == ["维修", "补贴"] and rows.calls == 2


def test_another_processs_bump_is_seen_by_the_next_read(db):
    rows = Computed(1)
    versioned("test-places", "7", rows)
    rows.value = 2
    _another_process_bumps("test-places")
    assert versioned("test-places", "7", rows) == 2


def test_a_request_reads_every_version_in_one_round_trip(db, monkeypatch):
    names = ["test-a", "test-b", "test-c"]
    computed = {name: Computed(name) for name in names}
    for name in names:  # this process holds every entry
        versioned(name, "k", computed[name])
    reads = []
    real = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **k: reads.append(list(keys)) or real(keys, *a, **k)
    )
    request_started.send(sender=None)
    try:
        assert [versioned(name, "k", computed[name]) for name in names] == names
        assert len(reads) == 1 and {f"doorstep:version:{n}" for n in names} <= set(reads[0])
        assert all(c.calls == 1 for c in computed.values())

        computed["test-b"].value = "changed here"
        bump("test-b")  # this request's own change: read at once
        assert versioned("test-b", "k", computed["test-b"]) == "changed here"

        _another_process_bumps("test-c")  # read as it was when the request began...
        assert versioned("test-c", "k", computed["test-c"]) == "test-c"
    finally:
        request_finished.send(sender=None)
    computed["test-c"].value = "changed elsewhere"
    assert versioned("test-c", "k", computed["test-c"]) == "changed elsewhere"  # ...and by the next


def test_a_cache_that_fails_answers_from_the_database(db, monkeypatch):
    rows = Computed("from the database")

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    request_started.send(sender=None)
    try:
        assert versioned("test-down", "k", rows) == "from the database"
        assert versioned("test-down", "k", rows) == "from the database" and rows.calls == 2
        assert versioned_cache.versions(["test-down"]) is None
    finally:
        request_finished.send(sender=None)

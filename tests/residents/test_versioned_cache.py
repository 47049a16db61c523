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


def _version(name: str) -> int:
    return versioned_cache.versions([name])[0]


def test_a_bulk_change_bumps_before_its_write_and_again_once_it_is_committed(
    db, binxi, alice, django_capture_on_commit_callbacks
):
    from residents.models import Membership
    from residents.scoping import PLACES

    before = _version(PLACES)
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        Membership.objects.filter(user=alice).update(role="volunteer")
        assert _version(PLACES) == before + 1  # this transaction's reads are outdated at once
    assert len(after_commit) == 1 and _version(PLACES) == before + 2  # and the committed rows' too


def test_nothing_written_outdates_nothing(db, alice):
    from requests.followup_models import INBOX, InboxItem

    before = _version(INBOX)
    assert InboxItem.objects.bulk_create([]) == []
    assert _version(INBOX) == before


def test_this_process_keeps_an_entry_no_longer_than_the_cache_would(db, monkeypatch):
    rows = Computed("first")
    versioned("test-aged", "k", rows)
    rows.value = "after an hour"
    cache.delete("doorstep:test-aged:k")  # the cache's copy expired; a lost bump left the version
    later = versioned_cache.time.monotonic() + versioned_cache.TIMEOUT + 1
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: later)
    assert versioned("test-aged", "k", rows) == "after an hour" and rows.calls == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_last_bump_comes_after_the_write(binxi, alice):
    """A read between a bump and the write would keep the old rows under the new version: so the
    version moves once more after the UPDATE itself (no transaction: on_commit runs at once)."""
    from django.db import connection

    from residents.models import Membership
    from residents.scoping import PLACES

    at_the_write = []

    def spy(execute, sql, params, many, context):
        if sql.startswith("UPDATE"):
            at_the_write.append(_version(PLACES))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        Membership.objects.filter(user=alice).update(role="volunteer")
    assert len(at_the_write) == 1 and _version(PLACES) > at_the_write[0]

"""Two people act on one request at the same moment (DESIGN §8): the services' row lock decides.

Real threads on real PostgreSQL connections (transactional_db). To make the race real rather than
lucky, the test's own connection holds the request's row lock while both threads start their
action; only when both are waiting for that lock (PostgreSQL's pg_locks says so) is it released.
Then the first thread in the queue acts and commits, and the second must see what the first
committed: it gets the domain error, and one event is written. Without `select_for_update` in
requests.services.base.begin both threads read the old row, both act, and these tests fail.

SQLite has no row locks (its transactions queue on the whole file), so these need PostgreSQL.
"""

import threading
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from requests import services
from requests.errors import NotAllowed, RequestError, TransitionError
from requests.models import InboxItem, ReminderStep, RequestEvent, ServiceRequest
from residents.scoping import places
from residents.sms.models import SmsMessage
from tests.conftest import require, wait_for
from tests.requests.conftest import in_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    require(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "row locks are a PostgreSQL matter; set DATABASE_URL=postgres://…",
    )


@dataclass
class Racer:
    """One thread: its action, its database backend's pid, and what came of it."""

    name: str
    act: object
    pid: int | None = None
    result: object = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)


def waiting_for_a_lock(pids: list[int]) -> int:
    """How many of these backends wait for a lock now (pg_locks is read afresh on every call)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)", [pids])
        return cursor.fetchone()[0]


def race(request_id: int, *acts, ordered: bool = False) -> list[Racer]:
    """Run each `(name, act)` in its own thread while this connection holds the request's row lock.

    `ordered=False`: the threads pass a Barrier together, so either may reach the lock first.
    `ordered=True`: each starts only once the one before it waits for the lock (or has finished,
    when the code under test took no lock), so they queue in the order given."""
    racers = [Racer(name, act) for name, act in acts]
    barrier = threading.Barrier(len(racers))

    def run(racer: Racer):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                racer.pid = cursor.fetchone()[0]
            racer.ready.set()
            racer.go.wait(timeout=30)
            if not ordered:
                barrier.wait(timeout=30)
            racer.result = racer.act()
        except Exception as exc:  # noqa: BLE001 - asserted on by the test
            racer.error = exc
        finally:
            connection.close()
            racer.done.set()

    threads = [threading.Thread(target=run, args=(racer,), name=racer.name) for racer in racers]
    with transaction.atomic():
        ServiceRequest.objects.select_for_update().get(pk=request_id)  # hold the lock ...
        for thread in threads:
            thread.start()
        assert all(racer.ready.wait(timeout=30) for racer in racers)
        pids = [racer.pid for racer in racers]
        for count, racer in enumerate(racers, start=1):
            racer.go.set()
            if ordered:
                queued = partial(lambda r, n: r.done.is_set() or waiting_for_a_lock(pids) >= n, racer, count)
                assert wait_for(queued, timeout=30), f"{racer.name} neither waited for the lock nor finished"
        # ... until every thread still running waits for it.
        assert wait_for(
            lambda: waiting_for_a_lock(pids) == sum(not r.done.is_set() for r in racers), timeout=30
        ), "the threads did not all reach the lock"
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return racers


def state(request_id: int) -> SimpleNamespace:
    sr = ServiceRequest.objects.get(pk=request_id)
    return SimpleNamespace(
        status=sr.status,
        outcome=sr.outcome,
        handler_id=sr.handler_id,
        events=list(
            RequestEvent.objects.filter(request_id=request_id).order_by("id").values_list("action", flat=True)
        ),
        notices=list(
            SmsMessage.objects.filter(subject=sr.reference).order_by("id").values_list("kind", flat=True)
        ),
        pending=sorted(
            ReminderStep.objects.filter(request_id=request_id, status="pending").values_list(
                "step", flat=True
            )
        ),
        inbox=InboxItem.objects.filter(request_id=request_id).count(),
    )


def one_won(racers: list[Racer], error: type[RequestError]) -> tuple[Racer, Racer]:
    """Exactly one racer succeeded and the other got `error`; (winner, loser)."""
    unexpected = [r.error for r in racers if r.error is not None and not isinstance(r.error, error)]
    assert unexpected == [], unexpected
    winners = [r for r in racers if r.error is None]
    losers = [r for r in racers if r.error is not None]
    assert (len(winners), len(losers)) == (1, 1), [(r.name, r.error) for r in racers]
    return winners[0], losers[0]


@pytest.fixture
def staff(world):
    """Read each user's memberships once here, so the threads query only what the action does."""
    for user in (world.handler, world.other_handler, world.supervisor, world.desk_staff):
        places(user)
    return world


def test_the_handler_accepting_twice_at_once_accepts_once(staff):
    """A double tap on 签收 (or the phone and the desk computer together)."""
    world = staff
    sr = in_state(world, "assigned")
    before = state(sr.pk)

    def accept():
        return services.request_accept(actor=world.handler, request_id=sr.pk)

    racers = race(sr.pk, ("first tap", accept), ("second tap", accept))
    one_won(racers, TransitionError)
    after = state(sr.pk)
    assert after.status == "in_progress"
    assert after.events == [*before.events, "accept"]
    assert after.notices == [*before.notices, "accepted"]  # one SMS to the resident, not two
    assert after.pending == ["due", "due_soon", "overdue"]


@pytest.mark.parametrize("ordered", [False, True], ids=["together", "resolve-queued-first"])
def test_resolve_and_withdraw_at_once_one_of_them_wins(staff, ordered):
    """The handler resolves while the desk withdraws at the resident's wish."""
    world = staff
    sr = in_state(world, "in_progress")
    before = state(sr.pk)
    racers = race(
        sr.pk,
        (
            "resolve",
            partial(services.request_resolve, actor=world.handler, request_id=sr.pk, result="已修好"),
        ),
        (
            "withdraw",
            partial(
                services.request_withdraw, actor=world.desk_staff, request_id=sr.pk, reason="居民说不用了"
            ),
        ),
        ordered=ordered,
    )
    winner, _loser = one_won(racers, TransitionError)
    if ordered:
        assert winner.name == "resolve"
    after = state(sr.pk)
    if winner.name == "resolve":
        assert (after.status, after.outcome, after.pending) == ("resolved", "", ["return_visit"])
        assert after.notices == [*before.notices, "resolved"]
    else:
        assert (after.status, after.outcome, after.pending) == ("closed", "withdrawn", [])
        assert after.notices == [*before.notices, "closed"]
    assert after.events == [*before.events, winner.name]


def test_a_reassignment_and_the_old_handlers_return_at_once(staff):
    """The supervisor reassigns to another handler while the first handler returns it (退单).
    Once reassigned, the first handler is no longer the handler and may not return it; had the
    return gone first, a reassignment from `logged` would be allowed — so the reassignment is
    queued first here, and the return must see that it happened."""
    world = staff
    sr = in_state(world, "assigned")
    before = state(sr.pk)
    racers = race(
        sr.pk,
        (
            "assign",
            partial(
                services.request_assign, actor=world.supervisor, request_id=sr.pk, handler=world.other_handler
            ),
        ),
        (
            "return",
            partial(services.request_return, actor=world.handler, request_id=sr.pk, reason="不属于本人网格"),
        ),
        ordered=True,
    )
    winner, _loser = one_won(racers, NotAllowed)
    assert winner.name == "assign"
    after = state(sr.pk)
    assert (after.status, after.handler_id) == ("assigned", world.other_handler.pk)
    assert after.events == [*before.events, "reassign"]
    assert after.pending == ["accept"]


def test_a_return_visit_and_the_residents_sms_rating_at_once(staff):
    """Both would close a resolved request: the staff member's 回访 call and the resident's reply
    "1" to the resolved SMS. One closes it; the other finds it closed."""
    world = staff
    sr = in_state(world, "resolved")
    before = state(sr.pk)
    racers = race(
        sr.pk,
        (
            "return_visit",
            partial(
                services.request_return_visit, actor=world.supervisor, request_id=sr.pk, rating="satisfied"
            ),
        ),
        ("rate_by_sms", partial(services.request_rate_by_sms, request_id=sr.pk, reply="1")),
    )
    winner, _loser = one_won(racers, TransitionError)
    after = state(sr.pk)
    assert (after.status, after.outcome, after.pending) == ("closed", "resolved", [])
    assert after.events == [*before.events, winner.name]
    assert after.notices == [*before.notices, "closed"]  # the resident hears "closed" once


def test_a_return_visit_then_a_reopen_queued_behind_it(staff):
    """A reopen that waits behind a return visit acts on the request the visit closed: it reopens
    it (the table allows reopen only from closed). Were it to read the row before the visit
    committed, it would find the request still resolved and be refused."""
    world = staff
    sr = in_state(world, "resolved")
    before = state(sr.pk)
    racers = race(
        sr.pk,
        (
            "return_visit",
            partial(
                services.request_return_visit, actor=world.desk_staff, request_id=sr.pk, rating="satisfied"
            ),
        ),
        (
            "reopen",
            partial(services.request_reopen, actor=world.supervisor, request_id=sr.pk, reason="又坏了"),
        ),
        ordered=True,
    )
    assert [(r.name, r.error) for r in racers] == [("return_visit", None), ("reopen", None)]
    after = state(sr.pk)
    assert after.status == "in_progress"
    assert after.events == [*before.events, "return_visit", "reopen"]
    assert after.notices == [*before.notices, "closed", "reopened"]


def test_two_supervisors_reopening_at_once_reopen_once(staff):
    world = staff
    sr = in_state(world, "closed")
    before = state(sr.pk)

    def reopen():
        return services.request_reopen(actor=world.supervisor, request_id=sr.pk, reason="又坏了")

    racers = race(sr.pk, ("first", reopen), ("second", reopen))
    one_won(racers, TransitionError)
    after = state(sr.pk)
    assert after.status == "in_progress"
    assert after.events == [*before.events, "reopen"]
    assert after.notices == [*before.notices, "reopened"]
    assert after.pending == ["due", "due_soon", "overdue"]

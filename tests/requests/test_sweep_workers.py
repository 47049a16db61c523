"""The reminder sweep in real processes (DESIGN §4.4, §8): a thousand due steps under two workers
and two concurrent sweeps fire exactly once; a request closed while a sweep runs gets nothing after
the close, in 50 races, without a deadlock; beat killed and restarted catches up once.

PostgreSQL is where this matters (row locks, skip_locked); on SQLite the same tests pass through
the one writer's IMMEDIATE transactions.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from requests import clock
from requests.models import InboxItem, ReminderStep, RequestEvent, ServiceRequest
from requests.services import request_withdraw
from requests.services.sweep import reminders_sweep
from requests.tasks import sweep_reminders
from tests.conftest import BASE_DIR, _database_url_for_worker, subprocess_env, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def celery_process(kind: str, log_path, *args, **env_overrides) -> subprocess.Popen:
    env = subprocess_env(
        DATABASE_URL=_database_url_for_worker(), DOORSTEP_RUN_ID=settings.RUN_ID, **env_overrides
    )
    env["PYTEST_VERSION"] = os.environ.get("PYTEST_VERSION", "")
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", kind, "--loglevel=INFO", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def second_worker(celery_worker, tmp_path):
    """A second worker process on this run's queue, beside the session's."""
    log_path = tmp_path / "worker2.log"
    process = celery_process(
        "worker",
        log_path,
        "--concurrency=1",
        f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
        f"--hostname=second-{settings.RUN_ID}@%h",
        "--without-mingle",
        "--without-gossip",
    )
    ready = wait_for(lambda: "ready" in log_path.read_text(errors="replace"), timeout=90, interval=0.2)
    assert ready, log_path.read_text(errors="replace")
    yield process
    stop(process)


def due_requests(world, count: int, *, due_ago=timedelta(minutes=5)) -> list[ServiceRequest]:
    """`count` assigned requests, each with its accept step due `due_ago` (bulk: a thousand in seconds)."""
    prefix = f"T{uuid.uuid4().hex[:8]}-"
    now = clock.now()
    rows = [
        ServiceRequest(
            community=world.binxi,
            reference=f"{prefix}{n:05d}",
            category=world.other,
            description="楼道灯不亮",
            status="assigned",
            handler=world.handler,
            logged_at=now,
            assigned_at=now,
            accept_due_at=now + timedelta(days=1),
            resolve_due_at=now + timedelta(days=5),
        )
        for n in range(count)
    ]
    ServiceRequest.objects.bulk_create(rows)
    created = list(ServiceRequest.objects.filter(reference__startswith=prefix))
    ReminderStep.objects.bulk_create(
        ReminderStep(request=sr, step="accept", sequence=1, due_at=now - due_ago) for sr in created
    )
    return created


def deadlocks() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_thousand_due_steps_two_workers_two_sweeps_each_step_exactly_once(world, second_worker):
    srs = due_requests(world, 1000)
    before = deadlocks()
    results = [sweep_reminders.delay(), sweep_reminders.delay()]
    answers = [result.get(timeout=240) for result in results]
    assert sum(a["fired"] for a in answers) == 1000, answers
    assert len({a["worker"] for a in answers}) == 2, answers  # both workers swept

    ids = [sr.pk for sr in srs]
    assert ReminderStep.objects.filter(request_id__in=ids, sequence=1, status="done").count() == 1000
    assert ReminderStep.objects.filter(request_id__in=ids, status="pending").count() == 1000  # the next
    assert not ReminderStep.objects.filter(request_id__in=ids, sequence__gt=2).exists()
    reminders = RequestEvent.objects.filter(request_id__in=ids, action="remind")
    assert reminders.count() == 1000
    assert reminders.values("request_id").distinct().count() == 1000
    items = InboxItem.objects.filter(request_id__in=ids)
    assert items.count() == 1000 and items.filter(user=world.handler, kind="accept").count() == 1000
    assert deadlocks() == before


def race(world, target) -> list:
    """A sweep and a withdrawal of `target`, released at the same moment on their own connections."""
    barrier = threading.Barrier(2)
    errors = []

    def run(work):
        try:
            barrier.wait(timeout=30)
            work()
        except Exception as exc:  # noqa: BLE001 - returned and asserted on
            errors.append(exc)
        finally:
            connection.close()

    def close():
        request_withdraw(actor=world.supervisor, request_id=target.pk, reason="居民撤回")

    threads = [threading.Thread(target=run, args=(work,)) for work in (reminders_sweep, close)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_a_request_closed_while_the_sweep_runs_gets_nothing_after_the_close(world):
    """50 races: a sweep over 20 due requests, and a withdrawal of one of them at the same moment."""
    before = deadlocks()
    reminded_first = 0
    for attempt in range(50):
        srs = due_requests(world, 20)
        target = srs[attempt % len(srs)]
        errors = race(world, target)
        assert errors == [], (attempt, errors)

        closing = RequestEvent.objects.get(request=target, action="withdraw")
        after = RequestEvent.objects.filter(request=target, id__gt=closing.id)
        assert not after.exists(), (attempt, list(after.values("action", "data")))
        items = InboxItem.objects.filter(request=target)
        # A reminder that won the race was written before the close; none after, none pending.
        assert items.count() == RequestEvent.objects.filter(request=target, action="remind").count() <= 1
        reminded_first += items.count()
        assert not ReminderStep.objects.filter(request=target, status="pending").exists()
        # The others' steps fired once each (a later sweep picks up any the race skipped).
        reminders_sweep()
        others = [sr.pk for sr in srs if sr.pk != target.pk]
        assert RequestEvent.objects.filter(request_id__in=others, action="remind").count() == 19
    assert deadlocks() == before
    print(f"races: the reminder came first in {reminded_first} of 50, the close in {50 - reminded_first}")


def test_beat_killed_and_restarted_catches_up_once(world, celery_worker, tmp_path):
    beat_env = {"SWEEP_INTERVAL_SECONDS": "1"}
    schedule = tmp_path / "beat-schedule"
    beat_args = (f"--schedule={schedule}",)
    first = due_requests(world, 5)
    beat = celery_process("beat", tmp_path / "beat1.log", *beat_args, **beat_env)
    try:
        fired = wait_for(
            lambda: RequestEvent.objects.filter(request__in=first, action="remind").count() == 5, timeout=90
        )
        assert fired, (tmp_path / "beat1.log").read_text() + celery_worker.log()[-3000:]
    finally:
        stop(beat, signal.SIGKILL)  # killed, not stopped: no goodbye

    # While beat is down, more steps fall due — some a week ago (the downtime), some just now.
    missed = due_requests(world, 5, due_ago=timedelta(days=7)) + due_requests(world, 5)
    time.sleep(2)
    assert not RequestEvent.objects.filter(request__in=missed).exists()  # nobody sweeps

    beat = celery_process("beat", tmp_path / "beat2.log", *beat_args, **beat_env)
    try:
        caught_up = wait_for(
            lambda: RequestEvent.objects.filter(request__in=missed, action="remind").count() >= 10, timeout=90
        )
        assert caught_up, (tmp_path / "beat2.log").read_text() + celery_worker.log()[-3000:]
        time.sleep(3)  # several more beats: none sends anything again
    finally:
        stop(beat)
    everyone = first + missed
    assert RequestEvent.objects.filter(request__in=everyone, action="remind").count() == 15
    assert InboxItem.objects.filter(request__in=everyone).count() == 15
    for sr in everyone:
        (following,) = ReminderStep.objects.filter(request=sr, status="pending")
        assert following.sequence == 2 and following.due_at > clock.now()

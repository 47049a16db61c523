"""SMS outbox throughput: messages per second through Celery + Redis to a fake provider, 1 and 2 workers.

For each worker count, writes BENCH_SMS_MESSAGES pending rows (default 1,000; --quick 200) for a
bench community, starts a real `celery worker` with that many pool processes on a queue of its
own, against the local fake provider of the test suite (tests/residents/sms/fake_provider.py: an
HTTP server speaking the Twilio Messages API's shape on a spare loopback port), lets the outbox
sweep queue them, and times until none is pending or sending. Checks the provider took each
message exactly once and every row is sent. The worker is stopped (its process group only) and
the bench rows deleted afterwards.

Needs REDIS_URL (the broker) and a database both processes share: DATABASE_URL (PostgreSQL,
migrated first); on the embedded SQLite file it runs too, but measures SQLite's one writer.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

COMMUNITY_CODE = "BENCHSMS"
ROOT = Path(__file__).resolve().parent.parent


def _size(args) -> int:
    return int(os.environ.get("BENCH_SMS_MESSAGES", 200 if args.quick else 1000))


def _community():
    from residents.models import Community

    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "短信基准社区", "street_office": "老街街道", "district": "源汇区"},
    )
    return community


def _write(community, n: int, run: str) -> None:
    """n pending rows to one number, as service messages: no consent, quiet hours or cap in the way."""
    from django.utils import timezone

    from residents.sms.models import SmsMessage

    now = timezone.now()
    SmsMessage.objects.bulk_create(
        [
            SmsMessage(
                community=community,
                kind="staff_reminder",
                purpose="service",
                phone="+8613800138000",
                text=f"【短信基准社区】{run} {i:05d}",
                created_at=now,
                next_attempt_at=now,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


class Worker:
    """A `celery worker` with `concurrency` pool processes on `queue`, in its own process group."""

    def __init__(self, *, queue: str, concurrency: int, provider, log_path: Path):
        from django.conf import settings

        self.log_path = log_path
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DOORSTEP_RUN_ID": settings.RUN_ID,
            "SMS_QUEUE": queue,
            "SMS_QUIET_START": "00:00",
            "SMS_QUIET_END": "00:00",
            **provider.settings(),
        }
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    f"--concurrency={concurrency}",
                    f"--queues={queue}",
                    f"--hostname={queue}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"the worker did not finish in time:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _measure(community, n: int, concurrency: int, folder: Path) -> tuple[float, dict, int, int]:
    from django.conf import settings
    from django.db.models import Count

    from residents.sms import services
    from residents.sms.models import SmsMessage
    from tests.residents.sms.fake_provider import FakeProvider

    run = uuid.uuid4().hex[:6]
    queue = f"{settings.RUN_ID}-bench-sms-{run}"
    settings.SMS_QUEUE = queue  # this process's publishes (the sweep) go to the worker's queue
    mine = SmsMessage.objects.filter(community=community)
    mine.delete()
    waiting = mine.filter(state__in=["pending", "sending"])
    with FakeProvider() as provider:
        worker = Worker(
            queue=queue,
            concurrency=concurrency,
            provider=provider,
            log_path=folder / f"worker-{concurrency}.log",
        )
        try:
            # A message per process first: when they are sent, the worker is up with its connections.
            _write(community, concurrency, f"warm-up {run}")
            services.sweep()
            worker.wait_until(lambda: not waiting.exists(), timeout=120)
            mine.delete()
            _write(community, n, run)
            started = time.monotonic()
            services.sweep()
            worker.wait_until(lambda: not waiting.exists(), timeout=900)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
        states = dict(mine.values_list("state").annotate(n=Count("id")).order_by())
        bodies = {body: count for body, count in provider.bodies().items() if "warm-up" not in body}
        twice = sum(1 for count in bodies.values() if count > 1)
        taken = sum(bodies.values())
    mine.delete()
    return elapsed, states, taken, twice


def run(args) -> list[str]:
    django.setup()
    from django.conf import settings

    if not settings.REDIS_URL:
        return ["skipped: REDIS_URL is not set (the bench measures Celery on Redis)"]
    n = _size(args)
    community = _community()
    lines = [f"{n} messages per run, database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"]
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as folder:
        for concurrency in (1, 2):
            elapsed, states, taken, twice = _measure(community, n, concurrency, Path(folder))
            ok = states == {"sent": n} and taken == n and twice == 0
            lines.append(
                f"{concurrency} worker process{'es' if concurrency > 1 else ''}: "
                f"{n / elapsed:7.1f} messages/s "
                f"({elapsed:.1f} s; states {states}; provider took {taken}, twice {twice})"
                + ("" if ok else "  <-- NOT exactly once")
            )
    return lines

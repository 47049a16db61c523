"""No message twice, none lost (DESIGN §4.5), with real worker processes, a real Redis broker and a
local fake provider: 500 messages while the worker's pool process is killed with SIGKILL, and in
another run while the whole worker is; afterwards every message is sent or unknown, and the
provider took none of them twice. The messages-per-second figure is a benchmark, not a test:
bench/bench_sms.py (`make bench BENCH_ARGS=sms`)."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db.models import Count
from django.utils import timezone

from residents.sms import services
from residents.sms.models import SmsMessage
from tests.factories import CommunityFactory
from tests.residents.sms.fake_provider import FakeProvider
from tests.residents.sms.workers import settle, sms_queue, sms_worker

pytestmark = pytest.mark.django_db(transaction=True)
N = 500


@pytest.fixture
def outbox_setup(settings):
    settings.SMS_QUEUE = sms_queue()
    settings.SMS_QUIET_START = settings.SMS_QUIET_END = (0, 0)
    return settings.SMS_QUEUE


def write_messages(n: int) -> list[int]:
    """n pending rows (one number, service messages: no consent, quiet hours or cap in the way)."""
    community = CommunityFactory(name="滨西社区", code="BX")
    now = timezone.now()
    rows = [
        SmsMessage(
            community=community,
            kind="staff_reminder",
            purpose="service",
            phone="+8613800138000",
            text=f"【滨西社区】message {i:04d}",
            created_at=now,
            next_attempt_at=now,
        )
        for i in range(n)
    ]
    return [m.pk for m in SmsMessage.objects.bulk_create(rows)]


def states() -> dict[str, int]:
    return dict(SmsMessage.objects.values_list("state").annotate(n=Count("id")).order_by())


def finished() -> bool:
    return not SmsMessage.objects.filter(state__in=["pending", "sending"]).exists()


def finished_as_beat_sweeps() -> bool:
    """Beat sweeps in production: the row whose pool process was killed mid-send stays `sending`
    until its lease runs out and a sweep calls it unknown (its redelivered task is skipped by the
    claim). Without the sweep, waiting for "nothing sending" waited for ever."""
    services.sweep()
    return finished()


def check_exactly_once(provider):
    bodies = provider.bodies()
    twice = {body: n for body, n in bodies.items() if n > 1}
    assert twice == {}, f"sent more than once: {twice}"
    counts = states()
    assert counts.get("sent", 0) + counts.get("unknown", 0) == N, counts
    sent = set(SmsMessage.objects.filter(state="sent").values_list("text", flat=True))
    assert sent <= set(bodies)  # every row marked sent reached the provider
    assert len(bodies) - len(sent) <= counts.get("unknown", 0)  # the rest of what it took is unknown
    return counts


def test_500_messages_with_the_pool_process_killed_mid_batch(outbox_setup, tmp_path):
    write_messages(N)
    with (
        FakeProvider() as provider,
        sms_worker(
            broker_url=django_settings.REDIS_URL or "",
            queue=outbox_setup,
            provider=provider,
            log_path=tmp_path / "worker.log",
            SMS_LEASE_SECONDS="3",
        ) as worker,
    ):
        assert services.sweep()["queued"] == N
        assert settle(lambda: provider.count() >= 100, timeout=120), worker.log()[-3000:]
        killed = worker.kill_pool_process()
        assert settle(lambda: [pid for pid in worker.pool_children() if pid != killed], 30)  # replaced
        assert settle(finished_as_beat_sweeps, timeout=900), (states(), worker.log()[-3000:])
        assert services.sweep()["unknown"] == 0  # the lost lease (if any) was called unknown above
        counts = check_exactly_once(provider)
    print(f"\npool process killed: {counts}, provider took {provider.count()}")


def test_500_messages_with_the_whole_worker_killed_mid_batch(outbox_setup, tmp_path):
    write_messages(N)
    with FakeProvider() as provider:
        options = {
            "broker_url": django_settings.REDIS_URL or "",
            "queue": outbox_setup,
            "provider": provider,
            "log_path": tmp_path / "worker.log",
            "SMS_LEASE_SECONDS": "3",
        }
        with sms_worker(**options) as worker:
            assert services.sweep()["queued"] == N
            assert settle(lambda: provider.count() >= 100, timeout=120), worker.log()[-3000:]
            worker.kill_everything()
        # Its unacknowledged task would come back only after Redis' visibility timeout: the sweep
        # queues what is still pending once REQUEUE_AFTER has passed, and marks the lost lease unknown.
        later = timezone.now() + services.REQUEUE_AFTER + dt.timedelta(seconds=5)
        swept = services.sweep(now=later)
        assert swept["unknown"] <= 1 and swept["queued"] >= 1
        with sms_worker(**options):
            assert settle(finished, timeout=900), states()
        counts = check_exactly_once(provider)
    print(f"\nwhole worker killed: {counts}, provider took {provider.count()}")

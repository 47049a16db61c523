"""A broker outage while a request is logged (DESIGN §4.5, §8): a private redis-server that is
stopped, and a socket that accepts and never answers. The intake page answers within 5 s and the
request is saved; once the broker is back the acknowledgement reaches the fake provider exactly once."""

import time

import pytest
from django.urls import reverse

from requests.models import ServiceRequest
from residents.sms import services
from residents.sms.models import SmsMessage
from tests.requests.views_support import as_user, intake_data
from tests.residents.sms.fake_provider import FakeProvider
from tests.residents.sms.workers import black_hole_port, broker, private_redis, settle, sms_queue, sms_worker

__all__ = ["as_user"]
pytestmark = pytest.mark.django_db(transaction=True)
CREATE = reverse("requests:create")


def log_a_request(client, world, description: str) -> tuple[ServiceRequest, float]:
    data = intake_data(world, client, description=description)
    started = time.monotonic()
    response = client.post(CREATE, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.status_code
    return ServiceRequest.objects.get(description=description), elapsed


def acknowledged(provider, sr) -> int:
    return sum(n for body, n in provider.bodies().items() if sr.reference in body)


def test_the_page_survives_a_broker_outage_and_the_sms_goes_once_when_it_is_back(
    world, as_user, settings, tmp_path
):
    settings.SMS_QUEUE = sms_queue()
    settings.SMS_QUIET_START = settings.SMS_QUIET_END = (0, 0)
    client = as_user(world.desk_staff)
    with FakeProvider() as provider, private_redis(tmp_path) as redis:
        options = {"queue": settings.SMS_QUEUE, "provider": provider, "log_path": tmp_path / "worker.log"}
        with sms_worker(broker_url=redis.url, **options) as worker:
            # 1. A hung broker: a socket that accepts and never answers.
            hole = black_hole_port()
            try:
                with broker(f"redis://127.0.0.1:{hole.getsockname()[1]}/0"):
                    hung, elapsed = log_a_request(client, world, "楼道灯不亮（代理无响应时登记）")
            finally:
                hole.close()
            assert elapsed < 5.0, f"the page took {elapsed:.2f}s"
            message = SmsMessage.objects.get(subject=hung.reference)
            assert (message.state, message.queued_at) == ("pending", None)  # saved, waiting for the sweep

            # 2. A stopped broker.
            redis.stop()
            with broker(redis.url):
                stopped, elapsed = log_a_request(client, world, "楼道灯不亮（代理停止时登记）")
            assert elapsed < 5.0, f"the page took {elapsed:.2f}s"
            assert SmsMessage.objects.get(subject=stopped.reference).state == "pending"
            assert provider.count() == 0

            # 3. The broker is back: the sweep queues both, the worker sends each once.
            redis.start()
            with broker(redis.url):
                assert services.sweep()["queued"] == 2
                assert settle(lambda: provider.count() >= 2, timeout=180), worker.log()[-3000:]
                for _ in range(3):
                    services.sweep()  # nothing pending is left to queue again
                time.sleep(2)
        assert (acknowledged(provider, hung), acknowledged(provider, stopped)) == (1, 1)
        assert provider.count() == 2
        assert set(SmsMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert ServiceRequest.objects.count() == 2
    print(f"\nbroker down: intake answered, SMS sent once each: {provider.count()} messages")

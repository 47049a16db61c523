import pytest

from residents.sms import backends
from residents.sms.tasks import deliver_sms


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "residents.sms.backends.LocmemBackend"
    backends.outbox.clear()
    yield backends.outbox
    backends.outbox.clear()


@pytest.fixture
def published(monkeypatch):
    """The delivery tasks published, or a broker outage while `published.down` is set."""

    class Published(list):
        down = False

    calls = Published()

    def apply_async(args, **options):
        if calls.down:
            from kombu.exceptions import OperationalError

            raise OperationalError("[Errno 111] Connection refused")
        calls.append(args[0])

    monkeypatch.setattr(deliver_sms, "apply_async", apply_async)
    return calls

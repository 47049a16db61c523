"""The providers: console prints (masked), file appends, Twilio-compatible over HTTP with its errors
sorted into transient and permanent; Aliyun's request is signed as its RPC API wants."""

import io
import json

import pytest

from residents.sms import backends
from residents.sms.backends import ConsoleBackend, FileBackend, PermanentError, TransientError, TwilioBackend
from residents.sms.models import SmsMessage
from residents.sms.services import deliver, queue_resident_message
from tests.factories import CommunityFactory, ResidentFactory
from tests.residents.sms.fake_provider import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def message():
    community = CommunityFactory(name="滨西社区", code="BX")
    resident = ResidentFactory(community=community, phone="+8613800138000")
    return SmsMessage(pk=7, community=community, phone=resident.phone, text="【滨西社区】测试", segments=1)


@pytest.fixture
def provider(settings):
    with FakeProvider() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def test_console_prints_the_text_with_the_number_masked(message):
    backend = ConsoleBackend()
    backend.stream = io.StringIO()
    assert backend.send(message).startswith("console-7-")
    assert backend.stream.getvalue() == "[SMS to 138****8000] 【滨西社区】测试\n"


def test_file_appends_one_json_line(message, settings, tmp_path):
    settings.SMS_FILE_DIR = str(tmp_path)
    FileBackend().send(message)
    FileBackend().send(message)
    lines = next(tmp_path.iterdir()).read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["text"] == "【滨西社区】测试"


def test_twilio_sends_and_returns_the_sid(message, provider):
    sid = TwilioBackend().send(message)
    assert sid.startswith("SM") and provider.messages == [
        {"sid": sid, "to": "+8613800138000", "body": "【滨西社区】测试"}
    ]


@pytest.mark.parametrize(
    "status, error", [(503, TransientError), (429, TransientError), (400, PermanentError)]
)
def test_twilio_errors_are_transient_or_permanent(message, provider, status, error):
    provider.fail_next = [status]
    with pytest.raises(error):
        TwilioBackend().send(message)
    assert provider.count() == 0


def test_a_provider_that_does_not_answer_is_a_transient_error(message, settings):
    import socket

    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(4)
        settings.SMS_TWILIO_BASE_URL = f"http://127.0.0.1:{hole.getsockname()[1]}"
        settings.SMS_HTTP_TIMEOUT = 0.5
        with pytest.raises(TransientError, match="timeout"):
            TwilioBackend().send(message)


def test_a_message_goes_through_the_outbox_to_the_fake_provider_once(provider, outside_quiet_hours):
    resident = ResidentFactory(community=CommunityFactory(name="滨西社区", code="BX"))
    queued = queue_resident_message(
        resident=resident, kind="reopened", params={"reference": "BX-1", "link": "x"}
    )
    provider.fail_next = [503]
    assert deliver(message_id=queued.pk) == "pending"  # a 503: tried again later
    SmsMessage.objects.filter(pk=queued.pk).update(next_attempt_at=queued.created_at)
    assert deliver(message_id=queued.pk) == "sent"
    assert deliver(message_id=queued.pk) == "skipped"
    assert provider.count() == 1


def test_aliyun_signature_matches_the_documented_example():
    # From Aliyun's "RPC signature" documentation (access key secret "testsecret").
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert backends.aliyun_signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

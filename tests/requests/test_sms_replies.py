"""Residents' SMS replies through the provider webhooks (DESIGN §4.1, §4.5): ratings 1 / 2 / 3 on
the right request, every opt-out word with one confirmation, other text kept for staff; token and
signature rejection, repeated callbacks, malformed and fuzzed bodies change nothing."""

import json
import random

import pytest
from django.urls import reverse

from requests.models import RequestEvent, ServiceRequest
from residents.models import Resident
from residents.sms.models import SmsInbound, SmsMessage
from residents.sms.webhooks import twilio_signature
from tests.factories import ResidentFactory
from tests.requests.conftest import in_state

pytestmark = pytest.mark.django_db
TOKEN = "webhook-secret-0123456789"
TWILIO_TOKEN = "twilio-auth-token"


@pytest.fixture(autouse=True)
def sms_settings(settings, outside_quiet_hours):
    settings.SMS_WEBHOOK_TOKEN = TOKEN
    settings.SMS_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.PUBLIC_BASE_URL = "https://doorstep.example.cn"


def reply(client, text, *, sequence, phone="13912345678", token=TOKEN):
    body = [
        {"phone_number": phone, "content": text, "sequence_id": sequence, "send_time": "2026-12-02 10:00:00"}
    ]
    url = reverse("sms:aliyun_reply", args=[token])
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def twilio_post(client, name, data, *, signature=None):
    url = reverse(f"sms:{name}")
    if signature is None:
        signature = twilio_signature(
            "https://doorstep.example.cn" + url, {k: [v] for k, v in data.items()}, TWILIO_TOKEN
        )
    return client.post(url, data, HTTP_X_TWILIO_SIGNATURE=signature)


def state():
    """Everything a callback might change."""
    return (
        list(ServiceRequest.objects.order_by("id").values_list("status", "rating", "review_pending")),
        list(Resident.objects.order_by("id").values_list("sms_consent", "announcement_consent")),
        list(SmsMessage.objects.order_by("id").values_list("state", "kind")),
        SmsInbound.objects.count(),
        RequestEvent.objects.count(),
    )


@pytest.mark.parametrize(
    "text, status, rating, review",
    [
        ("1", "closed", "satisfied", False),
        (" 2 ", "closed", "fairly_satisfied", False),
        ("３", "resolved", "dissatisfied", True),
    ],
)
def test_a_rating_reply_rates_the_numbers_latest_resolved_request(
    client, world, text, status, rating, review
):
    older = in_state(world, "resolved")
    latest = in_state(world, "resolved")
    other_resident = in_state(world, "resolved")
    ServiceRequest.objects.filter(pk=other_resident.pk).update(
        resident=ResidentFactory(community=world.binxi)
    )
    assert reply(client, text, sequence=1).status_code == 200
    latest.refresh_from_db()
    assert (latest.status, latest.rating, latest.review_pending, latest.rating_source) == (
        status,
        rating,
        review,
        "sms",
    )
    for untouched in (older, other_resident):
        untouched.refresh_from_db()
        assert (untouched.status, untouched.rating) == ("resolved", "")
    inbound = SmsInbound.objects.get()
    assert (inbound.outcome, inbound.subject) == ("rating", latest.reference)
    if status == "closed":  # the resident is told; a 3 goes to a supervisor's review without an SMS
        assert SmsMessage.objects.filter(subject=latest.reference).order_by("id").last().kind == "closed"


def test_a_repeated_callback_rates_once(client, world):
    first = in_state(world, "resolved")
    second = in_state(world, "resolved")
    assert reply(client, "1", sequence=77).status_code == 200
    before = state()
    assert reply(client, "1", sequence=77).status_code == 200  # the provider delivers it again
    assert state() == before
    first.refresh_from_db()
    assert first.status == "resolved"  # not rated by the repeat
    assert ServiceRequest.objects.get(pk=second.pk).status == "closed"


@pytest.mark.parametrize("word", ["T", "t", "TD", "td", " Td ", "退订", "STOP", "stop", "Stop", "ＳＴＯＰ"])
def test_every_opt_out_word_withdraws_consent_with_one_confirmation(client, world, word):
    Resident.objects.filter(pk=world.wang.pk).update(announcement_consent=True)
    assert reply(client, word, sequence=1).status_code == 200
    world.wang.refresh_from_db()
    assert (world.wang.sms_consent, world.wang.announcement_consent) == (False, False)
    assert world.wang.sms_consent_at is not None
    confirmation = SmsMessage.objects.get(kind="opt_out")
    assert confirmation.phone == "+8613912345678" and confirmation.state == "pending"
    assert reply(client, word, sequence=2).status_code == 200  # again, another message id
    assert SmsMessage.objects.filter(kind="opt_out").count() == 1
    # and status SMS are held for want of consent from now on
    sr = in_state(world, "logged")
    assert SmsMessage.objects.get(subject=sr.reference).hold_reason == "no_consent"


def test_other_text_is_kept_on_the_numbers_latest_request(client, world):
    in_state(world, "in_progress")
    latest = in_state(world, "logged")
    before = state()
    assert reply(client, "灯还是不亮，麻烦再来看看", sequence=5).status_code == 200
    inbound = SmsInbound.objects.get()
    assert (inbound.outcome, inbound.subject, inbound.text) == (
        "kept",
        latest.reference,
        "灯还是不亮，麻烦再来看看",
    )
    assert state()[:3] == before[:3]


def test_a_rating_with_nothing_to_rate_is_kept(client, world):
    sr = in_state(world, "in_progress")
    assert reply(client, "1", sequence=5).status_code == 200
    assert SmsInbound.objects.get().outcome == "kept"
    sr.refresh_from_db()
    assert sr.status == "in_progress"


def test_a_bad_token_or_signature_is_403_and_changes_nothing(client, world):
    in_state(world, "resolved")
    before = state()
    assert reply(client, "1", sequence=1, token="wrong").status_code == 403
    data = {"MessageSid": "SM1", "From": "+8613912345678", "Body": "1"}
    assert twilio_post(client, "twilio_inbound", data, signature="bm90IGl0").status_code == 403
    assert twilio_post(client, "twilio_inbound", data, signature="").status_code == 403
    assert state() == before
    assert twilio_post(client, "twilio_inbound", data).status_code == 200  # signed rightly
    assert ServiceRequest.objects.get().status == "closed"


def test_aliyun_refuses_everything_while_no_token_is_configured(client, world, settings):
    settings.SMS_WEBHOOK_TOKEN = ""
    assert reply(client, "1", sequence=1, token="x").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{}",
        b"[]",
        b'[{"phone_number": "13912345678"}]',
        b'[{"phone_number": "12", "content": "1", "sequence_id": 1}]',
        b'[{"phone_number": "13912345678", "content": 1, "sequence_id": 1}]',
        b'[{"phone_number": "13912345678", "content": "1", "sequence_id": 1}, 5]',
        b'[{"phone_number": "13912345678", "content": "1\\u0000", "sequence_id": 1}]',
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_is_400_and_changes_nothing(client, world, body):
    in_state(world, "resolved")
    before = state()
    url = reverse("sms:aliyun_reply", args=[TOKEN])
    assert client.post(url, body, content_type="application/json").status_code == 400
    assert state() == before


def test_twilio_status_callbacks_mark_delivery_once(client, world, settings):
    settings.SMS_BACKEND = "residents.sms.backends.LocmemBackend"
    from residents.sms.services import deliver

    sr = in_state(world, "logged")
    message = SmsMessage.objects.get(subject=sr.reference)
    assert deliver(message_id=message.pk) == "sent"
    message.refresh_from_db()
    data = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    for _ in range(3):
        assert twilio_post(client, "twilio_status", data).status_code == 204
    message.refresh_from_db()
    assert message.state == "delivered"
    assert SmsInbound.objects.filter(kind="receipt").count() == 1
    assert twilio_post(client, "twilio_status", {"MessageStatus": "delivered"}).status_code == 400
    assert twilio_post(client, "twilio_status", data, signature="x").status_code == 403


def test_aliyun_receipts_mark_delivery_and_repeat_harmlessly(client, world, settings):
    settings.SMS_BACKEND = "residents.sms.backends.LocmemBackend"
    from residents.sms.services import deliver

    sr = in_state(world, "logged")
    message = SmsMessage.objects.get(subject=sr.reference)
    deliver(message_id=message.pk)
    message.refresh_from_db()
    body = json.dumps(
        [{"biz_id": message.provider_id, "success": False, "err_code": "MOBILE_NOT_ON_SERVICE"}]
    )
    url = reverse("sms:aliyun_receipt", args=[TOKEN])
    for _ in range(2):
        assert client.post(url, body, content_type="application/json").json() == {"code": 0, "msg": "成功"}
    message.refresh_from_db()
    assert message.state == "undelivered"


def test_fuzzed_bodies_never_answer_500_and_change_nothing(client, world):
    in_state(world, "resolved")
    before = state()
    rng = random.Random(13)
    urls = [
        reverse("sms:aliyun_reply", args=[TOKEN]),
        reverse("sms:aliyun_receipt", args=[TOKEN]),
        reverse("sms:twilio_inbound"),
        reverse("sms:twilio_status"),
    ]
    pieces = [
        b"[",
        b"]",
        b"{",
        b"}",
        b'"phone_number"',
        b'"content"',
        b'"sequence_id"',
        b'"biz_id"',
        b":",
        b",",
        b'"13912345678"',
        b"1",
        b"null",
        b"true",
        b'"\\u0000"',
        b"\xff",
        b"=",
        b"&",
        b"MessageSid",
        b"Body",
    ]
    answers = set()
    for i in range(500):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.3:
            body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
        content_type = rng.choice(["application/json", "application/x-www-form-urlencoded", "text/plain"])
        response = client.post(urls[i % 4], body, content_type=content_type)
        answers.add(response.status_code)
        assert response.status_code < 500, body
    assert answers <= {200, 204, 400, 403}
    assert state()[:3] == before[:3]


def test_the_reminder_sweeps_staff_sms_are_outbox_rows_for_members_with_a_staff_phone(world):
    from requests.notifications import queue_staff_sms
    from residents.models import Membership

    sr = in_state(world, "assigned")
    Membership.objects.filter(user=world.handler).update(
        staff_phone="+8613700137000", wants_sms_reminders=True
    )
    assert queue_staff_sms([world.handler.pk, world.grid_worker.pk], sr, "accept") == 1  # no phone: none
    message = SmsMessage.objects.get(kind="staff_reminder")
    assert (message.phone, message.user, message.subject, message.purpose) == (
        "+8613700137000",
        world.handler,
        sr.reference,
        "staff",
    )
    assert sr.reference in message.text

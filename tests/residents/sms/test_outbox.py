"""The outbox's life cycle (DESIGN §4.5): rows written in the caller's transaction, queued on commit,
claimed once, retried with backoff, unknown when a lease expires (never resent by itself), held with a
reason and released when it passes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from residents.sms import services
from residents.sms.backends import PermanentError, TransientError
from residents.sms.models import SmsMessage
from tests.factories import CommunityFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 12, 2, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def resident():
    community = CommunityFactory(name="滨西社区", code="BX")
    return ResidentFactory(community=community, phone="+8613800138000", sms_consent=True)


def queue(resident, now=NOON, kind="acknowledgement", **params):
    params = {"reference": "BX-2026-00001", "link": "http://x/s/BX-2026-00001/?t=abc", **params}
    return services.queue_resident_message(
        resident=resident, kind=kind, params=params, subject="BX-2026-00001", now=now
    )


class Failing:
    def __init__(self, error):
        self.error = error
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise self.error


def test_a_row_is_written_with_its_text_and_segments_and_queued_only_on_commit(
    resident, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue(resident)
        assert published == []  # nothing leaves before the commit
    assert len(callbacks) == 1 and published == [message.pk]
    assert message.state == "pending" and message.text.startswith(
        "【滨西社区】您的诉求已登记，编号BX-2026-00001"
    )
    assert message.segments == 2 and message.subject == "BX-2026-00001" and message.purpose == "status"


def test_a_rolled_back_change_leaves_no_row_and_queues_nothing(
    resident, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue(resident)
        raise RuntimeError
    assert not SmsMessage.objects.exists() and published == []


def test_a_broker_outage_leaves_the_row_pending_and_the_sweep_queues_it(
    resident, published, django_capture_on_commit_callbacks
):
    published.down = True
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(resident)
    message.refresh_from_db()
    assert message.state == "pending" and message.queued_at is None and published == []
    published.down = False
    assert services.sweep(now=NOON)["queued"] == 1 and published == [message.pk]
    assert services.sweep(now=NOON)["queued"] == 0  # not again while its task may be waiting
    assert services.sweep(now=NOON + dt.timedelta(minutes=3))["queued"] == 1  # a lost task: again


def test_deliver_claims_once(resident, locmem_sms):
    message = queue(resident)
    assert services.deliver(message_id=message.pk, now=NOON) == "sent"
    assert services.deliver(message_id=message.pk, now=NOON) == "skipped"
    message.refresh_from_db()
    assert message.state == "sent" and message.provider_id and message.attempts == 1
    assert [m["pk"] for m in locmem_sms] == [message.pk]


def test_a_transient_error_retries_with_exponential_backoff_then_fails(resident, settings):
    settings.SMS_MAX_ATTEMPTS, settings.SMS_RETRY_SECONDS = 3, 30
    message = queue(resident)
    backend = Failing(TransientError("HTTP 503"))
    at = NOON
    for attempt, wait in [(1, 30), (2, 60)]:
        assert services.deliver(message_id=message.pk, now=at, backend=backend) == "pending"
        message.refresh_from_db()
        assert message.attempts == attempt and message.error == "HTTP 503"
        assert services.deliver(message_id=message.pk, now=at, backend=backend) == "skipped"  # not due yet
        waited = message.next_attempt_at - at
        assert dt.timedelta(seconds=wait - 5) <= waited <= dt.timedelta(seconds=wait + 5)
        at = message.next_attempt_at
    assert services.deliver(message_id=message.pk, now=at, backend=backend) == "failed"
    assert backend.calls == 3


def test_a_permanent_error_fails_at_once(resident):
    message = queue(resident)
    assert (
        services.deliver(message_id=message.pk, now=NOON, backend=Failing(PermanentError("bad number")))
        == "failed"
    )
    message.refresh_from_db()
    assert message.state == "failed" and message.error == "bad number"


def test_an_expired_lease_is_unknown_never_resent_by_itself_and_a_supervisor_resends(
    resident, locmem_sms, published, django_capture_on_commit_callbacks, outside_quiet_hours
):
    message = queue(resident)
    SmsMessage.objects.filter(pk=message.pk).update(
        state="sending", lease_until=NOON + dt.timedelta(seconds=30)
    )  # a worker died after claiming it
    assert services.sweep(now=NOON)["unknown"] == 0
    assert services.sweep(now=NOON + dt.timedelta(minutes=1))["unknown"] == 1
    for _ in range(3):
        services.sweep(now=NOON + dt.timedelta(hours=1))
        assert services.deliver(message_id=message.pk, now=NOON + dt.timedelta(hours=1)) == "skipped"
    message.refresh_from_db()
    assert message.state == "unknown" and locmem_sms == []

    supervisor = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.message_resend(actor=supervisor, message_id=message.pk) is True
        assert services.message_resend(actor=supervisor, message_id=message.pk) is False  # a second click
    assert published == [message.pk]
    assert services.deliver(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert message.resent_by == supervisor and len(locmem_sms) == 1


def test_quiet_hours_hold_until_morning_then_release(resident, published):
    late = dt.datetime(2026, 12, 2, 22, 15, tzinfo=SHANGHAI)
    message = queue(resident, now=late)
    assert (message.state, message.hold_reason) == ("held", "quiet_hours")
    assert message.next_attempt_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)
    assert services.sweep(now=late + dt.timedelta(hours=2))["released"] == 0
    morning = dt.datetime(2026, 12, 3, 8, 0, 30, tzinfo=SHANGHAI)
    assert services.sweep(now=morning) == {"unknown": 0, "released": 1, "expired": 0, "queued": 1}
    assert published == [message.pk]
    assert services.deliver(message_id=message.pk, now=morning) == "sent"


def test_the_daily_cap_holds_the_rest_until_tomorrow(resident, settings):
    settings.SMS_DAILY_CAP = 2
    messages = [queue(resident) for _ in range(3)]
    results = [services.deliver(message_id=m.pk, now=NOON) for m in messages]
    assert results == ["sent", "sent", "held"]
    held = SmsMessage.objects.get(pk=messages[2].pk)
    assert held.hold_reason == "daily_cap"
    assert held.next_attempt_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)
    later = queue(resident)  # written pending (the cap is counted when sending) …
    assert services.deliver(message_id=later.pk, now=NOON) == "held"  # … and held then
    tomorrow = dt.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    assert services.sweep(now=tomorrow)["released"] == 2
    assert services.deliver(message_id=held.pk, now=tomorrow) == "sent"


def test_no_consent_holds_until_consent_is_given(resident):
    resident.sms_consent = False
    resident.save()
    message = queue(resident)
    assert (message.state, message.hold_reason) == ("held", "no_consent")
    assert services.sweep(now=NOON + dt.timedelta(days=1))["released"] == 0
    resident.sms_consent = True
    resident.save()
    assert services.sweep(now=NOON + dt.timedelta(days=1))["released"] == 1
    assert services.deliver(message_id=message.pk, now=NOON + dt.timedelta(days=1)) == "sent"


def test_no_consent_for_a_week_drops_the_message(resident):
    resident.sms_consent = False
    resident.save()
    message = queue(resident)
    assert services.sweep(now=NOON + dt.timedelta(days=8))["expired"] == 1
    message.refresh_from_db()
    assert message.state == "failed"


def test_announcements_need_their_own_consent(resident):
    resident.announcement_consent = False
    resident.save()
    message = services.queue_resident_message(
        resident=resident, kind="announcement", params={}, purpose="announcement", now=NOON
    )
    assert message.hold_reason == "no_consent"


def test_staff_sms_only_in_office_hours(resident):
    staff = UserFactory()
    evening = dt.datetime(2026, 12, 2, 18, 0, tzinfo=SHANGHAI)
    message = services.queue_staff_sms(
        community=resident.community,
        user=staff,
        phone="+8613900139000",
        text="BX-2026-00001 待签收",
        now=evening,
    )
    assert (message.state, message.hold_reason, message.purpose) == ("held", "office_hours", "staff")
    assert message.next_attempt_at == dt.datetime(2026, 12, 3, 8, 30, tzinfo=SHANGHAI)
    assert message.text == "【滨西社区】BX-2026-00001 待签收"
    assert services.queue_staff_sms(community=resident.community, user=staff, phone="", text="x") is None
    in_hours = services.queue_staff_sms(
        community=resident.community, user=staff, phone="+8613900139000", text="x", now=NOON
    )
    assert in_hours.state == "pending"


def test_a_delivery_receipt_marks_the_row(resident):
    message = queue(resident)
    services.deliver(message_id=message.pk, now=NOON)
    message.refresh_from_db()
    assert services.record_receipt(provider_id=message.provider_id, delivered=True) == 1
    message.refresh_from_db()
    assert message.state == "delivered" and message.delivered_at


def test_the_template_admin_previews_with_the_segment_count_and_refuses_unknown_placeholders(client):
    from django.urls import reverse

    from residents.sms.models import SmsTemplate

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    from residents.sms.defaults import DEFAULT_TEMPLATES

    # From the data migration (a transactional test's flush may have removed it: written again).
    template, _ = SmsTemplate.objects.get_or_create(
        kind="resolved", language="zh-hans", defaults={"text": DEFAULT_TEMPLATES["resolved"]["zh-hans"]}
    )
    assert "满意回复1，基本满意回复2，不满意回复3" in template.text
    url = reverse("admin:residents_smstemplate_change", args=[template.pk])
    html = client.get(url).content.decode()
    assert "【滨西社区】您的诉求BX-2026-000123已办结" in html
    assert "segment(s)" in html or "条短信" in html
    data = {
        "kind": "resolved",
        "language": "zh-hans",
        "text": "您的诉求{referense}已办结",
        "provider_code": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "referense" in response.content.decode()
    data["text"] = "您的诉求{reference已办结"
    assert client.post(url, data).status_code == 200
    template.refresh_from_db()
    assert "满意回复1" in template.text  # nothing saved
    assert client.get(reverse("admin:residents_smsmessage_changelist")).status_code == 200


def test_while_publishing_is_paused_rows_are_written_and_nothing_is_queued(
    resident, published, django_capture_on_commit_callbacks
):
    """seed_demo's invented history: its messages are dropped before the commit, so none is published."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, services.publishing_paused():
        message = queue(resident)
    assert callbacks == [] and published == []
    assert SmsMessage.objects.get(pk=message.pk).state == "pending"  # the sweep's, if it were kept
    with django_capture_on_commit_callbacks(execute=True):
        queue(resident, kind="accepted")
    assert len(published) == 1  # paused only inside the block

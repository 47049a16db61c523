"""Desk-session announcements (DESIGN §4.5): the day before a session, one SMS to each number of the
residents of the grids its stop covers who agreed to announcements; idempotent; within quiet hours
and the daily cap (held with the reason); a cancelled session announces nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from desks.models import DeskSession
from desks.services import DeskError, session_announce, session_cancel, sessions_announce
from desks.services.announcements import announcement_subject
from residents.sms import backends, services
from residents.sms.models import SmsMessage
from residents.sms.tasks import deliver_sms
from tests.desks.factories import DeskSessionFactory, StopFactory
from tests.factories import CommunityFactory, GridFactory, ResidentFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 2)
TOMORROW = TODAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "residents.sms.backends.LocmemBackend"
    backends.outbox.clear()
    yield backends.outbox
    backends.outbox.clear()


@pytest.fixture
def published(monkeypatch):
    calls = []
    monkeypatch.setattr(deliver_sms, "apply_async", lambda args, **options: calls.append(args[0]))
    return calls


@pytest.fixture
def place(binxi):
    """A stop covering 第一网格 (not 第二网格), and who lives where."""
    covered, other = (
        GridFactory(community=binxi, name="第一网格"),
        GridFactory(community=binxi, name="第二网格"),
    )
    stop = StopFactory(community=binxi, name="冶金厂家属院")
    stop.grids.add(covered)

    def resident(grid=covered, **fields):
        return ResidentFactory(community=binxi, grid=grid, **{"announcement_consent": True, **fields})

    people = {
        "wang": resident(phone="+8613800000001"),
        # A couple on one phone: one message.
        "li": resident(phone="+8613800000002"),
        "li_wife": resident(phone="+8613800000002"),
        "no_consent": resident(phone="+8613800000003", announcement_consent=False),  # status SMS only
        "elsewhere": resident(grid=other, phone="+8613800000004"),
        "anonymised": resident(phone="+8613800000005", anonymised_at=at(TODAY, 9)),
        "no_phone": resident(phone=""),
    }
    return stop, people


def session_at(community, stop, *, date=TOMORROW, start=dt.time(9), end=dt.time(11), **fields):
    return DeskSessionFactory(
        community=community, stop=stop, date=date, start_time=start, end_time=end, **fields
    )


def test_tomorrows_session_is_announced_once_per_consenting_number_of_the_grids_it_covers(
    binxi, place, published, django_capture_on_commit_callbacks
):
    stop, people = place
    session = session_at(binxi, stop)
    session_at(binxi, stop, date=TOMORROW + dt.timedelta(days=1))  # the day after: not yet
    with django_capture_on_commit_callbacks(execute=True):
        result = sessions_announce(today=TODAY, now=at(TODAY, 10))
    assert result == {"sessions": 1, "messages": 2}
    rows = list(SmsMessage.objects.order_by("phone"))
    assert [row.phone for row in rows] == ["+8613800000001", "+8613800000002"]
    assert {row.resident_id for row in rows} <= {people["wang"].pk, people["li"].pk, people["li_wife"].pk}
    first = rows[0]
    assert (first.kind, first.purpose, first.state) == ("announcement", "announcement", "pending")
    assert first.subject == announcement_subject(session.pk) and first.community == binxi
    assert first.text == "【滨西社区】流动办公桌12月3日 09:00-11:00在冶金厂家属院，欢迎咨询办事。回复T退订"
    assert first.segments == 1 and first.expires_at == at(TOMORROW, 9)
    assert sorted(published) == sorted(row.pk for row in rows)  # queued on commit, once each
    session.refresh_from_db()
    assert session.announced_at == at(TODAY, 10)


def test_announcing_again_sends_nothing_new(binxi, place, published, django_capture_on_commit_callbacks):
    stop, _ = place
    session = session_at(binxi, stop)
    with django_capture_on_commit_callbacks(execute=True):
        sessions_announce(today=TODAY, now=at(TODAY, 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert sessions_announce(today=TODAY, now=at(TODAY, 11)) == {"sessions": 0, "messages": 0}
    assert session_announce(session_id=session.pk, now=at(TODAY, 12)) is None
    assert SmsMessage.objects.count() == 2 and len(published) == 2


def test_the_outbox_refuses_a_second_announcement_of_a_session_to_one_number(binxi, place):
    stop, people = place
    session = session_at(binxi, stop)
    args = {
        "community": binxi,
        "residents": [people["wang"]],
        "params": {"date": "12月3日", "time": "09:00", "place": "x"},
        "subject": announcement_subject(session.pk),
        "expires_at": at(TOMORROW, 9),
        "now": at(TODAY, 10),
    }
    services.queue_announcements(**args)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.queue_announcements(**args)  # a claim bypassed: the constraint still says no


def test_the_messages_go_and_the_provider_gets_each_once(binxi, place, locmem_sms):
    stop, _ = place
    session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    for row in SmsMessage.objects.all():
        assert services.deliver(message_id=row.pk, now=at(TODAY, 10, 1)) == "sent"
        assert services.deliver(message_id=row.pk, now=at(TODAY, 10, 1)) == "skipped"
    assert sorted(message["to"] for message in locmem_sms) == ["+8613800000001", "+8613800000002"]


def test_quiet_hours_hold_the_announcement_until_morning(binxi, place, locmem_sms):
    stop, _ = place
    session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 21, 30))
    assert set(SmsMessage.objects.values_list("state", "hold_reason", "next_attempt_at")) == {
        ("held", "quiet_hours", at(TOMORROW, 8))
    }
    assert services.sweep(now=at(TOMORROW, 7, 59))["released"] == 0
    assert services.sweep(now=at(TOMORROW, 8))["released"] == 2
    for row in SmsMessage.objects.all():
        assert services.deliver(message_id=row.pk, now=at(TOMORROW, 8)) == "sent"
    assert len(locmem_sms) == 2


def test_the_daily_cap_holds_the_announcement_with_its_reason(binxi, place, locmem_sms):
    stop, people = place
    session_at(binxi, stop, start=dt.time(14), end=dt.time(16))
    for n in range(settings.SMS_DAILY_CAP):  # wang had his day's messages already
        SmsMessage.objects.create(
            community=binxi,
            kind="accepted",
            purpose="status",
            phone=people["wang"].phone,
            text=f"x{n}",
            state="sent",
            sent_at=at(TODAY, 9),
        )
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    wang = SmsMessage.objects.get(kind="announcement", phone=people["wang"].phone)
    assert services.deliver(message_id=wang.pk, now=at(TODAY, 10, 1)) == "held"
    wang.refresh_from_db()
    assert (wang.hold_reason, wang.next_attempt_at) == ("daily_cap", at(TOMORROW, 8))
    li = SmsMessage.objects.get(kind="announcement", phone=people["li"].phone)
    assert services.deliver(message_id=li.pk, now=at(TODAY, 10, 1)) == "sent"
    services.sweep(now=at(TOMORROW, 8))  # released the next morning, before the 14:00 session
    assert services.deliver(message_id=wang.pk, now=at(TOMORROW, 8)) == "sent"


def test_a_message_still_held_when_the_session_begins_is_dropped_not_sent_late(binxi, place, locmem_sms):
    stop, _ = place
    session_at(binxi, stop, start=dt.time(7, 30), end=dt.time(9))  # before quiet hours end
    sessions_announce(today=TODAY, now=at(TODAY, 21, 30))
    result = services.sweep(now=at(TOMORROW, 8))
    assert result["expired"] == 2 and result["queued"] == 0
    assert set(SmsMessage.objects.values_list("state", "error")) == {("failed", services.TOO_LATE)}
    assert locmem_sms == []


def test_a_message_claimed_after_the_session_began_is_dropped(binxi, place, locmem_sms):
    stop, _ = place
    session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    row = SmsMessage.objects.first()
    assert services.deliver(message_id=row.pk, now=at(TOMORROW, 9)) == "failed"
    assert locmem_sms == []


def test_a_cancelled_session_is_not_announced(binxi, place):
    stop, _ = place
    session_at(binxi, stop, status=DeskSession.Status.CANCELLED, cancel_reason="下雨")
    assert sessions_announce(today=TODAY, now=at(TODAY, 10)) == {"sessions": 0, "messages": 0}
    assert not SmsMessage.objects.exists()


def test_cancelling_an_announced_session_drops_what_has_not_gone(binxi, alice, place, locmem_sms):
    stop, people = place
    session = session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    gone = SmsMessage.objects.get(phone=people["wang"].phone)
    services.deliver(message_id=gone.pk, now=at(TODAY, 10, 1))
    session_cancel(session=session, by=alice, reason="下雨")
    assert dict(SmsMessage.objects.values_list("phone", "state")) == {
        people["wang"].phone: "sent",
        people["li"].phone: "failed",
    }
    assert SmsMessage.objects.get(phone=people["li"].phone).error == "the desk session was cancelled"
    assert services.sweep(now=at(TODAY, 11))["queued"] == 0


def test_a_refused_cancel_withdraws_nothing(binxi, alice, place):
    stop, _ = place
    session = session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    with pytest.raises(DeskError):
        session_cancel(session=session, by=alice, reason="  ")
    assert set(SmsMessage.objects.values_list("state", flat=True)) == {"pending"}


def test_another_communitys_residents_are_not_told(binxi, place):
    stop, _ = place
    elsewhere = CommunityFactory(name="滨东社区", code="BD")
    ResidentFactory(community=elsewhere, announcement_consent=True, phone="+8613900000009")
    session_at(binxi, stop)
    sessions_announce(today=TODAY, now=at(TODAY, 10))
    assert not SmsMessage.objects.filter(phone="+8613900000009").exists()


def test_beat_announces_tomorrows_sessions_through_the_day():
    entry = settings.CELERY_BEAT_SCHEDULE["desk-announcements"]
    assert entry["task"] == "desks.announce_sessions"
    from desks.tasks import announce_sessions

    assert announce_sessions.name == "desks.announce_sessions"


def test_the_task_announces_tomorrow(binxi, place):
    from desks.tasks import announce_sessions

    stop, _ = place
    session_at(binxi, stop, date=timezone.localdate() + dt.timedelta(days=1))
    assert announce_sessions() == {"sessions": 1, "messages": 2}
    assert announce_sessions() == {"sessions": 0, "messages": 0}

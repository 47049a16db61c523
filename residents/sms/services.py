"""The SMS outbox's actions (DESIGN §4.5), shaped like residents/rosters/services.py.

- `queue_message` / `queue_staff_sms` write a row in the CALLER's transaction (the change that owes
  the message commits with it, or neither does) and queue its delivery on commit. A broker outage
  costs at most one bounded publish and never fails the page: the row stays pending and the sweep
  queues it again.
- `deliver` claims one row with a conditional UPDATE (pending → sending, with a lease) that must
  change exactly one row, so two workers never send one message; then sends and records.
- `sweep` (beat, every SWEEP_INTERVAL_SECONDS) marks expired leases `unknown` (never resent
  automatically), releases holds whose reason passed and queues what is due.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from residents.sms import text as sms_text
from residents.sms.backends import TransportError, get_backend
from residents.sms.defaults import DEFAULT_TEMPLATES
from residents.sms.models import HoldReason, Kind, Purpose, SmsMessage, SmsTemplate, State
from residents.versioned_cache import versioned

logger = logging.getLogger(__name__)

# A pending row queued this long ago and still pending lost its task (a broker outage, a lost
# message): the sweep queues it again. The claim makes a second task harmless.
REQUEUE_AFTER = timedelta(minutes=2)
# A row held for want of consent is dropped (failed) when consent does not come within this time:
# a resident who agrees next month should not get last month's news.
NO_CONSENT_EXPIRES = timedelta(days=7)
SWEEP_BATCH = 2000
# Errors the outbox writes itself, stored in English and shown in the reader's language (a
# provider's own error text is shown as it came).
TOO_LATE = gettext_noop("too late to be worth sending")
LOST = gettext_noop("the worker was lost while sending")
NO_CONSENT_IN_TIME = gettext_noop("no consent within 7 days")


class SmsActionError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- what a message says ------------------------------------------------------------------------

SMS_TEMPLATES = "sms-templates"  # the cache's name for template rows (residents.signals bumps it)


def template_for(kind: str, language: str) -> tuple[str, str]:
    """(text, provider code) of the admin-edited template, or the built-in default (the row is
    kept in the cache between requests; saving or deleting a template outdates it)."""
    row = versioned(
        SMS_TEMPLATES,
        f"{kind}:{language}",
        lambda: (
            SmsTemplate.objects.filter(kind=kind, language=language)
            .values_list("text", "provider_code")
            .first()
        ),
    )
    if row:
        return row
    texts = DEFAULT_TEMPLATES.get(kind, {})
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE, "{text}"), ""


def signature_of(community) -> str:
    return (getattr(community, "sms_signature", "") or community.name).strip()


def render(*, community, kind: str, language: str, params: dict) -> tuple[str, str]:
    body, code = template_for(kind, language)
    return sms_text.with_signature(signature_of(community), sms_text.fill(body, params)), code


# --- holds ----------------------------------------------------------------------------------------


def _local(now: datetime) -> datetime:
    return timezone.localtime(now)


def _at(day, hhmm: tuple[int, int]) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(*hhmm)))


def _next_time(now: datetime, hhmm: tuple[int, int]) -> datetime:
    """The next moment the local clock reads hhmm (today if still ahead, else tomorrow)."""
    local = _local(now)
    candidate = _at(local.date(), hhmm)
    return candidate if candidate > now else _at(local.date() + timedelta(days=1), hhmm)


def _within(now: datetime, start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Whether the local time is in [start, end), a window that may run past midnight."""
    hm = (_local(now).hour, _local(now).minute)
    if start <= end:
        return start <= hm < end
    return hm >= start or hm < end


def in_quiet_hours(now: datetime) -> bool:
    return _within(now, settings.SMS_QUIET_START, settings.SMS_QUIET_END)


def in_office_hours(now: datetime) -> bool:
    return _within(now, settings.OFFICE_HOURS_START, settings.OFFICE_HOURS_END)


def _has_consent(message: SmsMessage) -> bool:
    if message.purpose in (Purpose.STAFF, Purpose.SERVICE):
        return True
    resident = message.resident
    if resident is None or resident.anonymised_at or not resident.phone:
        return False
    if message.purpose == Purpose.ANNOUNCEMENT:
        return resident.announcement_consent
    return resident.sms_consent


def sent_today(phone: str, now: datetime) -> int:
    day_start = _at(_local(now).date(), (0, 0))
    return SmsMessage.objects.filter(phone=phone, sent_at__gte=day_start).count()


def hold_for(message: SmsMessage, now: datetime, *, cap: bool = True) -> tuple[str, datetime | None]:
    """("", None) when the message may go now; else the reason and when to look again (None: when
    the reason passes by itself — consent given again). The cap is counted when sending (`cap`),
    not when writing: it counts what was sent, and the change that writes a row pays no query."""
    if not _has_consent(message):
        return HoldReason.NO_CONSENT, None
    if message.purpose == Purpose.STAFF:
        if not in_office_hours(now):
            return HoldReason.OFFICE_HOURS, _next_time(now, settings.OFFICE_HOURS_START)
        return "", None
    if in_quiet_hours(now):
        return HoldReason.QUIET_HOURS, _next_time(now, settings.SMS_QUIET_END)
    if (
        cap
        and message.purpose != Purpose.SERVICE
        and sent_today(message.phone, now) >= settings.SMS_DAILY_CAP
    ):
        tomorrow = _local(now).date() + timedelta(days=1)
        return HoldReason.DAILY_CAP, _at(tomorrow, settings.SMS_QUIET_END)
    return "", None


# --- writing rows (in the caller's transaction) -------------------------------------------------


def _publish_options() -> dict:
    """One connection attempt, each socket wait half of BROKER_TIMEOUT: redis-py reads twice (its
    PING on connect is retried once), so a hung broker costs about BROKER_TIMEOUT, a refused one
    nothing, and never the page."""
    wait = max(settings.BROKER_TIMEOUT / 2, 0.1)
    return {"max_retries": 0, "socket_timeout": wait, "socket_connect_timeout": wait}


def _queue(message_ids: list[int]) -> int:
    """Publish delivery tasks on one connection; stop at the first broker failure. What was not
    published stays pending for the sweep. Returns how many were published."""
    from residents.sms.tasks import deliver_sms

    routing = {"queue": settings.SMS_QUEUE} if settings.SMS_QUEUE else {}
    published = 0
    try:
        with deliver_sms.app.connection_for_write(transport_options=_publish_options()) as connection:
            for message_id in message_ids:
                deliver_sms.apply_async((message_id,), connection=connection, retry=False, **routing)
                published += 1
    except Exception:
        logger.warning(
            "%s SMS could not be queued; the sweep will queue them again", len(message_ids) - published
        )
        SmsMessage.objects.filter(pk__in=message_ids[published:], state=State.PENDING).update(queued_at=None)
    return published


# While set (seed_demo's invented history), rows are written but nothing is published for them:
# what is still pending afterwards is the sweep's to queue.
_publishing_paused: ContextVar[bool] = ContextVar("sms_publishing_paused", default=False)


@contextmanager
def publishing_paused():
    token = _publishing_paused.set(True)
    try:
        yield
    finally:
        _publishing_paused.reset(token)


def _queue_on_commit(message_ids: list[int]) -> None:
    if message_ids and not _publishing_paused.get():
        transaction.on_commit(lambda: _queue(message_ids), robust=True)


def queue_message(
    *,
    community,
    kind: str,
    phone: str,
    purpose: str,
    params: dict | None = None,
    subject: str = "",
    resident=None,
    user=None,
    language: str | None = None,
    now: datetime | None = None,
) -> SmsMessage:
    """Write one outbox row (held with its reason when it may not go now) and queue it on commit."""
    now = now or timezone.now()
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):  # lazy labels become the message's language
        params = {key: str(value) for key, value in (params or {}).items()}
        text, code = render(community=community, kind=kind, language=language, params=params)
    message = SmsMessage(
        community=community,
        kind=kind,
        purpose=purpose,
        phone=phone,
        resident=resident,
        user=user,
        subject=subject[:40],
        language=language,
        text=text,
        template_code=code,
        params={**params, "_signature": signature_of(community)} if code else params,
        segments=sms_text.segment_count(text),
        created_at=now,
        next_attempt_at=now,
    )
    reason, until = hold_for(message, now, cap=False)
    if reason:
        message.state, message.hold_reason = State.HELD, reason
        message.next_attempt_at = until or now
    else:
        message.queued_at = now
    message.save()
    if not reason:
        _queue_on_commit([message.pk])
    return message


def queue_resident_message(
    *,
    resident,
    kind: str,
    params: dict,
    subject: str = "",
    purpose: str = Purpose.STATUS,
    now=None,
    community=None,
) -> SmsMessage | None:
    """A message to a resident's phone; None when there is no number to send to."""
    if resident is None or not resident.phone or resident.anonymised_at:
        return None
    return queue_message(
        community=community or resident.community,
        kind=kind,
        phone=resident.phone,
        purpose=purpose,
        params=params,
        subject=subject,
        resident=resident,
        now=now,
    )


def queue_staff_sms(
    *, community, user, phone: str, text: str, subject: str = "", now=None
) -> SmsMessage | None:
    """An SMS to a member of staff (a reminder): office hours only — outside them it is held until
    the next start of office hours. The caller decides who asked for SMS (the membership's
    `wants_sms_reminders`) and passes the membership's staff phone. None without a phone."""
    if not phone:
        return None
    return queue_message(
        community=community,
        kind=Kind.STAFF_REMINDER,
        phone=phone,
        purpose=Purpose.STAFF,
        params={"text": text},
        subject=subject,
        user=user,
        now=now,
    )


def queue_announcements(
    *,
    community,
    residents,
    params: dict,
    subject: str,
    expires_at: datetime,
    now: datetime | None = None,
) -> list[SmsMessage]:
    """One desk-session announcement per number of `residents` (who agreed to announcements), in
    the caller's transaction, queued on commit in one publish. The text is rendered once: everyone
    gets the same words. Residents sharing a number get one message. The caller claims the session
    first (two runs must not both write); the unique constraint on (subject, number) stands behind
    it. Rows not sent by `expires_at` (the session has begun) are dropped, not sent late."""
    now = now or timezone.now()
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        params = {key: str(value) for key, value in params.items()}
        text, code = render(community=community, kind=Kind.ANNOUNCEMENT, language=language, params=params)
    stored_params = {**params, "_signature": signature_of(community)} if code else params
    segments = sms_text.segment_count(text)
    rows, numbers = [], set()
    for resident in residents:
        if not resident.phone or resident.anonymised_at or resident.phone in numbers:
            continue
        numbers.add(resident.phone)
        message = SmsMessage(
            community=community,
            kind=Kind.ANNOUNCEMENT,
            purpose=Purpose.ANNOUNCEMENT,
            phone=resident.phone,
            resident=resident,
            subject=subject[:40],
            language=language,
            text=text,
            template_code=code,
            params=stored_params,
            segments=segments,
            created_at=now,
            next_attempt_at=now,
            expires_at=expires_at,
        )
        reason, until = hold_for(message, now, cap=False)
        if reason:
            message.state, message.hold_reason = State.HELD, reason
            message.next_attempt_at = until or now
        else:
            message.queued_at = now
        rows.append(message)
    if not rows:
        return []
    created = SmsMessage.objects.bulk_create(rows, batch_size=500)
    _queue_on_commit([message.pk for message in created if message.state == State.PENDING])
    return created


def messages_withdraw(*, subject: str, kind: str, reason: str) -> int:
    """Drop the messages of `kind` about `subject` that have not gone yet (pending or held): a
    cancelled desk session's announcement. What is being sent or was sent stays as it is."""
    return SmsMessage.objects.filter(
        subject=subject, kind=kind, state__in=[State.PENDING, State.HELD]
    ).update(state=State.FAILED, error=reason[:300], hold_reason="", lease_until=None)


# --- delivering one row (a worker) ----------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.SMS_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def deliver(*, message_id: int, now: datetime | None = None, backend=None) -> str:
    """Claim, send, record. Returns the state the row ended in, or "skipped" when it was not ours
    (already claimed by another worker, sent, held, or not due): a redelivered task changes nothing."""
    now = now or timezone.now()
    claimed = SmsMessage.objects.filter(pk=message_id, state=State.PENDING, next_attempt_at__lte=now).update(
        state=State.SENDING,
        lease_until=now + timedelta(seconds=settings.SMS_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return "skipped"
    message = SmsMessage.objects.select_related("resident").get(pk=message_id)
    mine = SmsMessage.objects.filter(pk=message_id, state=State.SENDING)
    if message.expires_at and now >= message.expires_at:
        mine.update(state=State.FAILED, error=TOO_LATE, lease_until=None)
        return State.FAILED
    reason, until = hold_for(message, now)
    if reason:
        mine.update(state=State.HELD, hold_reason=reason, next_attempt_at=until or now, lease_until=None)
        return State.HELD
    try:
        provider_id = (backend or get_backend()).send(message)
    except TransportError as exc:
        return _failed_attempt(message, exc.message, permanent=exc.permanent, now=now)
    except Exception as exc:  # a bug in a backend must not leave the row leased forever
        logger.exception("SMS %s: the backend failed", message_id)
        return _failed_attempt(message, f"{type(exc).__name__}", permanent=False, now=now)
    sent_at = timezone.now()
    # The lease may have expired meanwhile (the sweep said unknown): we know better now.
    done = SmsMessage.objects.filter(pk=message_id, state__in=[State.SENDING, State.UNKNOWN]).update(
        state=State.SENT, provider_id=provider_id[:80], sent_at=sent_at, lease_until=None, error=""
    )
    return State.SENT if done else "skipped"


def _failed_attempt(message: SmsMessage, error: str, *, permanent: bool, now: datetime) -> str:
    mine = SmsMessage.objects.filter(pk=message.pk, state=State.SENDING)
    if permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
        mine.update(state=State.FAILED, error=error[:300], lease_until=None)
        return State.FAILED
    mine.update(
        state=State.PENDING,
        error=error[:300],
        lease_until=None,
        queued_at=None,
        next_attempt_at=now + _backoff(message.attempts),
    )
    return State.PENDING


# --- the sweep ------------------------------------------------------------------------------------


def _release_consented(now: datetime) -> int:
    held = SmsMessage.objects.filter(state=State.HELD, hold_reason=HoldReason.NO_CONSENT)
    consented = held.filter(
        Q(purpose=Purpose.STATUS, resident__sms_consent=True)
        | Q(purpose=Purpose.ANNOUNCEMENT, resident__announcement_consent=True),
        resident__anonymised_at__isnull=True,
        created_at__gte=now - NO_CONSENT_EXPIRES,
    )
    return consented.update(state=State.PENDING, hold_reason="", next_attempt_at=now, queued_at=None)


def sweep(*, now: datetime | None = None) -> dict:
    """Idempotent; safe to run in two beats at once (every change is a conditional UPDATE)."""
    now = now or timezone.now()
    unknown = SmsMessage.objects.filter(state=State.SENDING, lease_until__lt=now).update(
        state=State.UNKNOWN, lease_until=None, error=LOST
    )
    released = (
        SmsMessage.objects.filter(state=State.HELD, next_attempt_at__lte=now)
        .exclude(hold_reason=HoldReason.NO_CONSENT)
        .update(state=State.PENDING, hold_reason="", queued_at=None)
    )
    released += _release_consented(now)
    expired = SmsMessage.objects.filter(
        state=State.HELD, hold_reason=HoldReason.NO_CONSENT, created_at__lt=now - NO_CONSENT_EXPIRES
    ).update(state=State.FAILED, error=NO_CONSENT_IN_TIME)
    expired += SmsMessage.objects.filter(
        state__in=[State.PENDING, State.HELD], expires_at__isnull=False, expires_at__lte=now
    ).update(state=State.FAILED, hold_reason="", error=TOO_LATE)
    due = list(
        SmsMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if due:
        SmsMessage.objects.filter(pk__in=due, state=State.PENDING).update(queued_at=now)
    queued = _queue(due) if due else 0
    return {"unknown": unknown, "released": released, "expired": expired, "queued": queued}


# --- by hand --------------------------------------------------------------------------------------


def message_resend(*, actor, message_id: int, now: datetime | None = None) -> bool:
    """A supervisor sends an unknown or failed message again (the provider may already have it:
    the page says so). False when it was no longer unknown or failed (two clicks)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = SmsMessage.objects.filter(pk=message_id, state__in=[State.UNKNOWN, State.FAILED]).update(
            state=State.PENDING,
            attempts=0,
            error="",
            hold_reason="",
            next_attempt_at=now,
            queued_at=now,
            resent_by=actor,
            resent_at=now,
        )
        if changed:
            _queue_on_commit([message_id])
    return bool(changed)


def record_receipt(*, provider_id: str, delivered: bool, now: datetime | None = None) -> int:
    """A delivery receipt: sent (or unknown, or still sending) → delivered / undelivered."""
    now = now or timezone.now()
    return SmsMessage.objects.filter(
        provider_id=provider_id, state__in=[State.SENT, State.SENDING, State.UNKNOWN, State.UNDELIVERED]
    ).update(
        state=State.DELIVERED if delivered else State.UNDELIVERED,
        delivered_at=now if delivered else None,
        lease_until=None,
    )

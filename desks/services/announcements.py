"""Desk-session announcements (DESIGN §4.5): the day before a session, one SMS to each number of the
residents of the grids its stop covers who agreed to announcements (a consent separate from status
SMS).

`sessions_announce` runs from beat several times a day and is idempotent: each session is claimed
by a conditional UPDATE of `announced_at` (null → now) in the same transaction that writes its
messages, so a second run — or two beats at once — writes nothing; the outbox's unique
(subject, number) for announcements stands behind the claim. Quiet hours and the daily cap are the
outbox's business (it holds a message with its reason); a message still unsent when the session
begins is dropped, not sent late. A cancelled session is not announced, and cancelling one that
was withdraws what has not gone yet (DESIGN asks for no cancellation message).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from desks.models import DeskSession
from residents.models import Resident
from residents.sms.models import Kind
from residents.sms.services import messages_withdraw, queue_announcements

logger = logging.getLogger(__name__)

CANCELLED = gettext_noop("the desk session was cancelled")


def announcement_subject(session_id: int) -> str:
    """How the outbox names the session (no foreign key into desks)."""
    return f"desk-session-{session_id}"


def _day(day: dt.date) -> str:
    """The date as the message's language writes it (messages go in the site's language)."""
    if settings.LANGUAGE_CODE.startswith("zh"):
        return f"{day.month}月{day.day}日"
    return day.isoformat()


def _recipients(session: DeskSession):
    return (
        Resident.objects.filter(
            community_id=session.community_id,
            grid__stops=session.stop_id,
            announcement_consent=True,
            anonymised_at__isnull=True,
        )
        .exclude(phone="")
        .order_by("id")
        .distinct()
    )


def session_announce(*, session_id: int, now: dt.datetime | None = None) -> int | None:
    """Announce one planned session; how many messages were written, or None when it was not ours
    to announce (announced already, no longer planned)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = DeskSession.objects.filter(
            pk=session_id, status=DeskSession.Status.PLANNED, announced_at__isnull=True
        ).update(announced_at=now)
        if claimed != 1:
            return None
        session = DeskSession.objects.select_related("community", "stop").get(pk=session_id)
        starts = timezone.make_aware(dt.datetime.combine(session.date, session.start_time))
        messages = queue_announcements(
            community=session.community,
            residents=_recipients(session),
            params={
                "date": _day(session.date),
                "time": f"{session.start_time:%H:%M}-{session.end_time:%H:%M}",
                "place": session.stop.name,
            },
            subject=announcement_subject(session.pk),
            expires_at=starts,
            now=now,
        )
    return len(messages)


def sessions_announce(*, today: dt.date, now: dt.datetime | None = None) -> dict:
    """Announce tomorrow's planned sessions not yet announced (beat, idempotent)."""
    tomorrow = today + dt.timedelta(days=1)
    ids = list(
        DeskSession.objects.filter(
            date=tomorrow, status=DeskSession.Status.PLANNED, announced_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sessions = messages = 0
    for session_id in ids:
        try:
            written = session_announce(session_id=session_id, now=now)
        except Exception:  # one session's failure must not keep the others from their residents
            logger.exception("Desk session %s could not be announced", session_id)
            continue
        if written is not None:
            sessions += 1
            messages += written
    return {"sessions": sessions, "messages": messages}


def session_withdraw_announcement(*, session_id: int) -> int:
    """The session will not happen: drop its announcements that have not gone yet."""
    return messages_withdraw(
        subject=announcement_subject(session_id), kind=Kind.ANNOUNCEMENT, reason=CANCELLED
    )

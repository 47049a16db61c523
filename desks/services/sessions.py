"""Actions on desk sessions: one function per action (STYLE.md).

Each action locks the session row (`select_for_update`), checks the actor's role in the session's
community (DESIGN §4.2) and the current status against `TRANSITIONS`, writes with `update_fields`,
and nothing else. An action the rules do not allow raises `DeskError`; the view shows its message
and nothing changes. No other code writes `DeskSession.status`.

Who may do what (DESIGN §4.2 names desk work, not each button; this is how it is read here):
- open / close a session, count walk-ups, keep notes: anyone who works at the desk
  (`Can.LOG_REQUESTS`: volunteers, desk staff, grid workers, supervisors);
- cancel: supervisors, or a desk worker on the session's team;
- plan and change sessions, routes and stops: supervisors (`Can.SUPERVISE`);
- record a screening (screenings.py): `Can.HEALTH` (supervisors; others only with the health
  permission), and only for a resident who agreed to health data being kept.

Routes, stops and generating a route's sessions are in routes.py.
"""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from desks.models import DeskSession
from desks.services.announcements import session_withdraw_announcement
from desks.services.common import DeskError, require_can
from residents.roles import Can
from residents.scoping import can

Status = DeskSession.Status

# action → (the statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({Status.PLANNED}), Status.OPEN),
    "close": (frozenset({Status.OPEN}), Status.CLOSED),
    "cancel": (frozenset({Status.PLANNED}), Status.CANCELLED),
}


def can_work(user, session: DeskSession) -> bool:
    return can(user, session.community_id, Can.LOG_REQUESTS)


def can_cancel(user, session: DeskSession, team_ids: set[int] | None = None) -> bool:
    """Supervisors, or a desk worker on the team; `team_ids` spares a query when already loaded."""
    if can(user, session.community_id, Can.SUPERVISE):
        return True
    if not can_work(user, session):
        return False
    if team_ids is None:
        team_ids = set(session.team.values_list("pk", flat=True))
    return user.pk in team_ids


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def _locked(session: DeskSession) -> DeskSession:
    return DeskSession.objects.select_for_update().get(pk=session.pk)


def _check_transition(action: str, session: DeskSession) -> str:
    sources, target = TRANSITIONS[action]
    if session.status not in sources:
        messages = {
            "open": _("Only a planned session can be opened; this one is %(status)s."),
            "close": _("Only an open session can be closed; this one is %(status)s."),
            "cancel": _("Only a planned session can be cancelled; this one is %(status)s."),
        }
        raise DeskError(messages[action] % {"status": session.get_status_display()})
    return target


def _copy_back(target: DeskSession, source: DeskSession, fields: list[str]) -> None:
    for field in fields:
        setattr(target, field, getattr(source, field))


def session_open(
    *, session: DeskSession, by: AbstractBaseUser, now: dt.datetime | None = None
) -> DeskSession:
    """planned → open. A session cannot be opened before its day."""
    require_can(by, session.community_id, Can.LOG_REQUESTS)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(session)
        target = _check_transition("open", locked)
        if locked.date > timezone.localdate(now):
            raise DeskError(
                _("This session is planned for %(date)s; it can be opened on that day.")
                % {"date": locked.date.isoformat()}
            )
        locked.status, locked.opened_at = target, now
        locked.save(update_fields=["status", "opened_at"])
    _copy_back(session, locked, ["status", "opened_at"])
    return session


def session_close(
    *, session: DeskSession, by: AbstractBaseUser, now: dt.datetime | None = None
) -> DeskSession:
    """open → closed."""
    require_can(by, session.community_id, Can.LOG_REQUESTS)
    with transaction.atomic():
        locked = _locked(session)
        locked.status = _check_transition("close", locked)
        locked.closed_at = now or timezone.now()
        locked.save(update_fields=["status", "closed_at"])
    _copy_back(session, locked, ["status", "closed_at"])
    return session


def sessions_close_left_open(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """Close every session still open after its day (the team went home without pressing Close),
    marked as closed automatically; how many. Run each night: a stale open session would go on
    taking screenings and be offered as the desk at intake days later."""
    # One UPDATE: it locks the rows it changes, and a session closed by hand meanwhile no longer
    # matches status=open.
    return DeskSession.objects.filter(status=Status.OPEN, date__lt=today).update(
        status=Status.CLOSED, closed_at=now or timezone.now(), closed_automatically=True
    )


def session_cancel(*, session: DeskSession, by: AbstractBaseUser, reason: str) -> DeskSession:
    """planned → cancelled, with the reason residents and the team will be told (rain, …)."""
    reason = (reason or "").strip()
    if not reason:
        raise DeskError(_("Give a reason for cancelling, e.g. rain."))
    with transaction.atomic():
        locked = _locked(session)
        if not can_cancel(by, locked):
            raise PermissionDenied
        locked.status = _check_transition("cancel", locked)
        locked.cancel_reason = reason[:200]
        locked.save(update_fields=["status", "cancel_reason"])
        if locked.announced_at:
            session_withdraw_announcement(session_id=locked.pk)
    _copy_back(session, locked, ["status", "cancel_reason"])
    return session


def session_count_walk_up(*, session: DeskSession, by: AbstractBaseUser, delta: int) -> int:
    """Add one walk-up who only asked a question (or take back a mistaken one); the new tally."""
    require_can(by, session.community_id, Can.LOG_REQUESTS)
    if delta not in (1, -1):
        raise DeskError(_("Count walk-ups one at a time."))
    with transaction.atomic():
        locked = _locked(session)
        if locked.status != Status.OPEN:
            raise DeskError(_("Walk-ups are counted while the session is open."))
        if delta < 0 and locked.walk_up_count == 0:
            raise DeskError(_("There are no walk-ups to take back."))
        DeskSession.objects.filter(pk=locked.pk).update(walk_up_count=F("walk_up_count") + delta)
        count = DeskSession.objects.values_list("walk_up_count", flat=True).get(pk=locked.pk)
    session.walk_up_count = count
    return count


def session_notes_save(*, session: DeskSession, by: AbstractBaseUser, notes: str) -> DeskSession:
    require_can(by, session.community_id, Can.LOG_REQUESTS)
    with transaction.atomic():
        locked = _locked(session)
        locked.notes = notes.strip()
        locked.save(update_fields=["notes"])
    session.notes = locked.notes
    return session


# What a session shares with its route: changing any of these by hand detaches it from the route.
ROUTE_FIELDS = ("start_time", "end_time", "partners", "services")


def session_save(
    *,
    session: DeskSession | None,
    community_id: int,
    by: AbstractBaseUser,
    stop,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    team: list,
    partners: str,
    services: list[str],
) -> DeskSession:
    """Plan a one-off session, or change a planned or open one (supervisors).

    A route's session keeps its stop and date (they are how the route finds it again); changing its
    times, team, partners or services marks it edited by hand, so the route leaves it alone.
    """
    require_can(by, community_id, Can.SUPERVISE)
    if stop.community_id != community_id or any(not can(u, community_id, Can.LOG_REQUESTS) for u in team):
        raise DeskError(_("The stop and the team must belong to the session's community."))
    if end_time <= start_time:
        raise DeskError(_("The session must end after it starts."))
    values = {
        "start_time": start_time,
        "end_time": end_time,
        "partners": partners.strip(),
        "services": [s for s in DeskSession.Service.values if s in set(services)],
    }
    team_ids = {u.pk for u in team}
    with transaction.atomic():
        if session is None:
            session = DeskSession.objects.create(community_id=community_id, stop=stop, date=date, **values)
            session.team.set(team_ids)
            return session
        locked = _locked(session)
        if locked.is_finished:
            raise DeskError(_("A closed or cancelled session cannot be changed."))
        changed = [f for f, v in values.items() if getattr(locked, f) != v]
        team_changed = set(locked.team.values_list("pk", flat=True)) != team_ids
        if locked.route_id is None:
            changed += [f for f, v in (("stop", stop), ("date", date)) if getattr(locked, f) != v]
            locked.stop, locked.date = stop, date
        elif (stop.pk, date) != (locked.stop_id, locked.date):
            raise DeskError(
                _("A route's session keeps its stop and date; cancel it and plan a one-off session instead.")
            )
        for field, value in values.items():
            setattr(locked, field, value)
        if locked.route_id is not None and (changed or team_changed):
            locked.edited_by_hand = True
            changed.append("edited_by_hand")
        if changed:
            locked.save(update_fields=changed)
        if team_changed:
            locked.team.set(team_ids)
    return locked

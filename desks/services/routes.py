"""Stops, routes, and generating a route's sessions for the coming weeks (fixed time, route, area).

Generating is idempotent: a session is known by (route, stop, date) — a unique constraint — so a
second run creates nothing. Changing a route (its times, team, partners, services, stops, weekday,
or switching it off) is carried to the route's *future planned* sessions: those after `today` that
nobody has opened, cancelled or edited by hand. Past sessions, today's, and anything that has
started are left as they are; a future planned session whose stop or weekday is no longer on the
route is removed (or, if something already points at it, cancelled with the reason).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from desks.models import DeskSession, Route, RouteStop, Stop
from desks.services.announcements import session_withdraw_announcement
from desks.services.common import DeskError, require_can
from residents.roles import Can
from residents.scoping import can

logger = logging.getLogger(__name__)

MAX_WEEKS = 26


@dataclass(frozen=True)
class StopVisit:
    """One stop of a route, in order, with the time the desk spends there."""

    stop: Stop
    start_time: dt.time
    end_time: dt.time


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    left_alone: int = 0
    dates: list[dt.date] = field(default_factory=list)
    failed_routes: list[int] = field(default_factory=list)  # ids of routes whose generation raised


def visit_problems(*, start_time: dt.time, end_time: dt.time, visits: list[StopVisit]) -> list[str]:
    """What is wrong with a route's window and stops, in the order a person would fix it."""
    problems = []
    if end_time <= start_time:
        problems.append(_("The route must end after it starts."))
    if not visits:
        problems.append(_("Add at least one stop."))
    seen: set[int] = set()
    previous: StopVisit | None = None
    for visit in visits:
        name = visit.stop.name
        if visit.stop.pk in seen:
            problems.append(_("%(stop)s is on the route twice.") % {"stop": name})
        seen.add(visit.stop.pk)
        if visit.end_time <= visit.start_time:
            problems.append(_("At %(stop)s the desk must leave after it arrives.") % {"stop": name})
        elif visit.start_time < start_time or visit.end_time > end_time:
            problems.append(
                _("%(stop)s (%(start)s–%(end)s) is outside the route's time window.")
                % {"stop": name, "start": f"{visit.start_time:%H:%M}", "end": f"{visit.end_time:%H:%M}"}
            )
        if previous and visit.start_time < previous.end_time:
            problems.append(
                _("%(stop)s starts before the desk leaves %(previous)s.")
                % {"stop": name, "previous": previous.stop.name}
            )
        previous = visit
    return problems


def stop_save(
    *,
    stop: Stop | None,
    community_id: int,
    by: AbstractBaseUser,
    name: str,
    kind: str,
    address: str,
    grids: list,
) -> Stop:
    require_can(by, community_id, Can.SUPERVISE)
    if any(grid.community_id != community_id for grid in grids):
        raise DeskError(_("The grids must belong to the stop's community."))
    with transaction.atomic():
        if stop is None:
            stop = Stop(community_id=community_id)
        elif stop.community_id != community_id:
            raise DeskError(_("A stop stays in its community."))
        stop.name, stop.kind, stop.address = name.strip(), kind, address.strip()
        stop.save()
        stop.grids.set(grids)
    return stop


def route_save(
    *,
    route: Route | None,
    community_id: int,
    by: AbstractBaseUser,
    name: str,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    team: list,
    partners: str,
    services: list[str],
    is_active: bool,
    visits: list[StopVisit],
    today: dt.date,
) -> tuple[Route, GenerationResult]:
    """Create or change a route and its ordered stops; carry the change to its future sessions."""
    require_can(by, community_id, Can.SUPERVISE)
    problems = visit_problems(start_time=start_time, end_time=end_time, visits=visits)
    if problems:
        raise DeskError(problems[0])
    if any(v.stop.community_id != community_id for v in visits) or any(
        not can(u, community_id, Can.LOG_REQUESTS) for u in team
    ):
        raise DeskError(_("The stops and the team must belong to the route's community."))
    with transaction.atomic():
        if route is None:
            route = Route(community_id=community_id)
        else:
            route = Route.objects.select_for_update().get(pk=route.pk)
        route.name, route.weekday = name.strip(), weekday
        route.start_time, route.end_time = start_time, end_time
        route.partners = partners.strip()
        route.services = [s for s in DeskSession.Service.values if s in set(services)]
        route.is_active = is_active
        route.save()
        route.team.set(team)
        # Positions are rewritten as a whole: updating them row by row would trip the unique
        # (route, position) constraint halfway through a reordering.
        route.route_stops.all().delete()
        RouteStop.objects.bulk_create(
            RouteStop(route=route, stop=v.stop, position=i, start_time=v.start_time, end_time=v.end_time)
            for i, v in enumerate(visits, start=1)
        )
        result = _generate(route, weeks=_planned_weeks(route, today), today=today)
    return route, result


def _planned_weeks(route: Route, today: dt.date) -> int:
    """How many weeks ahead the route's sessions were planned: a change (a new weekday, a new stop)
    is planned as far ahead at once, rather than leaving the weeks empty until the night's run."""
    if route.pk is None:
        return 0
    furthest = route.sessions.filter(date__gte=today).aggregate(furthest=Max("date"))["furthest"]
    return 0 if furthest is None else min(MAX_WEEKS, (furthest - today).days // 7 + 1)


def route_generate_sessions(
    *, route: Route, weeks: int, today: dt.date, by: AbstractBaseUser | None = None
) -> GenerationResult:
    """Create the route's sessions from `today` for `weeks` weeks; bring future planned ones up to date.

    Safe to run any number of times (a button, a management command, a beat task): the route row
    is locked, so two runs at once queue, and the second finds everything in place.
    `weeks=0` creates nothing and only carries changes to the sessions that exist.
    """
    if by is not None:
        require_can(by, route.community_id, Can.SUPERVISE)
    if not 0 <= weeks <= MAX_WEEKS:
        raise DeskError(_("Sessions can be planned up to %(weeks)s weeks ahead.") % {"weeks": MAX_WEEKS})
    with transaction.atomic():
        locked = Route.objects.select_for_update().get(pk=route.pk)
        return _generate(locked, weeks=weeks, today=today)


def routes_generate_all(*, weeks: int, today: dt.date) -> GenerationResult:
    """Every active route (and every switched-off one, so its future sessions go): one total.

    Each route is generated in its own transaction, so one route that fails (bad data, a bug) is
    rolled back, logged and counted in `failed_routes`, and the routes after it are still planned.
    """
    total = GenerationResult()
    for route in Route.objects.order_by("pk"):
        try:
            result = route_generate_sessions(route=route, weeks=weeks if route.is_active else 0, today=today)
        except Exception:
            # route_generate_sessions' own atomic block has rolled this route back; name it by id only.
            logger.exception("generating sessions failed for route %s", route.pk)
            total.failed_routes.append(route.pk)
            continue
        total.created += result.created
        total.updated += result.updated
        total.removed += result.removed
        total.left_alone += result.left_alone
    return total


def _generate(route: Route, *, weeks: int, today: dt.date) -> GenerationResult:
    """The work of route_generate_sessions, for a route row the caller has locked."""
    result = GenerationResult()
    visits = {rs.stop_id: rs for rs in route.route_stops.all()}
    team_ids = set(route.team.values_list("pk", flat=True))
    wanted = {"partners": route.partners, "services": list(route.services)}
    first = today + dt.timedelta(days=(route.weekday - today.weekday()) % 7)
    if route.is_active and weeks:
        result.dates = [first + dt.timedelta(weeks=n) for n in range(weeks)]

    existing = list(route.sessions.filter(date__gte=today).prefetch_related("team"))
    known = {(s.stop_id, s.date) for s in existing}
    for session in existing:
        if session.date <= today or session.status != DeskSession.Status.PLANNED or session.edited_by_hand:
            result.left_alone += 1
            continue
        visit = visits.get(session.stop_id) if route.is_active else None
        if visit is None or session.date.weekday() != route.weekday:
            _remove(session)
            result.removed += 1
            continue
        values = wanted | {"start_time": visit.start_time, "end_time": visit.end_time}
        changed = [name for name, value in values.items() if getattr(session, name) != value]
        for name in changed:
            setattr(session, name, values[name])
        if changed:
            session.save(update_fields=changed)
        team_changed = {u.pk for u in session.team.all()} != team_ids
        if team_changed:
            session.team.set(team_ids)
        result.updated += bool(changed or team_changed)

    new = [
        DeskSession(
            community_id=route.community_id,
            route=route,
            stop_id=visit.stop_id,
            date=day,
            start_time=visit.start_time,
            end_time=visit.end_time,
            **wanted,
        )
        for day in result.dates
        for visit in visits.values()
        if (visit.stop_id, day) not in known
    ]
    if new:
        created = DeskSession.objects.bulk_create(new)
        Team = DeskSession.team.through
        Team.objects.bulk_create(Team(desksession_id=s.pk, user_id=u) for s in created for u in team_ids)
        result.created = len(created)
    return result


def _remove(session: DeskSession) -> None:
    """A future planned session the route no longer has: delete it, or cancel it if it is referred to."""
    if session.announced_at:
        session_withdraw_announcement(session_id=session.pk)
    try:
        with transaction.atomic():
            session.delete()
    except (ProtectedError, RestrictedError):
        session.status = DeskSession.Status.CANCELLED
        session.cancel_reason = _("The route changed.")
        session.save(update_fields=["status", "cancel_reason"])

"""Reads for the desk pages: the week calendar, a session's hub, routes, stops, screenings.

Every function takes the user and returns rows of the user's communities only (residents.scoping);
each page costs a fixed number of queries whatever its number of rows.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet

from desks.models import DeskSession, Route, RouteStop, Screening, Stop
from residents.members import members
from residents.models import Grid, Resident
from residents.roles import Can
from residents.scoping import communities_where, get_scoped_or_404, scoped


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in."""
    return day - dt.timedelta(days=day.weekday())


def _team_prefetch() -> Prefetch:
    User = get_user_model()
    return Prefetch("team", queryset=User.objects.order_by("last_name", "first_name", "username"))


def sessions_in(
    *, user, first: dt.date, last: dt.date, community_id: int | None = None
) -> QuerySet[DeskSession]:
    """Sessions of the user's communities from `first` to `last` (both included), in time order."""
    queryset = scoped(DeskSession.objects.all(), user).filter(date__gte=first, date__lte=last)
    if community_id is not None:
        queryset = queryset.filter(community_id=community_id)
    return (
        queryset.select_related("stop", "route", "community")
        .prefetch_related(_team_prefetch())
        .order_by("date", "start_time", "stop__name", "pk")
    )


def week_days(*, user, monday: dt.date, community_id: int | None = None) -> list[tuple[dt.date, list]]:
    """Seven (day, sessions) pairs for the week that starts on `monday`."""
    by_day: dict[dt.date, list[DeskSession]] = {monday + dt.timedelta(days=n): [] for n in range(7)}
    sunday = monday + dt.timedelta(days=6)
    for session in sessions_in(user=user, first=monday, last=sunday, community_id=community_id):
        by_day[session.date].append(session)
    return list(by_day.items())


def session_for_hub(*, user, pk: int) -> DeskSession:
    queryset = DeskSession.objects.select_related("stop", "route", "community").prefetch_related(
        _team_prefetch(), "stop__grids"
    )
    return get_scoped_or_404(queryset, user, pk=pk)


def session_screenings(*, session: DeskSession) -> QuerySet[Screening]:
    """The screenings recorded at a session, newest first (only for users with Can.HEALTH)."""
    return session.screenings.select_related("resident", "recorded_by").order_by("-recorded_at", "-pk")


def resident_screenings(*, resident: Resident) -> QuerySet[Screening]:
    return resident.screenings.select_related("session__stop", "recorded_by").order_by("-recorded_at", "-pk")


def resident_at_desk(*, user, session: DeskSession, pk) -> Resident:
    """A resident of the session's community (404 otherwise, and for anyone outside it)."""
    queryset = Resident.objects.select_related("grid").filter(community_id=session.community_id)
    return get_scoped_or_404(queryset, user, pk=pk)


def todays_sessions(*, user, today: dt.date) -> QuerySet[DeskSession]:
    return sessions_in(user=user, first=today, last=today)


def routes(*, user) -> QuerySet[Route]:
    return (
        scoped(Route.objects.all(), user)
        .select_related("community")
        .annotate(stop_count=Count("route_stops"))
        .order_by("community__name", "-is_active", "weekday", "start_time", "pk")
    )


def route_detail(*, user, pk: int) -> Route:
    stops = RouteStop.objects.select_related("stop").prefetch_related("stop__grids").order_by("position")
    queryset = Route.objects.select_related("community").prefetch_related(
        Prefetch("route_stops", queryset=stops), _team_prefetch()
    )
    return get_scoped_or_404(queryset, user, pk=pk)


def route_upcoming_sessions(*, route: Route, today: dt.date, limit: int = 30) -> QuerySet[DeskSession]:
    return (
        route.sessions.filter(date__gte=today)
        .select_related("stop")
        .order_by("date", "start_time", "pk")[:limit]
    )


def stops(*, user, community_id: int | None = None) -> QuerySet[Stop]:
    queryset = scoped(Stop.objects.all(), user)
    if community_id is not None:
        queryset = queryset.filter(community_id=community_id)
    return queryset.select_related("community").prefetch_related("grids").order_by("community__name", "name")


def stop_for_edit(*, user, pk: int) -> Stop:
    return get_scoped_or_404(Stop.objects.select_related("community"), user, pk=pk)


def community_stops(*, community_id: int) -> QuerySet[Stop]:
    return Stop.objects.filter(community_id=community_id).order_by("name")


def community_grids(*, community_id: int) -> QuerySet[Grid]:
    return Grid.objects.filter(community_id=community_id).order_by("id")


def team_candidates(*, community_id: int) -> QuerySet:
    """People who work at the community's desk: active members who log requests (not administrators)."""
    return members(community_id, Can.LOG_REQUESTS).order_by("last_name", "first_name", "username")


def supervised_community_ids(*, user) -> list[int]:
    return communities_where(user, Can.SUPERVISE)


def overlapping_route_sessions(*, session: DeskSession) -> list[DeskSession]:
    """A one-off session's route sessions at the same stop, on its day, whose times overlap it (not
    cancelled): the desk would be planned twice."""
    if session.route_id is not None:
        return []
    return list(
        DeskSession.objects.filter(
            stop_id=session.stop_id,
            date=session.date,
            route__isnull=False,
            start_time__lt=session.end_time,
            end_time__gt=session.start_time,
        )
        .exclude(status=DeskSession.Status.CANCELLED)
        .select_related("route")
        .order_by("start_time", "pk")
    )

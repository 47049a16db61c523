"""Query-count pins: each desk page costs the same number of queries at 1 row and at 25."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from desks.selectors import week_start
from tests.desks.factories import (
    DeskSessionFactory,
    RouteFactory,
    RouteStopFactory,
    ScreeningFactory,
    StopFactory,
)
from tests.factories import GridFactory, ResidentFactory


def queries(client, url) -> int:
    client.get(url)  # warm caches that are not per page (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def pin(client, url, add_rows):
    """Count at one row, add 24 more, count again."""
    one = queries(client, url)
    add_rows(24)
    assert queries(client, url) == one, f"{url}: N+1 queries"


@pytest.fixture
def client_of(as_user, alice):
    return as_user(alice)


def test_hub(client_of, binxi, desk, staff, open_session):
    open_session.team.set([staff.desk_staff, staff.volunteer])

    def add(n):
        for _ in range(n):
            ScreeningFactory(
                session=open_session, resident=ResidentFactory(community=binxi, health_consent=True)
            )

    add(1)
    pin(client_of, reverse("desks:session_detail", args=[open_session.pk]), add)


def test_sheet(client_of, binxi, open_session):
    def add(n):
        for _ in range(n):
            ScreeningFactory(
                session=open_session, resident=ResidentFactory(community=binxi, health_consent=True)
            )

    add(1)
    pin(client_of, reverse("desks:session_sheet", args=[open_session.pk]), add)


def test_calendar(client_of, binxi, staff):
    monday = week_start(timezone.localdate())

    def add(n):
        for i in range(n):
            grid = GridFactory(community=binxi)
            stop = StopFactory(community=binxi)
            stop.grids.add(grid)
            route = RouteFactory(community=binxi)
            session = DeskSessionFactory(
                community=binxi,
                stop=stop,
                route=route,
                date=monday + dt.timedelta(days=i % 7),
                status="open",
                team=[staff.desk_staff, staff.volunteer],
            )
            ScreeningFactory(session=session, resident=ResidentFactory(community=binxi, health_consent=True))

    add(1)
    pin(client_of, reverse("desks:calendar"), add)


def test_home_today(client_of, binxi, staff):
    def add(n):
        for _ in range(n):
            DeskSessionFactory(community=binxi, stop=StopFactory(community=binxi), team=[staff.desk_staff])

    add(1)
    pin(client_of, reverse("home"), add)


def test_routes(client_of, binxi, staff):
    def add(n):
        for _ in range(n):
            route = RouteFactory(community=binxi)
            route.team.set([staff.desk_staff])
            RouteStopFactory(route=route)

    add(1)
    pin(client_of, reverse("desks:route_list"), add)


def test_route_detail(client_of, binxi, desk, staff):
    route = RouteFactory(community=binxi, start_time=dt.time(6), end_time=dt.time(20))
    route.team.set([staff.desk_staff, staff.volunteer])
    day = timezone.localdate()

    def add(n):
        for _ in range(n):
            stop = StopFactory(community=binxi)
            stop.grids.add(desk.grid)
            RouteStopFactory(route=route, stop=stop)
            DeskSessionFactory(community=binxi, stop=stop, route=route, date=day + dt.timedelta(days=7))

    add(1)
    pin(client_of, reverse("desks:route_detail", args=[route.pk]), add)


def test_stops(client_of, binxi, desk):
    def add(n):
        for _ in range(n):
            StopFactory(community=binxi).grids.add(desk.grid)

    add(1)
    pin(client_of, reverse("desks:stop_list"), add)


def test_resident_screenings(client_of, binxi, desk):
    def add(n):
        for _ in range(n):
            session = DeskSessionFactory(community=binxi, stop=StopFactory(community=binxi), status="open")
            ScreeningFactory(session=session, resident=desk.wang)

    add(1)
    pin(client_of, reverse("desks:resident_screenings", args=[desk.wang.pk]), add)

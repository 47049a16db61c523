"""A 滨西社区 desk: stops, a Wednesday route, the team, residents with and without health consent."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.desks.factories import DeskSessionFactory, RouteFactory, RouteStopFactory, StopFactory
from tests.factories import GridFactory, ResidentFactory, member


@pytest.fixture
def staff(binxi):
    """One user per desk role in 滨西社区 (alice is the supervisor)."""
    return SimpleNamespace(
        volunteer=member(binxi, "volunteer", username="volunteer", last_name="陈", first_name="静"),
        health_volunteer=member(binxi, "volunteer", username="healthvolunteer", health_permission=True),
        desk_staff=member(binxi, "desk_staff", username="deskstaff", last_name="张", first_name="敏"),
        health_desk_staff=member(binxi, "desk_staff", username="healthdesk", health_permission=True),
        grid_worker=member(binxi, "grid_worker", username="gridworker", last_name="刘", first_name="洋"),
        administrator=member(binxi, "administrator", username="administrator"),
    )


@pytest.fixture
def desk(binxi, alice, staff):
    grid = GridFactory(community=binxi, name="第一网格")
    yejin = StopFactory(community=binxi, name="冶金厂家属院")
    yejin.grids.add(grid)
    binhe = StopFactory(community=binxi, name="滨河小区")
    jianshe = StopFactory(community=binxi, name="建设路小区")
    route = RouteFactory(community=binxi, name="周三流动办公桌", weekday=2, partners="老街社区卫生服务站")
    route.team.set([staff.desk_staff, staff.grid_worker])
    RouteStopFactory(route=route, stop=yejin, position=1, start_time=dt.time(9), end_time=dt.time(10))
    RouteStopFactory(route=route, stop=binhe, position=2, start_time=dt.time(10), end_time=dt.time(11))
    return SimpleNamespace(
        grid=grid,
        yejin=yejin,
        binhe=binhe,
        jianshe=jianshe,
        route=route,
        wang=ResidentFactory(community=binxi, grid=grid, name="王玉枝", health_consent=True),
        zeng=ResidentFactory(community=binxi, grid=grid, name="曾国强", health_consent=False),
    )


@pytest.fixture
def open_session(desk, binxi, staff):
    return DeskSessionFactory(
        community=binxi, stop=desk.yejin, status="open", team=[staff.desk_staff, staff.health_volunteer]
    )


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login

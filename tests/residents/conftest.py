"""Residents of 滨西社区 the directory tests look for, and a client per role."""

from types import SimpleNamespace

import pytest

from tests.factories import GridFactory, ResidentFactory, member

VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "411102198001011230"


@pytest.fixture
def people(binxi):
    """Four residents whose names, phones and addresses the search tests type."""
    first = GridFactory(community=binxi, name="第一网格")
    second = GridFactory(community=binxi, name="第二网格")
    common = {"community": binxi, "grid": first}
    return SimpleNamespace(
        first_grid=first,
        second_grid=second,
        wang=ResidentFactory(
            **common,
            name="王玉枝",
            phone="+8613912345678",
            compound="冶金厂家属院",
            building="3",
            unit="2",
            room="501",
            lives_alone=True,
        ),
        zeng=ResidentFactory(
            **common,
            name="曾国强",
            phone="+8613800001111",
            compound="冶金厂家属院",
            building="5",
            unit="1",
            room="302",
        ),
        shan=ResidentFactory(
            community=binxi,
            grid=second,
            name="单秀英",
            phone="+8618600002222",
            compound="滨河小区",
            building="2",
            unit="1",
            room="101",
        ),
        xie=ResidentFactory(
            community=binxi,
            grid=second,
            name="解晓东",
            phone="+8615000003333",
            compound="滨河小区",
            building="7",
            unit="3",
            room="602",
            limited_mobility=True,
        ),
    )


@pytest.fixture
def as_user(client):
    """Log the client in as `user` and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def roles(binxi):
    """One user per role in 滨西社区 (alice is the supervisor)."""
    return SimpleNamespace(
        volunteer=member(binxi, "volunteer", username="volunteer"),
        desk_staff=member(binxi, "desk_staff", username="deskstaff"),
        grid_worker=member(binxi, "grid_worker", username="gridworker"),
        administrator=member(binxi, "administrator", username="administrator"),
        health_volunteer=member(binxi, "volunteer", username="healthvolunteer", health_permission=True),
    )

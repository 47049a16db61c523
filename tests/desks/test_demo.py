"""desks.demo.seed(): the 滨西 story's route and sessions, and a second run adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from desks import demo
from desks.models import DeskSession, Route, Screening, Stop
from tests.factories import GridFactory, ResidentFactory, member


@pytest.fixture
def binxi_demo(binxi):
    for name in ("第一网格", "第二网格", "第三网格", "第四网格"):
        GridFactory(community=binxi, name=name)
    member(binxi, "supervisor", username="supervisor", health_permission=True)
    member(binxi, "desk_staff", username="deskstaff", health_permission=True)
    member(binxi, "grid_worker", username="gridworker")
    member(binxi, "volunteer", username="volunteer")
    for _ in range(12):
        ResidentFactory(community=binxi, compound="冶金厂家属院", health_consent=True)
    return binxi


def state():
    sessions = DeskSession.objects.values_list("route__name", "stop__name", "date", "status", "cancel_reason")
    return (
        sorted(Stop.objects.values_list("name", flat=True)),
        sorted(Route.objects.values_list("name", flat=True)),
        sorted(sessions, key=str),
        Screening.objects.count(),
    )


@pytest.mark.parametrize("day", ["2026-11-28", "2026-12-01", "2026-12-02"])  # Saturday, Tuesday, Wednesday
def test_seed_tells_the_story_and_is_idempotent(binxi_demo, monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date.fromisoformat(day))
    lines = demo.seed()
    assert lines[0].startswith("desks: 4 stops, 2 routes")
    today = timezone.localdate()
    route = Route.objects.get(name="周三流动办公桌")
    assert [rs.stop.name for rs in route.route_stops.order_by("position")] == [
        "冶金厂家属院",
        "滨河小区",
        "建设路小区",
    ]
    past = route.sessions.filter(date__lt=today)
    assert past.filter(status="cancelled", cancel_reason="下雨").count() == 3  # one Wednesday rained off
    assert past.filter(status="closed").count() == 9
    screenings = Screening.objects.filter(session__route=route)
    assert screenings.count() == 18 and screenings.filter(session__stop__name="冶金厂家属院").count() == 18
    assert all(s.recorded_at.date() < today for s in screenings)
    assert route.sessions.filter(date__gt=today, status="planned").count() >= 9
    assert DeskSession.objects.filter(date=today).exists()

    before = state()
    demo.seed()
    assert state() == before


def test_seed_without_the_residents_demo_does_nothing(db):
    assert "missing" in demo.seed()[0]
    assert not DeskSession.objects.exists()

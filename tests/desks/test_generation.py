"""Generating a route's sessions: idempotent, and a changed route reaches only future planned sessions."""

import datetime as dt

import pytest
from django.core.management import call_command

from desks.models import DeskSession
from desks.services import StopVisit, route_generate_sessions, route_save, routes_generate_all

MONDAY = dt.date(2026, 11, 30)  # the route runs on Wednesdays: 12-02, 12-09, 12-16, 12-23 …
LATER = dt.date(2026, 12, 10)  # a Thursday: 12-02 and 12-09 are past


def snapshot(route):
    """Every session of the route as plain values, team included, so a test sees any change."""
    return {
        (s.stop.name, s.date): (s.status, s.start_time, s.end_time, s.partners, tuple(s.services), team(s))
        for s in DeskSession.objects.filter(route=route).select_related("stop")
    }


def team(session):
    return tuple(sorted(session.team.values_list("username", flat=True)))


def test_generating_twice_creates_nothing_new(desk):
    first = route_generate_sessions(route=desk.route, weeks=4, today=MONDAY)
    assert (first.created, first.updated, first.removed) == (8, 0, 0)
    assert first.dates == [dt.date(2026, 12, d) for d in (2, 9, 16, 23)]
    before = snapshot(desk.route)
    assert len(before) == 8
    session = DeskSession.objects.get(route=desk.route, stop=desk.yejin, date=dt.date(2026, 12, 2))
    assert (session.start_time, session.end_time) == (dt.time(9), dt.time(10))
    assert team(session) == ("deskstaff", "gridworker")
    assert session.partners == "老街社区卫生服务站"
    assert session.services == ["policy_advice", "request_intake", "health_screening"]
    assert session.community_id == desk.route.community_id

    second = route_generate_sessions(route=desk.route, weeks=4, today=MONDAY)
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert snapshot(desk.route) == before
    assert routes_generate_all(weeks=4, today=MONDAY).created == 0


def test_more_weeks_adds_only_the_new_weeks(desk):
    route_generate_sessions(route=desk.route, weeks=2, today=MONDAY)
    result = route_generate_sessions(route=desk.route, weeks=4, today=MONDAY)
    assert result.created == 4
    assert DeskSession.objects.filter(route=desk.route).count() == 8


def test_a_changed_route_updates_future_planned_sessions_only(desk, staff):
    route_generate_sessions(route=desk.route, weeks=4, today=MONDAY)
    started = DeskSession.objects.get(route=desk.route, stop=desk.yejin, date=dt.date(2026, 12, 16))
    DeskSession.objects.filter(pk=started.pk).update(status="open")  # the team is out already
    before = snapshot(desk.route)

    yejin_visit = desk.route.route_stops.get(stop=desk.yejin)
    yejin_visit.start_time, yejin_visit.end_time = dt.time(8, 30), dt.time(9, 30)
    yejin_visit.save()
    desk.route.team.set([staff.desk_staff, staff.volunteer])
    desk.route.partners = "源汇区人民医院"
    desk.route.save()

    result = route_generate_sessions(route=desk.route, weeks=4, today=LATER)
    after = snapshot(desk.route)

    # Past (12-02, 12-09) and started (the open one on 12-16): exactly as they were.
    for key in [(name, dt.date(2026, 12, d)) for name in ("冶金厂家属院", "滨河小区") for d in (2, 9)]:
        assert after[key] == before[key]
    assert after[("冶金厂家属院", dt.date(2026, 12, 16))] == before[("冶金厂家属院", dt.date(2026, 12, 16))]
    # Future planned ones: new times (for the stop that moved), new team and partners.
    new_team = ("deskstaff", "volunteer")
    assert after[("冶金厂家属院", dt.date(2026, 12, 23))][1:] == (
        dt.time(8, 30),
        dt.time(9, 30),
        "源汇区人民医院",
        ("policy_advice", "request_intake", "health_screening"),
        new_team,
    )
    assert after[("滨河小区", dt.date(2026, 12, 16))][1:3] == (dt.time(10), dt.time(11))
    assert after[("滨河小区", dt.date(2026, 12, 16))][5] == new_team
    # The window now reaches 12-30 and 01-06.
    assert (result.created, result.updated, result.removed) == (4, 3, 0)
    assert result.left_alone == 1
    assert ("冶金厂家属院", dt.date(2027, 1, 6)) in after

    again = route_generate_sessions(route=desk.route, weeks=4, today=LATER)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert snapshot(desk.route) == after


def test_changing_stops_removes_and_adds_future_sessions_and_keeps_past_ones(desk):
    route_generate_sessions(route=desk.route, weeks=4, today=MONDAY)
    desk.route.route_stops.filter(stop=desk.binhe).delete()
    desk.route.route_stops.create(stop=desk.jianshe, position=3, start_time=dt.time(10), end_time=dt.time(11))

    result = route_generate_sessions(route=desk.route, weeks=4, today=LATER)
    stops_by_date = {}
    for name, day in snapshot(desk.route):
        stops_by_date.setdefault(day, set()).add(name)
    assert stops_by_date[dt.date(2026, 12, 2)] == {"冶金厂家属院", "滨河小区"}  # past: untouched
    assert stops_by_date[dt.date(2026, 12, 9)] == {"冶金厂家属院", "滨河小区"}
    for day in (16, 23, 30):
        assert stops_by_date[dt.date(2026, 12, day)] == {"冶金厂家属院", "建设路小区"}
    assert result.removed == 2  # 滨河小区 on 12-16 and 12-23


def test_a_new_weekday_moves_future_planned_sessions(desk):
    route_generate_sessions(route=desk.route, weeks=3, today=MONDAY)
    desk.route.weekday = 4  # Friday
    desk.route.save()
    result = route_generate_sessions(route=desk.route, weeks=2, today=MONDAY)
    dates = {day for _name, day in snapshot(desk.route)}
    assert dates == {dt.date(2026, 12, 4), dt.date(2026, 12, 11)}
    assert (result.created, result.removed) == (4, 6)


def test_switching_a_route_off_removes_its_future_planned_sessions(desk):
    route_generate_sessions(route=desk.route, weeks=3, today=MONDAY)
    DeskSession.objects.filter(route=desk.route, date=dt.date(2026, 12, 2)).update(status="closed")
    desk.route.is_active = False
    desk.route.save()
    result = route_generate_sessions(route=desk.route, weeks=3, today=dt.date(2026, 12, 3))
    assert result.created == 0
    assert set(DeskSession.objects.filter(route=desk.route).values_list("status", flat=True)) == {"closed"}


def test_todays_and_hand_edited_sessions_are_left_alone(desk, staff):
    route_generate_sessions(route=desk.route, weeks=2, today=MONDAY)
    edited = DeskSession.objects.get(route=desk.route, stop=desk.binhe, date=dt.date(2026, 12, 9))
    DeskSession.objects.filter(pk=edited.pk).update(edited_by_hand=True, partners="街道司法所")
    desk.route.partners = "源汇区人民医院"
    desk.route.save()
    # "Today" is the Wednesday 12-02: its sessions are the day's work and stay as planned.
    route_generate_sessions(route=desk.route, weeks=2, today=dt.date(2026, 12, 2))
    partners = dict(DeskSession.objects.filter(route=desk.route).values_list("pk", "partners"))
    assert partners[edited.pk] == "街道司法所"
    todays = DeskSession.objects.filter(route=desk.route, date=dt.date(2026, 12, 2))
    assert {s.partners for s in todays} == {"老街社区卫生服务站"}
    other = DeskSession.objects.get(route=desk.route, stop=desk.yejin, date=dt.date(2026, 12, 9))
    assert other.partners == "源汇区人民医院"


def test_saving_a_route_carries_the_change_without_creating_sessions(desk, alice, staff):
    route_generate_sessions(route=desk.route, weeks=2, today=MONDAY)
    route, result = route_save(
        route=desk.route,
        community_id=desk.route.community_id,
        by=alice,
        name="周三流动办公桌",
        weekday=2,
        start_time=dt.time(9),
        end_time=dt.time(12),
        team=[staff.grid_worker],
        partners="",
        services=["errands"],
        is_active=True,
        visits=[
            StopVisit(desk.binhe, dt.time(9), dt.time(10)),
            StopVisit(desk.yejin, dt.time(10, 30), dt.time(12)),
        ],
        today=MONDAY,
    )
    assert (result.created, result.updated, result.removed) == (0, 4, 0)
    assert list(route.route_stops.values_list("stop__name", "position")) == [
        ("滨河小区", 1),
        ("冶金厂家属院", 2),
    ]
    session = DeskSession.objects.get(route=route, stop=desk.yejin, date=dt.date(2026, 12, 9))
    assert (session.start_time, session.services, team(session)) == (
        dt.time(10, 30),
        ["errands"],
        ("gridworker",),
    )


def test_the_management_command_is_idempotent(desk, capsys):
    call_command("generate_desk_sessions", "--weeks", "3")
    call_command("generate_desk_sessions", "--weeks", "3")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sessions: 6 created")
    assert out[1].startswith("sessions: 0 created, 0 updated, 0 removed")


@pytest.mark.django_db(transaction=True)
def test_the_unique_constraint_backs_idempotency(desk):
    from django.db import IntegrityError

    route_generate_sessions(route=desk.route, weeks=1, today=MONDAY)
    existing = DeskSession.objects.filter(route=desk.route).first()
    with pytest.raises(IntegrityError):
        DeskSession.objects.create(
            community_id=existing.community_id,
            route=desk.route,
            stop=existing.stop,
            date=existing.date,
            start_time=dt.time(9),
            end_time=dt.time(10),
        )


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_session_once(desk):
    """The route row lock makes the second run wait, then find everything in place."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(route_generate_sessions(route=desk.route, weeks=4, today=MONDAY).created)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 8]
    assert DeskSession.objects.filter(route=desk.route).count() == 8


def test_one_broken_route_does_not_stop_the_others(desk, binxi, monkeypatch, caplog):
    """The Wednesday route breaks halfway (a database constraint trips after its sessions are
    written): it is rolled back and counted, and the Friday route after it is still planned."""
    from django.db import IntegrityError

    from desks.services import routes
    from desks.tasks import generate_sessions
    from tests.desks.factories import RouteFactory, RouteStopFactory

    friday = RouteFactory(community=binxi, name="周五流动办公桌", weekday=4)
    RouteStopFactory(route=friday, stop=desk.jianshe)
    assert desk.route.pk < friday.pk  # the broken route comes first

    generate = routes._generate

    def breaks_on_wednesdays(route, **kwargs):
        result = generate(route, **kwargs)
        if route.pk == desk.route.pk:
            first = route.sessions.first()
            DeskSession.objects.create(  # the same (route, stop, date) again
                community_id=first.community_id,
                route=route,
                stop_id=first.stop_id,
                date=first.date,
                start_time=first.start_time,
                end_time=first.end_time,
            )
        return result

    monkeypatch.setattr(routes, "_generate", breaks_on_wednesdays)

    result = routes_generate_all(weeks=2, today=MONDAY)

    assert result.failed_routes == [desk.route.pk]
    assert result.created == 2
    assert not DeskSession.objects.filter(route=desk.route).exists()  # nothing half-done is kept
    assert DeskSession.objects.filter(route=friday).count() == 2
    assert caplog.records[-1].getMessage() == f"generating sessions failed for route {desk.route.pk}"
    assert caplog.records[-1].exc_info[0] is IntegrityError

    # The nightly task's result shows the failure (and the Friday route is already in place).
    assert generate_sessions(weeks=2) | {"created": None} == {
        "created": None,
        "updated": 0,
        "removed": 0,
        "failed": 1,
        "failed_routes": [desk.route.pk],
    }

    # And by hand, the command plans the rest, then exits non-zero naming the broken route.
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=f"routes that failed \\(see the log\\): {desk.route.pk}$"):
        call_command("generate_desk_sessions", "--weeks", "2")


def test_saving_a_new_weekday_plans_the_new_days_as_far_ahead_as_before(desk, alice):
    route_generate_sessions(route=desk.route, weeks=3, today=MONDAY)
    route = desk.route
    visits = [StopVisit(rs.stop, rs.start_time, rs.end_time) for rs in route.route_stops.order_by("position")]
    route, result = route_save(
        route=route,
        community_id=route.community_id,
        by=alice,
        name=route.name,
        weekday=4,  # Friday
        start_time=route.start_time,
        end_time=route.end_time,
        team=list(route.team.all()),
        partners=route.partners,
        services=route.services,
        is_active=True,
        visits=visits,
        today=MONDAY,
    )
    dates = {day for _name, day in snapshot(route)}
    assert dates == {dt.date(2026, 12, 4), dt.date(2026, 12, 11), dt.date(2026, 12, 18)}  # none left empty
    assert result.created == result.removed == 3 * len(visits)

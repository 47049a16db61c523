"""The desk pages: calendar, hub, serve, sheet, routes, stops, planning; every one scoped to its community."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from desks.models import DeskSession, Route, Stop
from desks.selectors import week_start
from tests.desks.factories import DeskSessionFactory, ScreeningFactory

EN = {"headers": {"accept-language": "en"}}


def test_every_object_view_is_404_for_bob(as_user, bob, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang)
    session_views = [
        "session_detail",
        "session_edit",
        "session_open",
        "session_close",
        "session_cancel",
        "session_walk_up",
        "session_notes",
        "session_sheet",
        "session_serve",
        "screening_create",
    ]
    urls = [reverse(f"desks:{name}", args=[open_session.pk]) for name in session_views]
    urls += [
        reverse(f"desks:{name}", args=[desk.route.pk])
        for name in ("route_detail", "route_edit", "route_generate")
    ]
    urls += [
        reverse("desks:stop_edit", args=[desk.yejin.pk]),
        reverse("desks:resident_screenings", args=[desk.wang.pk]),
    ]
    client = as_user(bob)
    for url in urls:
        # GET-only and POST-only views answer 405 to the other method before looking anything up.
        assert client.get(url + f"?resident={desk.wang.pk}").status_code in (404, 405), url
        assert client.post(url, {"reason": "x", "weeks": 2, "delta": 1}).status_code in (404, 405), url
        assert 404 in (client.get(url).status_code, client.post(url).status_code), url
    assert DeskSession.objects.get(pk=open_session.pk).status == "open"


def test_lists_show_bob_nothing_of_binxi(as_user, bob, desk, open_session):
    client = as_user(bob)
    for name in ("calendar", "route_list", "stop_list"):
        html = client.get(reverse(f"desks:{name}")).content.decode()
        assert "冶金厂家属院" not in html and "周三流动办公桌" not in html, name
    assert "冶金厂家属院" not in client.get(reverse("home")).content.decode()


def test_calendar_shows_the_week_day_by_day(as_user, staff, desk, binxi):
    today = timezone.localdate()
    monday = week_start(today)
    DeskSessionFactory(community=binxi, stop=desk.yejin, date=monday, team=[staff.desk_staff])
    DeskSessionFactory(community=binxi, stop=desk.binhe, date=monday + dt.timedelta(days=7))
    client = as_user(staff.volunteer)
    html = client.get(reverse("desks:calendar")).content.decode()
    assert "冶金厂家属院" in html and "滨河小区" not in html
    assert "张敏" in html
    assert html.count("data-day=") == 7
    html = client.get(reverse("desks:calendar") + f"?week={monday + dt.timedelta(days=9)}").content.decode()
    assert "滨河小区" in html and "冶金厂家属院" not in html
    assert client.get(reverse("desks:calendar") + "?week=2026-13-45&community=abc").status_code == 200


def test_the_hub_on_the_day(as_user, staff, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang)
    DeskSession.objects.filter(pk=open_session.pk).update(walk_up_count=4)
    html = as_user(staff.health_volunteer).get(reverse("desks:session_detail", args=[open_session.pk]), **EN)
    html = html.content.decode()
    assert 'id="served-total">5<' in html  # one recorded + four walk-ups
    assert "residents served: 1 recorded, 4 walk-ups who only asked" in html
    assert 'hx-get="/residents/search/"' in html  # the directory's search box, picking into this session
    serve = reverse("desks:session_serve", args=[open_session.pk])
    assert f'"pick": "{serve}", "community": "{open_session.community_id}"' in html
    assert "第一网格" in html  # grids the stop covers


def test_the_requests_slot_loads_the_fragment_requests_serves(as_user, alice, open_session, monkeypatch):
    from desks.views import common

    hub = reverse("desks:session_detail", args=[open_session.pk])
    fragment = reverse("requests:session_requests", kwargs={"session_id": open_session.pk})
    html = as_user(alice).get(hub).content.decode()
    assert f'hx-get="{fragment}" hx-trigger="load"' in html
    assert as_user(alice).get(fragment, headers={"hx-request": "true"}).status_code == 200
    # A URL name that does not reverse (an app that has not shipped it): no slot, no error.
    monkeypatch.setattr(common, "HUB_FRAGMENTS", ("requests:not_shipped_yet",))
    html = as_user(alice).get(hub).content.decode()
    assert "desk-fragment" not in html


def test_the_search_box_is_guarded(as_user, alice, open_session, monkeypatch):
    from desks.views import common

    monkeypatch.setattr(common, "SEARCH_URL", "residents:no_such_url")
    html = as_user(alice).get(reverse("desks:session_detail", args=[open_session.pk]), **EN).content.decode()
    assert "The resident search is not available yet." in html


def test_serve_a_resident_at_the_desk(as_user, staff, desk, open_session):
    client = as_user(staff.health_volunteer)
    serve = reverse("desks:session_serve", args=[open_session.pk])
    html = client.get(f"{serve}?resident={desk.wang.pk}").content.decode()
    assert "王玉枝" in html and desk.wang.masked_phone in html and desk.wang.phone not in html
    assert reverse("desks:screening_create", args=[open_session.pk]) + f"?resident={desk.wang.pk}" in html
    log_request = reverse("requests:create") + f"?resident={desk.wang.pk}&amp;session={open_session.pk}"
    assert log_request in html  # the intake form of `requests`, for this resident at this session
    html = client.get(f"{serve}?resident={desk.zeng.pk}", **EN).content.decode()
    assert 'id="record-screening"' not in html and "has not agreed" in html
    assert client.get(serve).status_code == 302
    html = as_user(staff.volunteer).get(f"{serve}?resident={desk.wang.pk}").content.decode()
    assert 'id="record-screening"' not in html


def test_the_printable_sheet(as_user, alice, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang, systolic=150, diastolic=95, bp_flagged=True)
    html = as_user(alice).get(reverse("desks:session_sheet", args=[open_session.pk]), **EN).content.decode()
    assert "150/95" in html and "王玉枝" in html and "data-print" in html
    assert desk.wang.phone not in html


def test_home_shows_todays_sessions(as_user, staff, desk, binxi):
    DeskSessionFactory(community=binxi, stop=desk.yejin)
    DeskSessionFactory(community=binxi, stop=desk.binhe, date=timezone.localdate() + dt.timedelta(days=1))
    html = as_user(staff.volunteer).get(reverse("home"), **EN).content.decode()
    assert "Today&#x27;s desk sessions" in html or "Today's desk sessions" in html
    assert "冶金厂家属院" in html and "滨河小区" not in html


def test_a_supervisor_plans_a_stop_a_route_and_its_sessions(as_user, alice, staff, desk, binxi):
    client = as_user(alice)
    response = client.post(
        reverse("desks:stop_create"),
        {"name": "老街南院广场", "kind": "plaza", "address": "老街南口", "grids": [desk.grid.pk]},
    )
    assert response.status_code == 302
    plaza = Stop.objects.get(name="老街南院广场")
    assert list(plaza.grids.all()) == [desk.grid]

    data = {
        "name": "周五路线",
        "weekday": 4,
        "start_time": "15:00",
        "end_time": "17:00",
        "team": [staff.desk_staff.pk, staff.volunteer.pk],
        "partners": "老街社区卫生服务站",
        "services": ["policy_advice", "health_screening"],
        "is_active": "on",
        "stops-TOTAL_FORMS": 3,
        "stops-INITIAL_FORMS": 0,
        "stops-0-stop": desk.binhe.pk,
        "stops-0-start_time": "16:00",
        "stops-0-end_time": "17:00",
        "stops-0-ORDER": 2,
        "stops-1-stop": plaza.pk,
        "stops-1-start_time": "15:00",
        "stops-1-end_time": "16:00",
        "stops-1-ORDER": 1,
    }
    response = client.post(reverse("desks:route_create"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    route = Route.objects.get(name="周五路线")
    assert [rs.stop.name for rs in route.route_stops.order_by("position")] == ["老街南院广场", "滨河小区"]

    assert client.post(reverse("desks:route_generate", args=[route.pk]), {"weeks": 3}).status_code == 302
    assert route.sessions.count() == 6
    client.post(reverse("desks:route_generate", args=[route.pk]), {"weeks": 3})
    assert route.sessions.count() == 6
    html = client.get(reverse("desks:route_detail", args=[route.pk])).content.decode()
    assert html.count("/desks/sessions/") >= 6

    # Overlapping stops are refused next to the stops, and nothing changes.
    data["stops-0-start_time"] = "15:30"
    response = client.post(reverse("desks:route_edit", args=[route.pk]), data, **EN)
    assert response.status_code == 200
    assert "滨河小区 starts before the desk leaves 老街南院广场." in response.content.decode()
    assert route.route_stops.get(stop=desk.binhe).start_time == dt.time(16)


def test_only_supervisors_plan(as_user, staff, desk, open_session):
    client = as_user(staff.desk_staff)
    assert client.get(reverse("desks:route_create")).status_code == 403
    assert client.get(reverse("desks:stop_create")).status_code == 403
    assert client.get(reverse("desks:session_create")).status_code == 403
    assert client.get(reverse("desks:route_edit", args=[desk.route.pk])).status_code == 403
    assert client.post(reverse("desks:route_generate", args=[desk.route.pk]), {"weeks": 2}).status_code == 403
    assert client.get(reverse("desks:session_edit", args=[open_session.pk])).status_code == 403
    assert client.get(reverse("desks:route_detail", args=[desk.route.pk])).status_code == 200
    assert not desk.route.sessions.exists()


def test_editing_a_route_session_detaches_it(as_user, alice, staff, desk):
    from desks.services import route_generate_sessions

    route_generate_sessions(route=desk.route, weeks=2, today=timezone.localdate())
    session = desk.route.sessions.order_by("date", "pk").last()
    data = {
        "stop": session.stop_id,
        "date": session.date.isoformat(),
        "start_time": "09:30",
        "end_time": "10:30",
        "team": [staff.volunteer.pk],
        "partners": "",
        "services": ["errands"],
    }
    response = as_user(alice).post(reverse("desks:session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.edited_by_hand and session.start_time == dt.time(9, 30)
    assert list(session.team.all()) == [staff.volunteer]


def test_a_one_off_session(as_user, alice, desk, binxi):
    day = timezone.localdate() + dt.timedelta(days=3)
    data = {"stop": desk.jianshe.pk, "date": day.isoformat(), "start_time": "14:00", "end_time": "13:00"}
    response = as_user(alice).post(reverse("desks:session_create"), data, **EN)
    assert (
        response.status_code == 200 and "The session must end after it starts." in response.content.decode()
    )
    data["end_time"] = "16:00"
    response = as_user(alice).post(reverse("desks:session_create"), data)
    session = DeskSession.objects.get(stop=desk.jianshe)
    assert response["Location"] == reverse("desks:session_detail", args=[session.pk])
    assert (session.route, session.date, session.community) == (None, day, binxi)


@pytest.mark.parametrize("days", [-61, 367, -365 * 27])  # 1999-ish: a typo in the year
def test_a_one_off_session_far_from_today_is_refused_next_to_the_date(as_user, alice, desk, days):
    day = timezone.localdate() + dt.timedelta(days=days)
    data = {"stop": desk.jianshe.pk, "date": day.isoformat(), "start_time": "09:00", "end_time": "10:00"}
    html = as_user(alice).post(reverse("desks:session_create"), data, **EN).content.decode()
    block = html.split('id="div_id_date"')[1].split('id="div_id_start_time"')[0]
    assert "Choose a date from 60 days ago to a year ahead; check the year." in block
    assert not DeskSession.objects.filter(stop=desk.jianshe).exists()


def test_a_session_held_last_month_may_still_be_entered(as_user, alice, desk):
    day = timezone.localdate() - dt.timedelta(days=30)
    data = {"stop": desk.jianshe.pk, "date": day.isoformat(), "start_time": "09:00", "end_time": "10:00"}
    assert as_user(alice).post(reverse("desks:session_create"), data).status_code == 302
    assert DeskSession.objects.get(stop=desk.jianshe).date == day


@pytest.mark.parametrize("name", ["route_create", "stop_create", "session_create"])
def test_a_street_supervisor_chooses_the_community(as_user, binxi, bindong, name):
    from tests.factories import member

    street = member(binxi, "supervisor", username="street")
    from residents.models import Membership

    Membership.objects.create(user=street, community=bindong, role="supervisor")
    html = as_user(street).get(reverse(f"desks:{name}")).content.decode()
    assert f"?community={binxi.pk}" in html and f"?community={bindong.pk}" in html
    assert as_user(street).get(reverse(f"desks:{name}") + f"?community={bindong.pk}").status_code == 200


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "garbage", "2026-02-30"])
def test_a_week_off_the_calendar_shows_this_week_not_a_500(as_user, alice, staff, week):
    response = as_user(staff.desk_staff).get(reverse("desks:calendar"), {"week": week})
    assert response.status_code == 200
    response = as_user(alice).get(reverse("desks:session_create"), {"date": week})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["route_create", "session_create"])
def test_empty_choices_read_as_a_dash_not_djangos_dashes(as_user, alice, name):
    html = as_user(alice).get(reverse(f"desks:{name}")).content.decode()
    assert "---------" not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"week": "9999-12-31"}, "week"),
        ({"week": "0001-01-01"}, "week"),
        ({"community": "9" * 20}, "community"),
    ],
)
def test_the_calendar_refuses_a_week_or_community_out_of_bounds_next_to_it(as_user, staff, query, field):
    html = as_user(staff.desk_staff).get(reverse("desks:calendar"), query).content.decode()
    assert f'id="error-{field}"' in html


def test_a_one_off_session_overlapping_a_route_session_at_its_stop_warns_naming_it(
    as_user, alice, desk, binxi
):
    day = dt.date.today() + dt.timedelta(days=7)
    DeskSessionFactory(
        community=binxi,
        route=desk.route,
        stop=desk.yejin,
        date=day,
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    form = {
        "stop": desk.yejin.pk,
        "date": day.isoformat(),
        "start_time": "09:30",
        "end_time": "11:00",
        "partners": "",
    }
    page = as_user(alice).post(
        reverse("desks:session_create"), form, follow=True, headers={"accept-language": "en"}
    )
    html = page.content.decode()
    assert "overlaps" in html and "周三流动办公桌" in html and "09:00" in html

    later = form | {"start_time": "10:00", "end_time": "11:00"}  # starts as the route's ends: no warning
    page = as_user(alice).post(
        reverse("desks:session_create"), later, follow=True, headers={"accept-language": "en"}
    )
    assert page.redirect_chain and "overlaps" not in page.content.decode()


def test_the_calendar_heading_has_the_year(as_user, staff):
    html = as_user(staff.desk_staff).get(reverse("desks:calendar"), {"week": "2026-12-02"}).content.decode()
    heading = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "2026" in heading

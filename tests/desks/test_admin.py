"""The admin lists stops, routes, sessions and screenings: no full phone, and no health readings.
A route's session changed here is marked edited by hand, as on the desk pages."""

import datetime as dt
import json

from django.urls import reverse

from desks.models import DeskSession
from desks.services import route_generate_sessions, routes_generate_all
from tests.desks.factories import ScreeningFactory
from tests.factories import UserFactory

MONDAY = dt.date(2026, 11, 30)  # the route runs on Wednesdays: 12-02, 12-09


def test_admin_pages_mask_phones_and_hide_readings(client, desk, open_session):
    screening = ScreeningFactory(session=open_session, resident=desk.wang, systolic=163, diastolic=99)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    pages = [
        reverse("admin:desks_stop_changelist"),
        reverse("admin:desks_stop_change", args=[desk.yejin.pk]),
        reverse("admin:desks_route_changelist"),
        reverse("admin:desks_route_change", args=[desk.route.pk]),
        reverse("admin:desks_desksession_changelist"),
        reverse("admin:desks_desksession_change", args=[open_session.pk]),
        reverse("admin:desks_screening_changelist"),
        reverse("admin:desks_screening_change", args=[screening.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert desk.wang.phone not in html and desk.wang.phone[3:] not in html, url
        assert "systolic" not in html and "收缩压" not in html, url
        # The reading itself, as a cell or as "163/99" (not a bare "163": an object id may be 163).
        assert ">163<" not in html and "163/99" not in html and ">99<" not in html, url
    assert "王玉枝" in client.get(reverse("admin:desks_screening_changelist")).content.decode()
    assert client.get(reverse("admin:desks_screening_add")).status_code == 403


def session_form(session, **changes):
    """The admin's change form for a session, as the browser would post it, with `changes` made."""
    data = {
        "community": session.community_id,
        "route": session.route_id or "",
        "stop": session.stop_id,
        "date": session.date.isoformat(),
        "start_time": session.start_time.strftime("%H:%M:%S"),
        "end_time": session.end_time.strftime("%H:%M:%S"),
        "team": [u.pk for u in session.team.all()],
        "partners": session.partners,
        "services": json.dumps(session.services),
        # The form carries the services' starting value in a hidden field (a callable default).
        "initial-services": json.dumps(session.services),
        "walk_up_count": session.walk_up_count,
        "notes": session.notes,
    }
    return data | changes


def test_a_session_changed_in_the_admin_is_left_alone_by_the_next_generation(client, desk, staff):
    route_generate_sessions(route=desk.route, weeks=2, today=MONDAY)
    moved = DeskSession.objects.get(route=desk.route, stop=desk.yejin, date=dt.date(2026, 12, 9))
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    # The clinic can only come at half past nine that day: an administrator moves the session.
    response = client.post(
        reverse("admin:desks_desksession_change", args=[moved.pk]),
        session_form(moved, start_time="09:30:00", end_time="10:30:00"),
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.edited_by_hand is True

    # That night the route is planned again, after its partners changed.
    desk.route.partners = "源汇区人民医院"
    desk.route.save()
    result = routes_generate_all(weeks=2, today=MONDAY)

    assert result.failed_routes == []
    moved.refresh_from_db()
    assert (moved.start_time, moved.end_time, moved.partners) == (
        dt.time(9, 30),
        dt.time(10, 30),
        "老街社区卫生服务站",
    )
    neighbour = DeskSession.objects.get(route=desk.route, stop=desk.binhe, date=dt.date(2026, 12, 9))
    assert neighbour.partners == "源汇区人民医院"


def test_a_new_team_in_the_admin_detaches_the_session_too(client, desk, staff):
    route_generate_sessions(route=desk.route, weeks=1, today=MONDAY)
    session = DeskSession.objects.get(route=desk.route, stop=desk.yejin)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.post(
        reverse("admin:desks_desksession_change", args=[session.pk]),
        session_form(session, team=[staff.volunteer.pk]),
    )
    routes_generate_all(weeks=1, today=MONDAY)
    session.refresh_from_db()
    assert session.edited_by_hand is True
    assert list(session.team.values_list("username", flat=True)) == ["volunteer"]


def test_notes_written_in_the_admin_keep_the_session_on_its_route(client, desk):
    route_generate_sessions(route=desk.route, weeks=1, today=MONDAY)
    session = DeskSession.objects.get(route=desk.route, stop=desk.yejin)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:desks_desksession_change", args=[session.pk]),
        session_form(session, notes="带好血压计"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.notes, session.edited_by_hand) == ("带好血压计", False)

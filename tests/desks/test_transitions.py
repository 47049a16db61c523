"""Session statuses: planned → open → closed, or planned → cancelled with a reason; nothing else."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from desks import services
from desks.models import DeskSession
from desks.services import DeskError
from tests.desks.factories import DeskSessionFactory

EN = {"headers": {"accept-language": "en"}}


def url(name, session):
    return reverse(f"desks:{name}", args=[session.pk])


def fresh(session):
    return DeskSession.objects.get(pk=session.pk)


@pytest.fixture
def planned(binxi, desk, staff):
    return DeskSessionFactory(community=binxi, stop=desk.yejin, team=[staff.volunteer, staff.desk_staff])


def test_planned_open_closed_through_the_hub(as_user, staff, planned):
    client = as_user(staff.volunteer)
    hub = client.get(url("session_detail", planned), **EN).content.decode()
    assert 'id="open-session"' in hub and 'id="close-session"' not in hub

    response = client.post(url("session_open", planned), **EN)
    assert response.status_code == 302
    session = fresh(planned)
    assert session.status == "open" and session.opened_at is not None
    hub = client.get(url("session_detail", planned), **EN).content.decode()
    assert "The desk is open." in hub
    assert 'id="close-session"' in hub and 'id="open-session"' not in hub

    client.post(url("session_close", planned))
    session = fresh(planned)
    assert session.status == "closed" and session.closed_at >= session.opened_at


def test_cancel_needs_a_reason(as_user, alice, planned):
    client = as_user(alice)
    page = client.get(url("session_cancel", planned), **EN)
    assert page.status_code == 200
    response = client.post(url("session_cancel", planned), {"reason": "  "}, **EN)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert fresh(planned).status == "planned"
    with pytest.raises(DeskError, match="Give a reason"):
        services.session_cancel(session=planned, by=alice, reason="")
    assert fresh(planned).status == "planned"

    response = client.post(url("session_cancel", planned), {"reason": "下雨"})
    assert response.status_code == 302
    session = fresh(planned)
    assert (session.status, session.cancel_reason) == ("cancelled", "下雨")
    assert "已取消：下雨" in client.get(url("session_detail", planned)).content.decode()


ILLEGAL = [
    ("planned", "close"),
    ("open", "open"),
    ("open", "cancel"),
    ("closed", "open"),
    ("closed", "close"),
    ("closed", "cancel"),
    ("cancelled", "open"),
    ("cancelled", "close"),
    ("cancelled", "cancel"),
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(alice, binxi, desk, status, action):
    session = DeskSessionFactory(community=binxi, stop=desk.yejin, status=status, cancel_reason="")
    before = DeskSession.objects.filter(pk=session.pk).values().get()
    kwargs = {"reason": "下雨"} if action == "cancel" else {}
    with pytest.raises(DeskError):
        getattr(services, f"session_{action}")(session=session, by=alice, **kwargs)
    assert DeskSession.objects.filter(pk=session.pk).values().get() == before


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_through_the_views_show_a_message(as_user, alice, binxi, desk, status, action):
    session = DeskSessionFactory(community=binxi, stop=desk.yejin, status=status)
    data = {"reason": "下雨"} if action == "cancel" else {}
    response = as_user(alice).post(url(f"session_{action}", session), data, follow=True, **EN)
    assert response.status_code == 200
    assert "Only a" in response.content.decode()
    assert fresh(session).status == status


def test_the_service_checks_the_row_not_the_stale_object(alice, planned):
    stale = DeskSession.objects.get(pk=planned.pk)
    DeskSession.objects.filter(pk=planned.pk).update(status="cancelled", cancel_reason="下雨")
    with pytest.raises(DeskError):
        services.session_open(session=stale, by=alice)
    assert fresh(planned).status == "cancelled"


def test_a_session_cannot_be_opened_before_its_day(as_user, alice, binxi, desk):
    tomorrow = DeskSessionFactory(
        community=binxi, stop=desk.yejin, date=timezone.localdate() + dt.timedelta(1)
    )
    response = as_user(alice).post(url("session_open", tomorrow), follow=True, **EN)
    assert "it can be opened on that day" in response.content.decode()
    assert fresh(tomorrow).status == "planned"


def test_who_may_cancel(as_user, staff, alice, planned):
    # Not on the team: a grid worker may open the desk but not call it off.
    assert as_user(staff.grid_worker).get(url("session_cancel", planned)).status_code == 403
    assert (
        as_user(staff.grid_worker).post(url("session_cancel", planned), {"reason": "下雨"}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=planned, by=staff.grid_worker, reason="下雨")
    assert fresh(planned).status == "planned"
    hub = as_user(staff.grid_worker).get(url("session_detail", planned)).content.decode()
    assert 'id="cancel-session"' not in hub
    # On the team: yes.
    assert (
        as_user(staff.volunteer).post(url("session_cancel", planned), {"reason": "下雨"}).status_code == 302
    )
    assert fresh(planned).status == "cancelled"


def test_an_administrator_does_not_work_the_desk(as_user, staff, planned):
    client = as_user(staff.administrator)
    assert client.post(url("session_open", planned)).status_code == 403
    assert client.post(url("session_walk_up", planned)).status_code == 403
    assert fresh(planned).status == "planned"


def test_bob_gets_404_on_every_action(as_user, bob, planned):
    client = as_user(bob)
    for name in ("session_open", "session_close", "session_cancel", "session_walk_up", "session_notes"):
        assert client.post(url(name, planned), {"reason": "下雨", "notes": "x"}).status_code == 404, name
    assert fresh(planned).status == "planned"


def test_walk_ups_are_counted_while_open(as_user, staff, planned):
    client = as_user(staff.desk_staff)
    response = client.post(
        url("session_walk_up", planned),
        {"delta": "1"},
        headers={"hx-request": "true", "accept-language": "en"},
    )
    assert "Walk-ups are counted while the session is open." in response.content.decode()
    assert fresh(planned).walk_up_count == 0

    services.session_open(session=planned, by=staff.desk_staff)
    for _ in range(3):
        response = client.post(
            url("session_walk_up", planned), {"delta": "1"}, headers={"hx-request": "true"}
        )
    assert response.status_code == 200
    assert 'id="served-total">3<' in response.content.decode()
    client.post(url("session_walk_up", planned), {"delta": "-1"})
    assert fresh(planned).walk_up_count == 2
    DeskSession.objects.filter(pk=planned.pk).update(walk_up_count=0)
    response = client.post(url("session_walk_up", planned), {"delta": "-1"}, follow=True, **EN)
    assert "There are no walk-ups to take back." in response.content.decode()
    assert fresh(planned).walk_up_count == 0


def test_notes_are_kept(as_user, staff, planned):
    as_user(staff.volunteer).post(url("session_notes", planned), {"notes": "  楼道灯已报修  "})
    assert fresh(planned).notes == "楼道灯已报修"

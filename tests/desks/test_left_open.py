"""A session nobody closed on its day is closed that night, and says so on its hub."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from desks.models import DeskSession
from desks.services import sessions_close_left_open
from desks.tasks import close_left_open
from tests.desks.factories import DeskSessionFactory

EN = {"headers": {"accept-language": "en"}}


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_night_closes_what_was_left_open_before_today_and_nothing_else(binxi, bindong, desk, today):
    yesterday, last_week = today - dt.timedelta(days=1), today - dt.timedelta(days=7)
    left = DeskSessionFactory(community=binxi, stop=desk.yejin, date=yesterday, status="open")
    older = DeskSessionFactory(community=bindong, date=last_week, status="open")  # every community
    still_at_it = DeskSessionFactory(community=binxi, stop=desk.yejin, date=today, status="open")
    closed_by_hand = DeskSessionFactory(community=binxi, stop=desk.yejin, date=yesterday, status="closed")
    forgotten_plan = DeskSessionFactory(community=binxi, stop=desk.yejin, date=yesterday, status="planned")

    assert sessions_close_left_open(today=today) == 2

    statuses = dict(DeskSession.objects.values_list("pk", "status"))
    assert statuses[left.pk] == statuses[older.pk] == "closed"
    assert (statuses[still_at_it.pk], statuses[closed_by_hand.pk]) == ("open", "closed")
    assert statuses[forgotten_plan.pk] == "planned"  # it may still be opened to record what was done
    automatic = set(DeskSession.objects.filter(closed_automatically=True).values_list("pk", flat=True))
    assert automatic == {left.pk, older.pk}
    assert all(DeskSession.objects.get(pk=pk).closed_at is not None for pk in automatic)
    assert sessions_close_left_open(today=today) == 0  # idempotent


def test_the_task_runs_the_sweep(binxi, desk, today):
    DeskSessionFactory(community=binxi, stop=desk.yejin, date=today - dt.timedelta(days=1), status="open")
    assert close_left_open() == {"closed": 1}
    assert close_left_open() == {"closed": 0}


def test_the_hub_says_it_was_closed_automatically(as_user, staff, binxi, desk, today):
    session = DeskSessionFactory(
        community=binxi, stop=desk.yejin, date=today - dt.timedelta(days=1), status="open"
    )
    sessions_close_left_open(today=today)
    hub = as_user(staff.volunteer).get(reverse("desks:session_detail", args=[session.pk]), **EN)
    assert "closed automatically that night" in hub.content.decode()
    assert 'id="close-session"' not in hub.content.decode()


def test_a_session_closed_by_hand_says_nothing_of_it(as_user, staff, binxi, desk, today):
    session = DeskSessionFactory(community=binxi, stop=desk.yejin, date=today, status="closed")
    hub = as_user(staff.volunteer).get(reverse("desks:session_detail", args=[session.pk]), **EN)
    assert 'id="closed-automatically"' not in hub.content.decode()


def test_the_admin_cannot_tick_it_by_hand(client, binxi, desk):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    session = DeskSessionFactory(community=binxi, stop=desk.yejin, status="closed")
    page = client.get(reverse("admin:desks_desksession_change", args=[session.pk])).content.decode()
    assert "field-closed_automatically" in page and 'name="closed_automatically"' not in page

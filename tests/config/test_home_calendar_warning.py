"""The home page warns supervisors and administrators when next year's official days are missing
(DESIGN §4.3): deadlines then count weekends as the only rest days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests import clock
from requests.models import CalendarDay
from tests.factories import member

pytestmark = pytest.mark.django_db

# November of the last year the chinese-calendar package knows: the look-ahead window for the next.
LOOK_AHEAD = datetime(clock.KNOWN_LAST_YEAR, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NEXT_YEAR = clock.KNOWN_LAST_YEAR + 1
ADMIN_TABLE = reverse("admin:requests_calendarday_changelist")


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    clock.clear_cache()
    yield
    clock.clear_cache()


def home(client, user) -> str:
    client.force_login(user)
    with clock.frozen(LOOK_AHEAD):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_supervisors_and_administrators_are_warned_until_next_years_days_are_entered(client, binxi, alice):
    administrator = member(binxi, "administrator", username="admin")
    page = home(client, alice)
    assert 'id="calendar-warning"' in page and str(NEXT_YEAR) in page
    assert ADMIN_TABLE not in page  # a supervisor cannot enter the days
    page = home(client, administrator)
    assert 'id="calendar-warning"' in page and ADMIN_TABLE in page

    CalendarDay.objects.create(date=date(NEXT_YEAR, 1, 1), is_workday=False)
    clock.clear_cache()  # as the CalendarDay admin does when it saves a day
    assert 'id="calendar-warning"' not in home(client, alice)
    assert 'id="calendar-warning"' not in home(client, administrator)


@pytest.mark.parametrize("role", ["desk_staff", "volunteer", "grid_worker"])
def test_other_staff_are_not_warned(client, binxi, role):
    assert 'id="calendar-warning"' not in home(client, member(binxi, role))


def test_outside_the_look_ahead_window_nobody_is_warned(client, alice):
    client.force_login(alice)
    with clock.frozen(LOOK_AHEAD.replace(month=6)):
        assert 'id="calendar-warning"' not in client.get("/").content.decode()


def test_the_warning_costs_no_query_once_the_calendar_is_cached(client, alice):
    home(client, alice)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries, clock.frozen(LOOK_AHEAD):
        assert 'id="calendar-warning"' in client.get("/").content.decode()
    assert not [q for q in queries.captured_queries if CalendarDay._meta.db_table in q["sql"]]

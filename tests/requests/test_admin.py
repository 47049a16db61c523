"""The admin: categories and calendar days editable, requests read-only, the calendar cache cleared."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from requests import clock
from requests.models import CalendarDay
from requests.services import request_rate_by_sms
from tests.requests.conftest import in_state, logged

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    user = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    client.force_login(user)
    return client


def test_the_pages_render(admin_client, world):
    sr = logged(world)
    for url in (
        "/admin/requests/category/",
        f"/admin/requests/category/{world.repair.pk}/change/",
        "/admin/requests/calendarday/",
        "/admin/requests/calendarday/add/",
        "/admin/requests/servicerequest/",
        f"/admin/requests/servicerequest/{sr.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert world.wang.phone not in response.content.decode()
    assert admin_client.get("/admin/requests/servicerequest/add/").status_code == 403


def test_saving_a_calendar_day_clears_the_cache(admin_client):
    assert clock.is_workday(date(2027, 1, 1))  # cached: 2027 has no entered days
    response = admin_client.post(
        "/admin/requests/calendarday/add/", {"date": "2027-01-01", "is_workday": "", "name": "元旦"}
    )
    assert response.status_code == 302 and CalendarDay.objects.count() == 1
    assert not clock.is_workday(date(2027, 1, 1))


def test_a_full_width_reply_counts(world):
    sr = in_state(world, "resolved")
    assert request_rate_by_sms(request_id=sr.pk, reply="２").rating == "fairly_satisfied"

"""*My requests* says "due soon" when the reminder does: a working half-day before the deadline."""

import pytest

from requests import clock, selectors
from requests.models import ServiceRequest
from tests.requests.conftest import in_state, shanghai

pytestmark = pytest.mark.django_db

FRIDAY_4PM = shanghai(2026, 11, 27, 16, 0)  # an ordinary weekend follows
MONDAY = (2026, 11, 30)


def due(world, at):
    sr = in_state(world, "in_progress")
    ServiceRequest.objects.filter(pk=sr.pk).update(resolve_due_at=at)
    return sr


def sections(world):
    work = selectors.my_work(user=world.handler, at=FRIDAY_4PM)
    return {name: set(work[name]) for name in ("overdue", "due_soon", "in_progress")}


def test_due_monday_morning_is_due_soon_on_friday_afternoon(world):
    # Friday 16:00 → 17:30 is 1.5 working hours; the other 3 of the half-day run Monday 08:30–11:30.
    monday_10 = due(world, shanghai(*MONDAY, 10, 0))
    monday_2pm = due(world, shanghai(*MONDAY, 14, 0))
    work = sections(world)
    assert work["due_soon"] == {monday_10}  # 24 calendar hours would have said "not yet"
    assert work["in_progress"] == {monday_2pm}
    assert work["overdue"] == set()
    # the reminder agrees: its due-soon step for Monday 10:00 comes before Friday 16:00
    reminder = clock.due_soon_at(shanghai(*MONDAY, 10, 0), "working_days", not_before=shanghai(2026, 11, 1))
    assert (
        reminder
        <= FRIDAY_4PM
        < clock.due_soon_at(shanghai(*MONDAY, 14, 0), "working_days", not_before=shanghai(2026, 11, 1))
    )


def test_tomorrow_afternoon_is_not_yet_due_soon_the_evening_before(world):
    # Wednesday 17:00 → Thursday 16:00 is 23 calendar hours but 8 working hours: more than half a day.
    thursday_4pm = due(world, shanghai(2026, 11, 26, 16, 0))
    work = selectors.my_work(user=world.handler, at=shanghai(2026, 11, 25, 17, 0))
    assert set(work["due_soon"]) == set()
    assert set(work["in_progress"]) == {thursday_4pm}

"""The clock of DESIGN §4.3: working days with 调休, office hours, the year chinese-calendar stops."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from requests import clock
from requests.models import CalendarDay, Source
from requests.services import request_log
from tests.requests.conftest import shanghai


@pytest.fixture
def spring_festival_2026():
    """What the package says about the 2026 Spring Festival, checked before the tests rely on it."""
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Saturday, make-up working day
    assert all(chinese_calendar.is_holiday(date(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 28))  # Saturday, make-up working day
    assert date(2026, 2, 14).weekday() == 5 and date(2026, 2, 28).weekday() == 5


@pytest.mark.django_db
class TestWorkingDays:
    def test_spring_festival_is_skipped_and_the_make_up_saturday_counts(self, spring_festival_2026):
        # Fri 13 Feb 10:00 + 2 working days: 7.5 h on Friday, 9 h on Saturday the 14th (调休),
        # then nine holidays, then 1.5 h on Tuesday the 24th.
        assert clock.add_working_days(shanghai(2026, 2, 13, 10, 0), 2) == shanghai(2026, 2, 24, 10, 0)

    def test_logged_during_the_holiday_starts_the_first_working_morning(self, spring_festival_2026):
        assert clock.start_of_counting(shanghai(2026, 2, 18, 11, 0)) == shanghai(2026, 2, 24, 8, 30)
        assert clock.add_working_days(shanghai(2026, 2, 18, 11, 0), 1) == shanghai(2026, 2, 24, 17, 30)

    def test_a_make_up_saturday_is_a_working_day(self, spring_festival_2026):
        assert clock.add_working_days(shanghai(2026, 2, 27, 16, 30), 1) == shanghai(2026, 2, 28, 16, 30)
        assert clock.is_workday(date(2026, 2, 28))
        assert not clock.is_workday(date(2026, 3, 1))

    def test_a_make_up_sunday_before_national_day(self):
        assert chinese_calendar.is_workday(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
        assert clock.start_of_counting(shanghai(2026, 9, 19, 12, 0)) == shanghai(2026, 9, 20, 8, 30)

    def test_an_ordinary_week(self):
        assert clock.add_working_days(shanghai(2026, 11, 23, 10, 0), 1) == shanghai(2026, 11, 24, 10, 0)
        assert clock.add_working_days(shanghai(2026, 11, 27, 10, 0), 1) == shanghai(2026, 11, 30, 10, 0)
        assert clock.add_working_days(shanghai(2026, 11, 23, 8, 30), 1) == shanghai(2026, 11, 23, 17, 30)
        assert clock.add_working_days(shanghai(2026, 11, 23, 10, 0), 13) == shanghai(2026, 12, 10, 10, 0)

    def test_working_hours_cross_the_night(self):
        assert clock.add_working_hours(shanghai(2026, 11, 27, 16, 0), 4) == shanghai(2026, 11, 30, 11, 0)
        assert clock.subtract_working_hours(shanghai(2026, 11, 30, 11, 0), 4) == shanghai(2026, 11, 27, 16, 0)
        assert clock.subtract_working_hours(shanghai(2026, 11, 24, 10, 0), 4.5) == shanghai(
            2026, 11, 23, 14, 30
        )

    def test_utc_in_shanghai_out(self):
        # 02:00 UTC is 10:00 in Shanghai.
        start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        due = clock.add_working_days(start, 1)
        assert due == shanghai(2026, 11, 24, 10, 0) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
        with pytest.raises(ValueError):
            clock.add_working_days(datetime(2026, 11, 23, 10, 0), 1)

    def test_office_hours_are_a_setting(self, settings):
        settings.OFFICE_HOURS_START, settings.OFFICE_HOURS_END = (9, 0), (17, 0)
        assert clock.start_of_counting(shanghai(2026, 11, 23, 8, 45)) == shanghai(2026, 11, 23, 9, 0)
        assert clock.add_working_days(shanghai(2026, 11, 23, 9, 0), 1) == shanghai(2026, 11, 23, 17, 0)


@pytest.mark.django_db
class TestBeyondThePackage:
    def test_2027_without_entered_days_rests_on_weekends_and_warns(self):
        assert not clock.package_knows(2027)
        # Thu 31 Dec 10:00 + 2 working days; 1 Jan 2027 (a Friday) counts, not yet entered.
        assert clock.add_working_days(shanghai(2026, 12, 31, 10, 0), 2) == shanghai(2027, 1, 4, 10, 0)
        assert clock.is_workday(date(2027, 1, 1))
        assert not clock.is_workday(date(2027, 1, 2))
        assert "2027" in clock.calendar_warning(2027)
        assert clock.calendar_warning(2026) is None

    def test_an_entered_holiday_is_skipped_and_the_warning_goes(self):
        CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
        CalendarDay.objects.create(date=date(2027, 2, 20), is_workday=True, name="春节调休")
        clock.clear_cache()  # as the admin does when a day is saved
        assert clock.add_working_days(shanghai(2026, 12, 31, 10, 0), 2) == shanghai(2027, 1, 5, 10, 0)
        assert clock.is_workday(date(2027, 2, 20))  # an entered make-up Saturday
        assert clock.calendar_warning(2027) is None

    def test_an_entered_day_overrides_the_package(self):
        CalendarDay.objects.create(date=date(2026, 12, 31), is_workday=False, name="test")
        clock.clear_cache()
        assert not clock.is_workday(date(2026, 12, 31))

    def test_the_dashboard_warning_looks_ahead_from_november(self):
        with clock.frozen(shanghai(2026, 6, 1, 9, 0)):
            assert clock.calendar_warning() is None
        with clock.frozen(shanghai(2026, 11, 28, 9, 0)):
            assert "2027" in clock.calendar_warning()

    def test_a_year_is_read_once(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            clock.add_working_days(shanghai(2026, 3, 2, 10, 0), 13)
        with django_assert_num_queries(0):
            clock.add_working_days(shanghai(2026, 5, 6, 10, 0), 13)
        with django_assert_num_queries(1):  # 2027 is read once more
            clock.add_working_days(shanghai(2026, 12, 28, 10, 0), 13)


@pytest.mark.django_db
class TestRequestDeadlines:
    def test_after_hours_intake_starts_next_working_morning(self, world):
        with clock.frozen(shanghai(2026, 11, 27, 19, 0)):  # Friday evening
            sr = request_log(
                actor=world.desk_staff, community=world.binxi, category=world.other, description="路灯坏了"
            )
        assert clock.local(sr.accept_due_at) == shanghai(2026, 11, 30, 17, 30)  # 1 working day from Monday
        assert clock.local(sr.resolve_due_at) == shanghai(2026, 12, 4, 17, 30)  # 5 working days

    def test_early_morning_intake_starts_at_opening(self, world):
        with clock.frozen(shanghai(2026, 11, 24, 7, 10)):
            sr = request_log(
                actor=world.desk_staff, community=world.binxi, category=world.other, description="路灯坏了"
            )
        assert clock.local(sr.accept_due_at) == shanghai(2026, 11, 24, 17, 30)

    def test_urgent_repair_runs_on_calendar_hours(self, world):
        # accept in 1 working hour, resolve in 24 calendar hours from the moment itself
        with clock.frozen(shanghai(2026, 11, 28, 23, 0)):  # Saturday night
            sr = request_log(
                actor=world.desk_staff, community=world.binxi, category=world.urgent, description="水管爆了"
            )
        assert clock.local(sr.accept_due_at) == shanghai(2026, 11, 30, 9, 30)
        assert clock.local(sr.resolve_due_at) == shanghai(2026, 11, 29, 23, 0)

    def test_the_12345_hotline_keeps_its_reference_and_deadline(self, world):
        hotline_due = shanghai(2026, 11, 26, 12, 0)
        with clock.frozen(shanghai(2026, 11, 23, 10, 0)):
            sr = request_log(
                actor=world.desk_staff,
                community=world.binxi,
                category=world.other,
                description="12345转来：小区门口占道经营",
                source=Source.HOTLINE,
                hotline_reference="HN20261123-0456",
                hotline_due_at=hotline_due,
            )
        assert sr.hotline_reference == "HN20261123-0456"
        assert sr.reference.startswith("BX-2026-")
        assert sr.resolve_due_at == hotline_due == sr.original_resolve_due_at

    def test_due_soon_is_a_working_half_day_before(self, world):
        due = shanghai(2026, 11, 24, 10, 0)
        assert clock.due_soon_at(due, "working_days", not_before=shanghai(2026, 11, 20, 9, 0)) == shanghai(
            2026, 11, 23, 14, 30
        )
        start = due - timedelta(hours=4)
        assert clock.due_soon_at(due, "calendar_hours", not_before=start) == due - timedelta(hours=1)

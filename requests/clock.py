"""The clock of DESIGN §4.3: working days on the official Chinese calendar, office hours, deadlines.

- A day is a working day as `chinese_calendar` says (make-up working days, 调休, included) for the
  years it knows (up to 2026 in version 1.11). For later years, weekends rest and weekdays work
  until an administrator enters the official days as CalendarDay rows; `calendar_warning()` tells
  the dashboard so. A CalendarDay row wins over the package in any year (an administrator's
  correction).
- Working time runs from settings.OFFICE_HOURS_START to OFFICE_HOURS_END on working days, in
  Asia/Shanghai (settings.TIME_ZONE). Something that happens outside it starts counting at the
  next working morning.
- *n working days* is n office days' worth of working time: logged Monday 10:00 with 1 working day
  → due Tuesday 10:00; logged at 08:30 (or overnight) → due 17:30 the same working day.
- Calendar hours run round the clock from the moment itself (urgent repairs).

CalendarDay rows are read once per year and kept in this process for CACHE_SECONDS, so a deadline
costs at most one query per year it touches; the admin clears the cache when it saves a day.
Services read the time through `now()`, which tests and the demo may pin with `frozen()`.
"""

import threading
import time as monotonic_time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import holidays as _known_holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from requests.calendar_models import CalendarDay
from requests.category_models import DeadlineUnit

CACHE_SECONDS = 300
KNOWN_FIRST_YEAR = min(_known_holidays).year
KNOWN_LAST_YEAR = max(_known_holidays).year
_SEARCH_LIMIT = 60  # no official break is longer than this many days

_pinned: ContextVar[datetime | None] = ContextVar("doorstep_clock_now", default=None)
_cache: dict[int, tuple[float, dict[date, bool]]] = {}
_cache_lock = threading.Lock()


# --- now --------------------------------------------------------------------------------------------


def now() -> datetime:
    """The current time, or the one `frozen()` pinned in this thread."""
    return _pinned.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Pin `now()` to `at` in this thread (tests, and the demo's back-dated history)."""
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    token = _pinned.set(at)
    try:
        yield at
    finally:
        _pinned.reset(token)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(at: datetime) -> datetime:
    if timezone.is_naive(at):
        raise ValueError("the clock works on aware datetimes (USE_TZ)")
    return at.astimezone(zone())


# --- the calendar ----------------------------------------------------------------------------------


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _entered_days(year: int) -> dict[date, bool]:
    """The CalendarDay rows of `year`, {date: is_workday}, read at most once per CACHE_SECONDS."""
    with _cache_lock:
        hit = _cache.get(year)
        if hit and hit[0] > monotonic_time.monotonic():
            return hit[1]
    rows = dict(
        CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).values_list(
            "date", "is_workday"
        )
    )
    with _cache_lock:
        _cache[year] = (monotonic_time.monotonic() + CACHE_SECONDS, rows)
    return rows


def package_knows(year: int) -> bool:
    return KNOWN_FIRST_YEAR <= year <= KNOWN_LAST_YEAR


def is_workday(day: date) -> bool:
    entered = _entered_days(day.year)
    if day in entered:
        return entered[day]
    if package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def next_workday(day: date) -> date:
    """The first working day after `day`."""
    for offset in range(1, _SEARCH_LIMIT):
        candidate = day + timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    raise ValueError(f"no working day within {_SEARCH_LIMIT} days after {day}")


def previous_workday(day: date) -> date:
    for offset in range(1, _SEARCH_LIMIT):
        candidate = day - timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    raise ValueError(f"no working day within {_SEARCH_LIMIT} days before {day}")


def calendar_warning(year: int | None = None) -> str | None:
    """A message for the dashboard when deadlines in a year are counted without its official days.

    With a year: that year. Without: this year, and from November on next year too (deadlines of
    December run into January). A year counts as entered once it has any CalendarDay row.
    """
    if year is None:
        today = local(now()).date()
        years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    else:
        years = [year]
    for candidate in years:
        if not package_knows(candidate) and not _entered_days(candidate):
            return _(
                "The official holidays of %(year)s have not been entered yet: deadlines in %(year)s "
                "count weekends as the only rest days. An administrator enters them under Calendar days."
            ) % {"year": candidate}
    return None


# --- office hours ----------------------------------------------------------------------------------


def _at(day: date, hm: tuple[int, int]) -> datetime:
    return datetime.combine(day, time(*hm), tzinfo=zone())


def office_opens(day: date) -> datetime:
    return _at(day, settings.OFFICE_HOURS_START)


def office_closes(day: date) -> datetime:
    return _at(day, settings.OFFICE_HOURS_END)


def office_day() -> timedelta:
    return office_closes(date(2000, 1, 3)) - office_opens(date(2000, 1, 3))


def in_office_hours(at: datetime) -> bool:
    moment = local(at)
    day = moment.date()
    return is_workday(day) and office_opens(day) <= moment < office_closes(day)


def start_of_counting(at: datetime) -> datetime:
    """`at` itself during office hours on a working day, else the next working morning."""
    moment = local(at)
    day = moment.date()
    if is_workday(day):
        if moment < office_opens(day):
            return office_opens(day)
        if moment < office_closes(day):
            return moment
    return office_opens(next_workday(day))


# --- adding working time ---------------------------------------------------------------------------


def add_working_hours(start: datetime, hours: float | timedelta) -> datetime:
    """The moment `hours` of working time after `start` (which may be outside office hours)."""
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if remaining < timedelta(0):
        return subtract_working_hours(start, -remaining)
    current = start_of_counting(start)
    while True:
        available = office_closes(current.date()) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = office_opens(next_workday(current.date()))


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` office days' worth of working time after `start` (see the module's docstring)."""
    return add_working_hours(start, office_day() * days)


def subtract_working_hours(end: datetime, hours: float | timedelta) -> datetime:
    """The moment `hours` of working time before `end` (e.g. a working half-day before a deadline)."""
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    moment = local(end)
    day = moment.date()
    if not is_workday(day) or moment <= office_opens(day):
        day = previous_workday(day)
        moment = office_closes(day)
    elif moment > office_closes(day):
        moment = office_closes(day)
    while True:
        available = moment - office_opens(day)
        if remaining <= available:
            return moment - remaining
        remaining -= available
        day = previous_workday(day)
        moment = office_closes(day)


def deadline(start: datetime, amount: int, unit: str) -> datetime:
    if unit == DeadlineUnit.CALENDAR_HOURS:
        return local(start) + timedelta(hours=amount)
    if unit == DeadlineUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    return add_working_days(start, amount)


class Deadlines(NamedTuple):
    accept: datetime
    resolve: datetime


# No deadline is set further than this from the moment it is set (an extension, a 12345 order's
# own deadline): a typo such as 9999-12-31 is refused, not carried into the working-day arithmetic.
FURTHEST_DEADLINE = timedelta(days=366)


def due_at(category, logged_at: datetime) -> Deadlines:
    """When a request of `category` logged at `logged_at` must be accepted and resolved."""
    return Deadlines(
        accept=deadline(logged_at, category.accept_within, category.accept_unit),
        resolve=deadline(logged_at, category.resolve_within, category.resolve_unit),
    )


def due_soon_at(due: datetime, unit: str, *, not_before: datetime) -> datetime:
    """When to say "due soon": a working half-day before the deadline (for calendar-hour deadlines,
    when a quarter of the time is left), never before `not_before`."""
    if unit == DeadlineUnit.CALENDAR_HOURS:
        moment = due - (due - not_before) / 4
    else:
        moment = subtract_working_hours(due, office_day() / 2)
    return max(moment, not_before)


def due_soon_until(at: datetime) -> datetime:
    """Deadlines before this moment are "due soon" at `at`: a working half-day ahead, the same half-day
    `due_soon_at` reminds before for working-day deadlines (lists and reminders agree there). A
    calendar-hour deadline (urgent repairs) is reminded of when a quarter of its time is left, which
    depends on when it was accepted; the list keeps the one half-day window for every request."""
    return add_working_hours(at, office_day() / 2)

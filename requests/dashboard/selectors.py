"""Reads of the supervisor's dashboard, the street office's comparison and the monthly report.

Every function takes a Scope whose communities the caller has already checked (the view keeps
only communities where the user may supervise), and answers in a fixed number of queries
whatever the number of rows, handlers, grids or categories: SQL aggregates, grouped once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from desks.models import DeskSession, Screening
from desks.served import served_counts
from requests import clock
from requests.category_models import Category
from requests.dashboard import counting
from requests.dashboard.figures import FIGURES, RATES, Period
from requests.request_models import (
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    EventAction,
    ServiceRequest,
    Status,
)
from residents.models import Community, Grid
from residents.people import person_name


@dataclass(frozen=True)
class Scope:
    community_ids: tuple[int, ...]
    grid_id: int | None = None
    category_id: int | None = None
    route_id: int | None = None
    source: str = ""
    handler_id: int | None = None

    def requests(self) -> QuerySet[ServiceRequest]:
        rows = ServiceRequest.objects.filter(community_id__in=self.community_ids)
        if self.grid_id is not None:
            rows = rows.filter(grid_id=self.grid_id)
        if self.category_id is not None:
            rows = rows.filter(Q(category_id=self.category_id) | Q(category__parent_id=self.category_id))
        if self.route_id is not None:
            rows = rows.filter(desk_session__route_id=self.route_id)
        if self.source:
            rows = rows.filter(source=self.source)
        if self.handler_id is not None:
            rows = rows.filter(handler_id=self.handler_id)
        return rows

    def sessions(self) -> QuerySet[DeskSession]:
        rows = DeskSession.objects.filter(community_id__in=self.community_ids)
        if self.route_id is not None:
            rows = rows.filter(route_id=self.route_id)
        if self.grid_id is not None:
            rows = rows.filter(stop__grids=self.grid_id)
        return rows


@dataclass
class Number:
    """One figure: for a count `hit == base`; for a rate `rate` is None when nothing was counted."""

    name: str
    label: str
    base: int
    hit: int
    is_rate: bool
    previous: Number | None = field(default=None, repr=False)

    @property
    def value(self):
        if not self.is_rate:
            return self.hit
        return None if self.base == 0 else self.hit / self.base

    @property
    def change(self):
        """The change from the previous period: counts in units, rates in percentage points."""
        if self.previous is None or self.value is None or self.previous.value is None:
            return None
        if self.is_rate:
            return round((self.value - self.previous.value) * 100, 1)
        return self.value - self.previous.value


def open_by_status(scope: Scope, at: dt.datetime) -> dict[str, dict[str, int]]:
    """Open requests now by status, and how many of them are overdue: one grouped query, which the
    figures' open and overdue counts and the status chart share."""
    rows = (
        scope.requests()
        .filter(status__in=OPEN_STATUSES)
        .values("status")
        .annotate(n=Count("id"), overdue=Count("id", filter=FIGURES["overdue_now"].base(None, at)))
        .order_by()
    )
    return {row["status"]: {"n": row["n"], "overdue": row["overdue"]} for row in rows}


def figures(
    scope: Scope, period: Period, at: dt.datetime, *, now: bool = True, open_now: dict | None = None
) -> dict[str, Number]:
    """The counts and rates of DESIGN §5 for the period: the days the daily summary holds summed
    from it, the rest in one live aggregate over the rows an event of the period touches
    (requests/dashboard/counting.py); open and overdue now from open_by_status (given, or one more
    query), left out with now=False — they do not depend on the period."""
    counted = dict(counting.period_counts(scope, period, at).get(None) or {})
    counted.update(open_now__base=0, overdue_now__base=0)
    if now:
        by_status = open_now if open_now is not None else open_by_status(scope, at)
        counted["open_now__base"] = sum(row["n"] for row in by_status.values())
        counted["overdue_now__base"] = sum(row["overdue"] for row in by_status.values())
    numbers = {}
    for name, figure in FIGURES.items():
        base = counted.get(f"{name}__base") or 0
        hit = counted.get(f"{name}__hit", base) or 0
        numbers[name] = Number(name, str(figure.label), base, hit, figure.is_rate)
    return numbers


def figures_with_previous(
    scope: Scope, period: Period, previous: Period, at: dt.datetime, *, open_now: dict | None = None
) -> dict:
    now = figures(scope, period, at, open_now=open_now)
    before = figures(scope, previous, at, now=False)  # open and overdue now are counted once
    for name, number in now.items():
        if name not in ("open_now", "overdue_now"):
            number.previous = before[name]
    return now


class _Percentiles(Aggregate):
    """percentile_cont of several fractions in one sort (two calls would sort the rows twice)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions, output_field, **extra):
        listed = ", ".join(str(float(f)) for f in fractions)
        super().__init__(expression, fractions=listed, output_field=output_field, **extra)


def _hours_expression():
    return ExpressionWrapper(F("closed_at") - F("logged_at"), output_field=DurationField())


def time_to_close(scope: Scope, period: Period) -> dict[str, float | None]:
    """Median and 90th percentile of closed − logged, in hours, over requests closed in the period
    (withdrawn excluded). PostgreSQL: percentile_cont of both in one query and one sort. Elsewhere:
    the two rows around each percentile by ORDER BY … OFFSET, interpolated the same way (a few
    queries, no scan into Python)."""
    closed = scope.requests().filter(FIGURES["closed"].base(period, clock.now()))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField

        # Ordered by the interval itself: comparing intervals is cheaper than computing and
        # comparing hours for every row, and interpolating intervals gives the same hours.
        row = closed.aggregate(
            took=_Percentiles(_hours_expression(), (0.5, 0.9), output_field=ArrayField(DurationField()))
        )
        took = row["took"] or [None, None]
        return {
            name: (round(value.total_seconds() / 3600, 1) if value is not None else None)
            for name, value in zip(("median", "p90"), took, strict=True)
        }
    ordered = closed.annotate(took=_hours_expression()).order_by("took").values_list("took", flat=True)
    n = ordered.count()
    if n == 0:
        return {"median": None, "p90": None}

    def percentile(p: float) -> float:
        position = p * (n - 1)
        low = int(position)
        pair = list(ordered[low : low + 2])
        hours = [d.total_seconds() / 3600 for d in pair]
        if len(hours) == 1:
            return hours[0]
        return hours[0] + (hours[1] - hours[0]) * (position - low)

    return {"median": round(percentile(0.5), 1), "p90": round(percentile(0.9), 1)}


def per_day(scope: Scope, period: Period) -> list[dict]:
    """Logged and closed per local day of the period (withdrawn left out, as in the figures)."""
    logged, closed = counting.per_day_counts(scope, period)
    days = []
    day = clock.local(period.start).date()
    last = clock.local(period.end).date()
    while day < last and len(days) < 400:
        label = f"{day.month:02d}-{day.day:02d}"  # a year's table: cheaper than 365 |date filters
        days.append({"day": day, "label": label, "logged": logged.get(day, 0), "closed": closed.get(day, 0)})
        day += dt.timedelta(days=1)
    return days


def by_group(scope: Scope, period: Period, at: dt.datetime, key: str) -> list[dict]:
    """Per category group (key="category") or grid (key="grid"): logged, answered on the spot,
    resolved, on time and the three rates, in one grouped query."""
    counted = counting.period_counts(scope, period, at, key)
    model = {"category": Category, "grid": Grid, "community": Community}[key]
    # A group none of whose requests counts for anything (a rejected request due in the period) has
    # no row, whichever way it was counted.
    rows = [{"group_id": g, **counts} for g, counts in counted.items() if any(counts.values())]
    named = model.objects.in_bulk([row["group_id"] for row in rows if row["group_id"] is not None])
    for row in rows:
        thing = named.get(row["group_id"])
        row["group_name"] = thing.name if thing is not None else ""
        row["position"] = (getattr(thing, "position", 0), row["group_id"] or 0) if thing else (10**6, 0)
    rows.sort(key=lambda row: row["position"])
    result = []
    for row in rows:
        numbers = {}
        for name in ("logged", "first_contact", *RATES):
            figure = FIGURES[name]
            base = row.get(f"{name}__base") or 0
            numbers[name] = Number(
                name, str(figure.label), base, row.get(f"{name}__hit", base) or 0, figure.is_rate
            )
        result.append(
            {
                "id": row["group_id"],
                "name": row["group_name"] or "—",
                "resolved": row.get("resolved") or 0,
                "numbers": numbers,
            }
        )
    return result


def status_now(scope: Scope, open_now: dict | None = None) -> list[dict]:
    counts = open_now if open_now is not None else open_by_status(scope, clock.now())
    return [
        {"status": s, "label": s.label, "n": counts.get(s.value, {}).get("n", 0)}
        for s in Status
        if s != Status.CLOSED
    ]


def handler_workload(scope: Scope, at: dt.datetime) -> list[dict]:
    """Per handler: open, due soon (a working half-day), overdue — one grouped query and one for names."""
    soon = clock.due_soon_until(at)
    rows = (
        scope.requests()
        .filter(status__in=UNRESOLVED_STATUSES, handler__isnull=False)
        .values("handler_id")
        .annotate(
            open=Count("id"),
            due_soon=Count("id", filter=Q(resolve_due_at__gte=at, resolve_due_at__lt=soon)),
            overdue=Count("id", filter=Q(resolve_due_at__lt=at)),
        )
        .order_by("-overdue", "-open", "handler_id")
    )
    rows = list(rows)
    people = get_user_model().objects.in_bulk([row["handler_id"] for row in rows])
    for row in rows:
        person = people.get(row["handler_id"])
        row["name"] = (
            (f"{person.last_name}{person.first_name}".strip() or person.get_username()) if person else "—"
        )
    return rows


def _person_name(person) -> str:
    return "—" if person is None else person_name(person)


REMINDER_ACTIONS = ("remind", EventAction.ESCALATE)


def reminders_sent(scope: Scope, period: Period) -> dict[str, int]:
    """Reminders and escalations written to timelines in the period."""
    return counting.reminder_counts(scope, period)


def desk_work(scope: Scope, period: Period) -> dict:
    """Sessions held and cancelled, residents served per held session, screenings and flagged
    readings in the period."""
    first = clock.local(period.start).date()
    last = clock.local(period.end).date()
    sessions = scope.sessions().filter(date__gte=first, date__lt=last)
    counted = sessions.aggregate(
        held=Count("id", filter=Q(status=DeskSession.Status.CLOSED), distinct=True),
        cancelled=Count("id", filter=Q(status=DeskSession.Status.CANCELLED), distinct=True),
    )
    held = list(sessions.filter(status=DeskSession.Status.CLOSED).distinct())
    served = served_counts(held)
    total_served = sum(c["total"] for c in served.values())
    screenings = Screening.objects.filter(
        community_id__in=scope.community_ids, recorded_at__gte=period.start, recorded_at__lt=period.end
    )
    if scope.route_id is not None or scope.grid_id is not None:
        screenings = screenings.filter(session__in=scope.sessions().values("id"))
    screened = screenings.aggregate(
        n=Count("id"), flagged=Count("id", filter=Q(bp_flagged=True) | Q(glucose_flagged=True))
    )
    return {
        "held": counted["held"],
        "cancelled": counted["cancelled"],
        "served": total_served,
        "served_per_session": round(total_served / len(held), 1) if held else None,
        "screenings": screened["n"],
        "flagged": screened["flagged"],
    }


def compare_communities(community_ids: tuple[int, ...], period: Period, at: dt.datetime) -> list[dict]:
    """The street office's view: one row per community — logged, overdue now and the three rates
    (two grouped queries)."""
    rows = {row["id"]: row for row in by_group(Scope(community_ids), period, at, "community")}
    overdue = dict(
        ServiceRequest.objects.filter(community_id__in=community_ids)
        .filter(FIGURES["overdue_now"].base(period, at))
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    result = []
    for community in Community.objects.filter(pk__in=community_ids).order_by("name"):
        row = rows.get(community.pk) or {"numbers": {}}
        numbers = row["numbers"] or {
            name: Number(name, str(FIGURES[name].label), 0, 0, FIGURES[name].is_rate)
            for name in ("logged", "first_contact", *RATES)
        }
        result.append({"community": community, "numbers": numbers, "overdue": overdue.get(community.pk, 0)})
    return result


def sms_counts(scope: Scope, period: Period) -> list[dict]:
    """SMS written in the period by state (sent, delivered, failed, held, unknown…): one query."""
    from residents.sms.models import SmsMessage, State

    rows = SmsMessage.objects.filter(
        community_id__in=scope.community_ids, created_at__gte=period.start, created_at__lt=period.end
    )
    counts = dict(rows.values("state").annotate(n=Count("id")).order_by().values_list("state", "n"))
    return [{"state": state, "label": state.label, "n": counts.get(state.value, 0)} for state in State]


def households(scope: Scope, period: Period, today: dt.date) -> dict:
    """党员联户 and 志愿服务 in the period: households linked today and those not visited within the
    setting, visits and the requests they brought, volunteer hours — a fixed number of queries."""
    from desks import household_selectors as hh
    from desks.household_models import Visit
    from desks.services.households import covered_q
    from residents.models import Resident

    days = hh.visit_days()
    links = list(hh.active_links(community_ids=scope.community_ids, on=today))
    linked = Resident.objects.none()
    if links:
        linked = Resident.objects.filter(
            covered_q(links), community_id__in=scope.community_ids, anonymised_at__isnull=True
        ).distinct()
    recent = Visit.objects.filter(visited_on__gte=today - dt.timedelta(days=days)).values("resident_id")
    first, last = clock.local(period.start).date(), clock.local(period.end).date()
    visits = Visit.objects.filter(
        community_id__in=scope.community_ids, visited_on__gte=first, visited_on__lt=last
    )
    per_volunteer = list(visits.values("visitor_id").annotate(n=Count("id")).order_by("-n", "visitor_id"))
    people = get_user_model().objects.in_bulk([row["visitor_id"] for row in per_volunteer])
    for row in per_volunteer:
        row["name"] = _person_name(people.get(row["visitor_id"]))
    members = sorted({link.member_id for link in links} | set(people))
    lines = hh.hours_lines(
        community_ids=scope.community_ids, member_ids=members, first=first, last=last - dt.timedelta(days=1)
    )
    hours = sum((hh.total(member_lines) for member_lines in lines.values()), Decimal("0"))
    return {
        "days": days,
        "linked": linked.count() if links else 0,
        "not_visited": linked.exclude(pk__in=recent).count() if links else 0,
        "visits": sum(row["n"] for row in per_volunteer),
        "per_volunteer": per_volunteer,
        "requests": _visit_requests(scope, period),
        "hours": hours,
    }


def _visit_requests(scope: Scope, period: Period) -> int:
    """Requests logged in the period from household visits (withdrawn left out, as in every figure):
    the daily summary's by-source counts where the scope allows, else live."""
    if scope.source and scope.source != "household_visit":
        return 0
    return counting.logged_count(replace(scope, source="household_visit"), period, clock.now())

"""The period figures' counts: summed from the daily summary up to its last refresh, counted live
after it (today, and any later day a deadline falls on) — or live throughout where the summary keeps
no breakdown for the scope (two scope dimensions at once; grid or category charts of a route, source
or handler).

A request whose event days fall on both sides of the summary's edge (accept deadline yesterday,
accepted today) is counted by the summary; the live part leaves out the requests the summed part
already counted, so the total equals the live aggregate over the whole period exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from requests import clock
from requests.dashboard import summary
from requests.dashboard.figures import FIGURES, NOT_WITHDRAWN, RATES, Period, period_filter
from requests.request_models import EventAction, RequestEvent
from requests.summary_models import DailyFigure

PERIOD_FIGURES = ("logged", "closed", *RATES)
_PAIRED = ("response", "on_time")  # a request may count on either of two days
_LIVE_GROUP = {
    "community": lambda: F("community_id"),
    "grid": lambda: F("grid_id"),
    "category": lambda: Coalesce("category__parent_id", "category_id"),
    "day": lambda: None,
}
_SUMMED_GROUP = {"community": "community_id", "grid": "grid", "category": "group", "day": "day"}


def _dims(scope) -> list[tuple[str, object]]:
    values = (
        ("grid", scope.grid_id),
        ("category", scope.category_id),
        ("route", scope.route_id),
        ("source", scope.source or None),
        ("handler", scope.handler_id),
    )
    return [(name, value) for name, value in values if value is not None]


def summary_set(scope, key: str | None) -> str | None:
    """The summary's breakdown that answers the scope grouped by `key`, or None (count live)."""
    dims = _dims(scope)
    if len(dims) > 1:
        return None
    x = dims[0][0] if dims else None
    if key in (None, "community", "day"):
        return x or ""
    if key == "grid":
        return {None: "grid", "grid": "grid", "category": "grid+category"}.get(x)
    return {None: "category", "category": "category", "grid": "grid+category"}.get(x)


def split(scope, period: Period, key: str | None) -> tuple[str | None, Period | None, Period | None]:
    """(the summary's breakdown, the part of the period summed, the part counted live)."""
    dims = summary_set(scope, key)
    until = summary.freshness(scope.community_ids)[0] if dims is not None else None
    if until is None:
        return None, None, period
    edge = summary._midnight(until)
    if edge <= period.start:
        return None, None, period
    summed = Period(period.start, min(period.end, edge))
    live = Period(edge, period.end) if edge < period.end else None
    return dims, summed, live


def _tiers(first: dt.date, end: dt.date) -> list[tuple[str, list[tuple[dt.date, dt.date]]]]:
    """[first, end) cut into whole months, then whole weeks (summary.span_start), then days:
    (dims suffix, its [a, b) segments), coarsest first."""
    tiers = []
    rest = [(first, end)]
    for span in summary.SPANS:
        whole, left = [], []
        for a, b in rest:
            start = (
                a if summary.span_start(span, a) == a else summary.span_end(span, summary.span_start(span, a))
            )
            stop = summary.span_start(span, b)
            if start < stop:
                whole.append((start, stop))
                left += [(x, y) for x, y in ((a, start), (stop, b)) if x < y]
            else:
                left.append((a, b))
        tiers.append((span, whole))
        rest = left
    tiers.append(("", rest))
    return [(suffix, segments) for suffix, segments in tiers if segments]


def _summed_rows(scope, dims: str, period: Period, kinds, *, spans: bool = True):
    """The summary rows of the period: its whole months from the month rows, whole weeks of what is
    left from the week rows, the remaining days from the day rows. A request is read at the
    coarsest tier one of its days falls in: the finer tiers leave out rows with a day in a coarser
    tier's segments (a span row's day is its span's start, inside the same month and week)."""
    first, end = clock.local(period.start).date(), clock.local(period.end).date()
    rows = DailyFigure.objects.filter(community_id__in=scope.community_ids, kind__in=kinds)
    for name, value in _dims(scope):
        if name == "category":
            rows = rows.filter(Q(category=value) | Q(group=value))
        else:
            rows = rows.filter(**{name: value})
    if not spans:
        return rows.filter(summary.either_day_in([(first, end)]), dims=dims)
    chosen = Q(pk__in=[])
    coarser: list[tuple[dt.date, dt.date]] = []
    for suffix, segments in _tiers(first, end):
        tier = Q(dims=dims + suffix) & summary.either_day_in(segments)
        for a, b in coarser:
            tier &= ~Q(day__gte=a, day__lt=b) & ~Q(day2__gte=a, day2__lt=b)
        chosen |= tier
        coarser += segments
    return rows.filter(chosen)


def _add(target: dict, counts: dict) -> None:
    for name, n in counts.items():
        target[name] = target.get(name, 0) + (n or 0)


def period_counts(scope, period: Period, at: dt.datetime, key: str | None = None) -> dict:
    """{group: {"<figure>__base": n, "<rate>__hit": n, "resolved": n}}; group None without a key.
    Two queries at most, plus the summary's state."""
    dims, summed, live = split(scope, period, key)
    result: dict = defaultdict(dict)
    if summed is not None:
        group = _SUMMED_GROUP[key] if key else None
        rows = _summed_rows(scope, dims, summed, ("logged", "closed", "response", "on_time", "resolved"))
        rows = rows.values("kind", *([group] if group else [])).annotate(
            n=Sum("n"), hit=Sum("hit"), rated=Sum("rated")
        )
        for row in rows.order_by():
            g = row[group] if group else None
            kind, n, hit = row["kind"], row["n"], row["hit"]
            if kind == "logged":
                _add(result[g], {"logged__base": n, "first_contact__base": n, "first_contact__hit": hit})
            elif kind == "closed":
                _add(
                    result[g],
                    {"closed__base": n, "satisfaction__base": row["rated"], "satisfaction__hit": hit},
                )
            elif kind == "resolved":
                _add(result[g], {"resolved": n})
            else:
                _add(result[g], {f"{kind}__base": n, f"{kind}__hit": hit})
    if live is not None:
        for g, counts in _live_counts(scope, live, summed, at, key).items():
            _add(result[g], counts)
    return result


def logged_count(scope, period: Period, at: dt.datetime) -> int:
    """The period's "logged" figure alone (what period_counts gives as logged__base), reading only
    the summary's logged rows and counting only logging live."""
    dims, summed, live = split(scope, period, None)
    n = 0
    if summed is not None:
        n += _summed_rows(scope, dims, summed, ("logged",)).aggregate(n=Sum("n"))["n"] or 0
    if live is not None:
        n += scope.requests().filter(FIGURES["logged"].base(live, at)).count()
    return n


def _live_counts(scope, period: Period, summed: Period | None, at, key) -> dict:
    aggregates = {}
    for name in PERIOD_FIGURES:
        figure = FIGURES[name]
        base, hit = figure.base(period, at), figure.hit(period, at)
        if summed is not None and name in _PAIRED:
            counted = figure.base(summed, at)
            base, hit = base & ~counted, hit & ~counted
        aggregates[f"{name}__base"] = Count("id", filter=base)
        if figure.is_rate:
            aggregates[f"{name}__hit"] = Count("id", filter=hit)
    aggregates["resolved"] = Count("id", filter=NOT_WITHDRAWN & period.within("resolved_at"))
    rows = scope.requests().filter(period_filter(period, at))
    if key is None:
        return {None: rows.aggregate(**aggregates)}
    group = _LIVE_GROUP[key]()
    if key == "day":
        raise ValueError("per day: use per_day_counts")
    grouped = rows.annotate(group_id=group).values("group_id").annotate(**aggregates).order_by()
    return {row.pop("group_id"): row for row in grouped}


def per_day_counts(scope, period: Period) -> tuple[dict, dict]:
    """Logged and closed per local day (withdrawn left out, as in the figures)."""
    dims, summed, live = split(scope, period, "day")
    logged, closed = defaultdict(int), defaultdict(int)
    if summed is not None:
        rows = _summed_rows(scope, dims, summed, ("logged", "closed"), spans=False)
        for row in rows.values("kind", "day").annotate(n=Sum("n")).order_by():
            (logged if row["kind"] == "logged" else closed)[row["day"]] += row["n"]
    if live is not None:
        zone = clock.zone()
        now = clock.now()
        for target, figure, field in ((logged, "logged", "logged_at"), (closed, "closed", "closed_at")):
            rows = (
                scope.requests()
                .filter(FIGURES[figure].base(live, now))
                .annotate(day=TruncDate(field, tzinfo=zone))
                .values("day")
                .annotate(n=Count("id"))
                .values_list("day", "n")
            )
            for day, n in rows.order_by():
                target[day] += n
    return logged, closed


def reminder_counts(scope, period: Period) -> dict[str, int]:
    """Reminders and escalations written to timelines in the period."""
    dims, summed, live = split(scope, period, None)
    counted = {"reminders": 0, "escalations": 0}
    if summed is not None:
        rows = _summed_rows(scope, dims, summed, ("remind", "escalate"))
        for kind, n in rows.values("kind").annotate(n=Sum("n")).values_list("kind", "n").order_by():
            counted["reminders" if kind == "remind" else "escalations"] += n
    if live is not None:
        events = RequestEvent.objects.filter(
            request__in=scope.requests().values("id"), created_at__gte=live.start, created_at__lt=live.end
        ).filter(action__in=("remind", EventAction.ESCALATE))  # a partial index holds just these
        live_counts = events.aggregate(
            reminders=Count("id", filter=Q(action="remind")),
            escalations=Count("id", filter=Q(action=EventAction.ESCALATE)),
        )
        _add(counted, live_counts)
    return counted


def freshness(scope, period: Period, key_sets=(None, "grid", "category")) -> dict:
    """What the page says of its figures: the days summed (to which day, refreshed when) and from
    when they are counted live."""
    until, refreshed = summary.freshness(scope.community_ids)
    summed_any = until is not None and summary._midnight(until) > period.start
    usable = [k for k in key_sets if summary_set(scope, k) is not None]
    last_summed = None
    if summed_any and usable:
        last_summed = min(until, clock.local(period.end).date()) - dt.timedelta(days=1)
    return {
        "summed_until": last_summed,
        "refreshed_at": refreshed if last_summed else None,
        "partly_live": last_summed is not None and len(usable) < len(key_sets),
        "computed_at": timezone.now(),
    }

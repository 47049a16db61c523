"""The dashboard's daily summary: written here, read by requests/dashboard/counting.py.

`refresh()` (beat, every hour; idempotent) sums again every day a change touched since the last run
(ServiceRequest changes mark the days they leave and enter: `mark_changed`, called by the one
`save()` of the services) and the days that ended since then, up to yesterday; today and later are
always counted live. `rebuild()` (manage.py rebuild_daily_figures) sums every day again: after a bulk
load, or a change made outside the services (a category moved under another heading, a session
moved to another route).

Each (kind, breakdown) is one grouped INSERT … SELECT over the requests whose event days fall in the
days being summed — a fixed number of statements whatever the number of days or rows.

Span rows add up the day rows by the span each of their two days falls in — months (`dims` ending
in ":m") and weeks cut at the first of a month (":w"; a span never crosses a month) — so that a long
period reads its whole months and weeks from a few rows (a year of day rows by grid is ~200,000 rows
at a million requests; its month rows a few thousand). They are derived from the day rows after
every sum, for every span one of the changed day rows has a day in: exact by construction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from requests import clock
from requests.dashboard.figures import NOT_WITHDRAWN, PLEASED, RATED, _accepted_in_time
from requests.request_models import (
    SUMMED_FIELDS,
    EventAction,
    Outcome,
    RequestEvent,
    ServiceRequest,
    Status,
)
from requests.summary_models import DailyFigure, DailyFigureDirty, DailyFigureState

# The breakdowns kept: the whole community, each scope dimension alone, and grid × category (the
# charts by category of one grid and by grid of one category). Scopes that combine two dimensions,
# and the breakdowns by grid or category of a route, source or handler, are counted live.
DIMS = {
    "": (),
    "grid": ("grid",),
    "category": ("category", "group"),
    "grid+category": ("grid", "category", "group"),
    "route": ("route",),
    "source": ("source",),
    "handler": ("handler",),
}
_DIM_EXPRESSIONS = {
    "grid": F("grid_id"),
    "category": F("category_id"),
    "group": Coalesce("category__parent_id", "category_id"),
    "route": F("desk_session__route_id"),
    "source": F("source"),
    "handler": F("handler_id"),
}
BREAKDOWN = ("grid", "category", "group", "route", "source", "handler")  # the id columns
COLUMNS = ("community_id", "dims", "kind", "day", "day2", *BREAKDOWN, "n", "hit", "rated")
SPANS = (":m", ":w")  # the suffixes of the month and week rows' dims, coarsest first
KINDS = ("logged", "closed", "response", "on_time", "resolved", "remind", "escalate")
_TIMES = ("logged_at", "closed_at", "accept_due_at", "accepted_at", "resolve_due_at", "resolved_at")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), clock.zone())


def _joined(starts: set[dt.date], end_of) -> list[tuple[dt.date, dt.date]]:
    """[start, end_of(start)) for each start, consecutive ones joined into one range."""
    ranges: list[list[dt.date]] = []
    for start in sorted(starts):
        if ranges and ranges[-1][1] == start:
            ranges[-1][1] = end_of(start)
        else:
            ranges.append([start, end_of(start)])
    return [(a, b) for a, b in ranges]


def _ranges(days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as [first, end) ranges."""
    return _joined(days, lambda day: day + dt.timedelta(days=1))


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def span_start(span: str, day: dt.date) -> dt.date:
    """The first day of the span `day` is in: the month's first, or the week's Monday (or the
    month's first when the week began in the month before)."""
    if span == ":m":
        return day.replace(day=1)
    return max(day - dt.timedelta(days=day.weekday()), day.replace(day=1))


def span_end(span: str, start: dt.date) -> dt.date:
    """The day after the span that begins on `start`."""
    if span == ":m":
        return next_month(start)
    return min(start + dt.timedelta(days=7 - start.weekday()), next_month(start))


def _span_expression(span: str, field: str):
    if span == ":m":
        return TruncMonth(field)
    return Greatest(TruncWeek(field), TruncMonth(field))


def _span_ranges(span: str, starts: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The spans as [first day, first day after) ranges, consecutive ones joined."""
    return _joined(starts, lambda start: span_end(span, start))


def either_day_in(ranges) -> Q:
    """Summary rows one of whose two days falls in one of the [first, end) ranges."""
    q = Q(pk__in=[])
    for first, end in ranges:
        q |= Q(day__gte=first, day__lt=end) | Q(day2__gte=first, day2__lt=end)
    return q


def _within(field: str, ranges, prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for first, end in ranges:
        q |= Q(**{f"{prefix}{field}__gte": _midnight(first), f"{prefix}{field}__lt": _midnight(end)})
    return q


def _day(field: str):
    return TruncDate(field, tzinfo=clock.zone())


def _kinds(ranges) -> dict[str, tuple[QuerySet, dict, dict]]:
    """Per kind: (the rows it counts on the days, the two day expressions, the counts)."""
    answered = Q(outcome=Outcome.ANSWERED_ON_THE_SPOT)
    requests = ServiceRequest.objects.filter(NOT_WITHDRAWN)
    closed_in = Q(status=Status.CLOSED) & _within("closed_at", ranges)
    return {
        "logged": (
            requests.filter(_within("logged_at", ranges)),
            {"day": _day("logged_at"), "day2": _day("logged_at")},
            {"n": Count("id"), "hit": Count("id", filter=answered)},
        ),
        "closed": (
            requests.filter(closed_in),
            {"day": _day("closed_at"), "day2": _day("closed_at")},
            {
                "n": Count("id"),
                "hit": Count("id", filter=Q(rating__in=PLEASED)),
                "rated": Count("id", filter=Q(rating__in=RATED)),
            },
        ),
        # The accept deadline and the acceptance; an answer on the spot has neither and counts on
        # the day it closed (figures._BASE["response"]).
        "response": (
            requests.filter(
                _within("accept_due_at", ranges) | _within("accepted_at", ranges) | (answered & closed_in)
            ),
            {
                "day": _case(answered, "closed_at", "accept_due_at"),
                "day2": _case(answered, "closed_at", "accepted_at"),
            },
            {"n": Count("id"), "hit": Count("id", filter=answered | _accepted_in_time())},
        ),
        "on_time": (
            requests.filter(_within("resolve_due_at", ranges) | _within("resolved_at", ranges)).exclude(
                outcome=Outcome.REJECTED
            ),
            {"day": _day("resolve_due_at"), "day2": _day("resolved_at")},
            {
                "n": Count("id"),
                "hit": Count(
                    "id",
                    filter=Q(resolved_at__isnull=False)
                    & (Q(resolve_due_at__isnull=True) | Q(resolved_at__lte=F("resolve_due_at"))),
                ),
            },
        ),
        "resolved": (
            requests.filter(_within("resolved_at", ranges)),
            {"day": _day("resolved_at"), "day2": _day("resolved_at")},
            {"n": Count("id")},
        ),
    }


def _case(condition: Q, then: str, otherwise: str):
    return Case(When(condition, then=_day(then)), default=_day(otherwise), output_field=DateField())


def _events(ranges, action: str) -> QuerySet:
    """Reminders or escalations written on the days, by the request's scope (as the live count)."""
    return RequestEvent.objects.filter(_within("created_at", ranges), action=action)


def _insert(community_id: int, dims: str, kind: str, rows: QuerySet, days: dict, counts: dict, prefix=""):
    names = DIMS[dims]
    expressions = {f"d_{name}": _prefixed(_DIM_EXPRESSIONS[name], prefix) for name in names}
    grouped = rows.annotate(**days, **expressions).values("day", "day2", *expressions).annotate(**counts)
    grouped = grouped.order_by()
    selected = ["%s", "%s", "%s", "sub.day", "sub.day2"]
    for name in BREAKDOWN:
        if name not in names:
            selected.append("''" if name == "source" else "NULL")
        else:
            selected.append(f"sub.d_{name}" if name != "source" else "COALESCE(sub.d_source, '')")
    selected += [f"sub.{c}" if c in counts else "0" for c in ("n", "hit", "rated")]
    _insert_select(selected, grouped, [community_id, dims, kind])


def _insert_select(selected: list[str], grouped: QuerySet, params: list) -> None:
    """INSERT INTO the summary (its COLUMNS, in order) the `selected` expressions over the grouped
    query as `sub`; `params` are those of the %s in `selected`."""
    sql, sub_params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(DailyFigure._meta.db_table)} ({', '.join(quote(c) for c in COLUMNS)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM ({sql}) sub"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *sub_params])


def _prefixed(expression, prefix: str):
    if not prefix:
        return expression
    if isinstance(expression, F):
        return F(prefix + expression.name)
    return Coalesce(f"{prefix}category__parent_id", f"{prefix}category_id")


def _day_rows(community_id: int) -> QuerySet:
    return DailyFigure.objects.filter(community_id=community_id).exclude(dims__contains=":")


def _spans_of(rows: QuerySet, span: str) -> set[dt.date]:
    """The starts of the spans the two days of the rows fall in."""
    pairs = rows.annotate(s1=_span_expression(span, "day"), s2=_span_expression(span, "day2"))
    pairs = pairs.values_list("s1", "s2").distinct().order_by()
    return {_as_date(s) for pair in pairs for s in pair if s is not None}


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite
        return dt.date.fromisoformat(value[:10])
    return value


def sum_days(community_id: int, days: set[dt.date]) -> None:
    """Sum the days again for one community: delete every row one of whose days is among them and
    insert them again from the requests with an event on one of them (the same rows); then the
    span rows of every span a deleted or inserted row has a day in."""
    if not days:
        return
    ranges = _ranges(days)
    day_q = either_day_in(ranges)
    changed = _day_rows(community_id).filter(day_q)
    spans = {span: _spans_of(changed, span) for span in SPANS}
    changed.delete()
    for kind, (rows, day_expressions, counts) in _kinds(ranges).items():
        rows = rows.filter(community_id=community_id)
        for dims in DIMS:
            _insert(community_id, dims, kind, rows, day_expressions, counts)
    for kind, action in (("remind", EventAction.REMIND), ("escalate", EventAction.ESCALATE)):
        events = _events(ranges, action).filter(request__community_id=community_id)
        day = _day("created_at")
        for dims in DIMS:
            _insert(
                community_id,
                dims,
                kind,
                events,
                {"day": day, "day2": day},
                {"n": Count("id")},
                prefix="request__",
            )
    for span in SPANS:
        sum_spans(community_id, span, spans[span] | _spans_of(_day_rows(community_id).filter(day_q), span))


def sum_spans(community_id: int, span: str, starts: set[dt.date]) -> None:
    """Derive the span rows keyed by a span among `starts` (either day) from the day rows again:
    one DELETE and one grouped INSERT … SELECT."""
    if not starts:
        return
    in_spans = either_day_in(_span_ranges(span, starts))
    DailyFigure.objects.filter(in_spans, community_id=community_id, dims__endswith=span).delete()
    grouped = (
        _day_rows(community_id)
        .filter(in_spans)
        .annotate(s1=_span_expression(span, "day"), s2=_span_expression(span, "day2"))
        .values("dims", "kind", "s1", "s2", *BREAKDOWN)
        .annotate(sum_n=Sum("n"), sum_hit=Sum("hit"), sum_rated=Sum("rated"))
        .order_by()
    )
    quote = connection.ops.quote_name
    concat = connection.ops.combine_expression("||", ["sub.dims", "%s"])
    selected = ["%s", concat, "sub.kind", "sub.s1", "sub.s2", *(f"sub.{quote(c)}" for c in BREAKDOWN)]
    selected += ["sub.sum_n", "sub.sum_hit", "sub.sum_rated"]
    _insert_select(selected, grouped, [community_id, span])


def _first_day(community_id: int) -> dt.date | None:
    first = None
    rows = ServiceRequest.objects.filter(community_id=community_id)
    for field in _TIMES:
        value = rows.exclude(**{f"{field}__isnull": True}).order_by(field).values_list(field, flat=True)[:1]
        value = next(iter(value), None)
        if value is not None:
            day = clock.local(value).date()
            first = day if first is None or day < first else first
    return first


def refresh(*, today: dt.date | None = None, community_ids=None) -> dict[int, int]:
    """Bring each community's summary up to yesterday: the days that ended since the last run and the
    days a change touched. Answers how many days each community summed again."""
    from residents.models import Community

    today = today or clock.local(clock.now()).date()
    done = {}
    communities = Community.objects.all()
    if community_ids is not None:
        communities = communities.filter(pk__in=community_ids)
    for community_id in communities.values_list("pk", flat=True):
        with transaction.atomic():
            state = DailyFigureState.objects.select_for_update().filter(community_id=community_id).first()
            dirty = list(
                DailyFigureDirty.objects.filter(community_id=community_id, day__lt=today).values_list(
                    "pk", "day"
                )
            )
            days = {day for _pk, day in dirty}
            since = state.until if state else _first_day(community_id)
            if since is not None:
                day = since
                while day < today:
                    days.add(day)
                    day += dt.timedelta(days=1)
            if state is None:
                # The first run sums everything: nothing of the community may be left unsummed.
                DailyFigure.objects.filter(community_id=community_id).delete()
            sum_days(community_id, days)
            DailyFigureDirty.objects.filter(pk__in=[pk for pk, _day in dirty]).delete()
            DailyFigureState.objects.update_or_create(
                community_id=community_id, defaults={"until": today, "refreshed_at": timezone.now()}
            )
        done[community_id] = len(days)
    if sum(done.values()) > 31 and connection.vendor == "postgresql":
        # After a rebuild or a long gap the planner's row estimates of the summary are far off (it
        # would sort ~200,000 rows on disk where a hash of a few hundred groups does), and millions
        # of new rows wait for their hint bits: a street office's year on the dashboard went from
        # 336 to 274 ms after VACUUM ANALYZE at a million requests. Do it now rather than when
        # autovacuum next gets to it (VACUUM cannot run inside a transaction: then statistics only).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {connection.ops.quote_name(DailyFigure._meta.db_table)}")
    return done


def rebuild(*, today: dt.date | None = None, community_ids=None) -> dict[int, int]:
    """Sum every day again (the state is forgotten first)."""
    states = DailyFigureState.objects.all()
    if community_ids is not None:
        states = states.filter(community_id__in=community_ids)
    states.delete()
    return refresh(today=today, community_ids=community_ids)


def mark_changed(sr: ServiceRequest) -> None:
    """Called with every change a service saves: when what the summary counts the request by
    changed, mark the summed days it leaves and the ones it enters (one INSERT, only then)."""
    before = getattr(sr, "_summed_as", None)
    now = {name: getattr(sr, name) for name in SUMMED_FIELDS}
    if before is not None and all(before.get(name, now[name]) == now[name] for name in now):
        return
    today = timezone.localdate()
    days = set()
    for values in (before or {}, now):
        for name in _TIMES:
            if values.get(name) is not None:
                days.add(clock.local(values[name]).date())
    dims_changed = before is None or any(
        before.get(name, now[name]) != now[name]
        for name in ("grid_id", "category_id", "desk_session_id", "source", "handler_id")
    )
    if dims_changed and sr.pk is not None and clock.local(sr.logged_at).date() < today:
        # Its reminders and escalations are counted by its scope too.
        for at in RequestEvent.objects.filter(
            request_id=sr.pk, action__in=(EventAction.REMIND, EventAction.ESCALATE)
        ).values_list("created_at", flat=True):
            days.add(clock.local(at).date())
    past = sorted(day for day in days if day < today)
    if past:
        DailyFigureDirty.objects.bulk_create(
            [DailyFigureDirty(community_id=sr.community_id, day=day) for day in past]
        )
    sr._summed_as = now


def freshness(community_ids) -> tuple[dt.date | None, dt.datetime | None]:
    """The first day not summed for every community of the scope (None: nothing summed), and when
    the oldest of their summaries was refreshed."""
    states = list(DailyFigureState.objects.filter(community_id__in=community_ids))
    if len(states) < len(set(community_ids)) or not states:
        return None, None
    return min(s.until for s in states), min(s.refreshed_at for s in states)

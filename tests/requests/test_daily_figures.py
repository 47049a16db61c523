"""The dashboard's daily summary gives exactly the live figures (DESIGN §5): a small hand-made data
set summed by the refresh, every figure, chart row, report cell and linked list compared with the
live computation — across a month boundary and the summary's own edge, with reopened, withdrawn,
rejected and answered requests, an approved extension, a reassignment and reminders; then changed
through the services' save and refreshed again."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from requests.dashboard import counting, report, selectors, summary
from requests.dashboard.forms import period_of
from requests.models import Category, DailyFigure, DailyFigureDirty, RequestEvent, ServiceRequest
from requests.services.base import save
from tests.desks.factories import DeskSessionFactory, RouteFactory, StopFactory
from tests.factories import GridFactory, member
from tests.requests.conftest import shanghai
from tests.requests.conftest import summed_row as row

pytestmark = pytest.mark.django_db

AT = shanghai(2026, 11, 20, 15, 0)
EDGE = dt.date(2026, 11, 20)  # the summary holds every day before it; the 20th on are live


def _period(first, last):
    return period_of("custom", None, first, last)[0]


PERIODS = [
    _period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),  # the month: summed, then live
    _period(dt.date(2026, 10, 15), dt.date(2026, 11, 14)),  # across the month boundary, all summed
    _period(dt.date(2026, 11, 16), dt.date(2026, 11, 22)),  # a week across the summary's edge
    _period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # last month
    _period(dt.date(2026, 11, 19), dt.date(2026, 11, 19)),  # one summed day
    # Whole months read from the month rows, the days around them from the day rows:
    _period(dt.date(2026, 9, 20), dt.date(2026, 10, 31)),  # October whole, accepted on Nov 1st
    _period(dt.date(2026, 10, 1), dt.date(2026, 11, 19)),  # October whole, then 19 summed days
    _period(dt.date(2026, 9, 1), dt.date(2026, 11, 30)),  # two whole months, summed days, live days
    _period(dt.date(2026, 9, 24), dt.date(2026, 10, 18)),  # days, a week cut at Oct 1st, weeks, days
]


@pytest.fixture
def data(world):
    """Requests whose events fall before, on both sides of and after the month's and the summary's
    edges, in two grids, categories of two groups, two handlers, three sources and a route."""
    grid2 = GridFactory(community=world.binxi, name="第二网格")
    route = RouteFactory(community=world.binxi)
    stop = StopFactory(community=world.binxi, name="广场")
    session = DeskSessionFactory(community=world.binxi, stop=stop, route=route, date=dt.date(2026, 11, 3))
    leaf = Category.objects.filter(is_group=False, parent__isnull=False).order_by("pk").first()
    h, h2 = world.handler, world.other_handler
    r = {}
    r["accepted_late_across_month"] = row(
        world,
        status="in_progress",
        grid=world.grid,
        logged_at=shanghai(2026, 10, 30, 9),
        accept_due_at=shanghai(2026, 10, 31, 9),
        accepted_at=shanghai(2026, 11, 1, 9),
        resolve_due_at=shanghai(2026, 11, 12, 17),
    )
    r["accepted_late_into_october"] = row(  # due in September, accepted and resolved in October
        world,
        status="resolved",
        grid=world.grid,
        logged_at=shanghai(2026, 9, 29, 9),
        accept_due_at=shanghai(2026, 9, 30, 9),
        accepted_at=shanghai(2026, 10, 1, 9),
        resolve_due_at=shanghai(2026, 10, 12, 17),
        resolved_at=shanghai(2026, 10, 9, 17),
    )
    r["across_edge"] = row(  # accept due on the 19th (summed), accepted on the 20th (live)
        world,
        status="in_progress",
        grid=grid2,
        category=leaf,
        logged_at=shanghai(2026, 11, 18, 9),
        accept_due_at=shanghai(2026, 11, 19, 9),
        accepted_at=shanghai(2026, 11, 20, 10),
        resolve_due_at=shanghai(2026, 11, 25, 17),
    )
    r["resolved_early_due_later"] = row(
        world,
        status="resolved",
        grid=world.grid,
        source="phone",
        handler=h2,
        logged_at=shanghai(2026, 11, 10, 9),
        accept_due_at=shanghai(2026, 11, 11, 9),
        accepted_at=shanghai(2026, 11, 10, 11),
        resolve_due_at=shanghai(2026, 11, 24, 17),
        resolved_at=shanghai(2026, 11, 18, 9),
    )
    r["extended"] = row(  # an approved extension moved the deadline from the 10th to the 26th
        world,
        status="in_progress",
        grid=world.grid,
        category=world.repair,
        desk_session=session,
        logged_at=shanghai(2026, 11, 3, 9),
        accept_due_at=shanghai(2026, 11, 4, 9),
        accepted_at=shanghai(2026, 11, 3, 10),
        original_resolve_due_at=shanghai(2026, 11, 10, 17),
        resolve_due_at=shanghai(2026, 11, 26, 17),
    )
    r["hotline_late"] = row(
        world,
        status="resolved",
        source="hotline",
        hotline_reference="12345-X",
        logged_at=shanghai(2026, 11, 2, 9),
        accepted_at=shanghai(2026, 11, 2, 9),
        resolve_due_at=shanghai(2026, 11, 3, 12),
        resolved_at=shanghai(2026, 11, 3, 15),
    )
    r["closed_rated"] = row(
        world,
        status="closed",
        outcome="resolved",
        handler=h,
        grid=grid2,
        category=world.repair,
        desk_session=session,
        logged_at=shanghai(2026, 11, 5, 9),
        accept_due_at=shanghai(2026, 11, 6, 9),
        accepted_at=shanghai(2026, 11, 5, 10),
        resolve_due_at=shanghai(2026, 11, 12, 17),
        resolved_at=shanghai(2026, 11, 9, 9),
        closed_at=shanghai(2026, 11, 9, 18),
        rating="fairly_satisfied",
    )
    for rating, day in (("satisfied", 12), ("dissatisfied", 13), ("unreachable", 19), ("satisfied", 21)):
        row(
            world,
            status="closed",
            outcome="resolved",
            handler=h2,
            grid=world.grid,
            logged_at=shanghai(2026, 11, day - 3, 9),
            accept_due_at=shanghai(2026, 11, day - 2, 9),
            accepted_at=shanghai(2026, 11, day - 2, 10),
            resolve_due_at=shanghai(2026, 11, day - 1, 17),
            resolved_at=shanghai(2026, 11, day, 9),
            closed_at=shanghai(2026, 11, day, 12),
            rating=rating,
        )
    r["answered"] = row(
        world,
        status="closed",
        outcome="answered_on_the_spot",
        source="walk_in",
        logged_at=shanghai(2026, 11, 14, 9),
        closed_at=shanghai(2026, 11, 14, 9),
    )
    row(
        world,
        status="closed",
        outcome="answered_on_the_spot",
        logged_at=shanghai(2026, 11, 20, 9),
        closed_at=shanghai(2026, 11, 20, 9),
    )
    r["withdrawn"] = row(
        world,
        status="closed",
        outcome="withdrawn",
        logged_at=shanghai(2026, 11, 6, 9),
        accept_due_at=shanghai(2026, 11, 7, 9),
        closed_at=shanghai(2026, 11, 6, 12),
    )
    r["rejected"] = row(
        world,
        status="closed",
        outcome="rejected",
        handler=h,
        logged_at=shanghai(2026, 11, 8, 9),
        accept_due_at=shanghai(2026, 11, 9, 9),
        resolve_due_at=shanghai(2026, 11, 15, 17),
        closed_at=shanghai(2026, 11, 9, 12),
    )
    r["reopened"] = row(  # closed on the 11th, reopened on the 16th
        world,
        status="in_progress",
        grid=grid2,
        logged_at=shanghai(2026, 11, 4, 9),
        accept_due_at=shanghai(2026, 11, 5, 9),
        accepted_at=shanghai(2026, 11, 4, 10),
        resolve_due_at=shanghai(2026, 11, 28, 17),
        resolved_at=shanghai(2026, 11, 10, 9),
        reopened_at=shanghai(2026, 11, 16, 9),
    )
    r["unaccepted"] = row(
        world,
        status="assigned",
        logged_at=shanghai(2026, 11, 17, 9),
        accept_due_at=shanghai(2026, 11, 18, 9),
        resolve_due_at=shanghai(2026, 11, 23, 17),
    )
    r["other_community"] = row(
        world,
        community=world.bindong,
        status="in_progress",
        handler=member(world.bindong, "desk_staff"),
        logged_at=shanghai(2026, 11, 12, 9),
        accept_due_at=shanghai(2026, 11, 13, 9),
        accepted_at=shanghai(2026, 11, 14, 9),
        resolve_due_at=shanghai(2026, 11, 20, 17),
    )
    for target, action, at in (
        (r["extended"], "remind", shanghai(2026, 11, 11, 9)),
        (r["extended"], "escalate", shanghai(2026, 11, 12, 9)),
        (r["unaccepted"], "remind", shanghai(2026, 11, 20, 9)),
        (r["across_edge"], "remind", shanghai(2026, 11, 19, 9)),
    ):
        RequestEvent.objects.create(request=target, action=action, created_at=at, data={"step": "overdue"})
    return {"rows": r, "grid2": grid2, "route": route, "leaf": leaf, "session": session}


def scopes(world, data):
    binxi, both = (world.binxi.pk,), (world.binxi.pk, world.bindong.pk)
    return [
        selectors.Scope(binxi),
        selectors.Scope(both),
        selectors.Scope(binxi, grid_id=world.grid.pk),
        selectors.Scope(binxi, grid_id=data["grid2"].pk),
        selectors.Scope(binxi, category_id=world.repair.pk),
        selectors.Scope(binxi, category_id=data["leaf"].pk),
        selectors.Scope(binxi, category_id=data["leaf"].parent_id),
        selectors.Scope(binxi, route_id=data["route"].pk),
        selectors.Scope(binxi, source="phone"),
        selectors.Scope(binxi, handler_id=world.other_handler.pk),
        selectors.Scope(binxi, grid_id=world.grid.pk, source="phone"),  # two dimensions: live
    ]


def _numbers(numbers: dict) -> dict:
    return {name: (n.base, n.hit) for name, n in numbers.items()}


def _groups(rows: list[dict]) -> list:
    return [(r["id"], r["resolved"], _numbers(r["numbers"])) for r in rows]


def everything(world, data) -> dict:
    """Every period figure the dashboard, the comparison and the report show."""
    seen = {}
    for i, scope in enumerate(scopes(world, data)):
        for j, period in enumerate(PERIODS):
            seen[(i, j)] = {
                "figures": _numbers(selectors.figures(scope, period, AT)),
                "by_category": _groups(selectors.by_group(scope, period, AT, "category")),
                "by_grid": _groups(selectors.by_group(scope, period, AT, "grid")),
                "per_day": selectors.per_day(scope, period),
                "reminders": selectors.reminders_sent(scope, period),
                "time_to_close": selectors.time_to_close(scope, period),
                "logged_alone": counting.logged_count(scope, period, AT),  # household visits' panel
            }
            assert seen[(i, j)]["logged_alone"] == seen[(i, j)]["figures"]["logged"][0]
    both = (world.binxi.pk, world.bindong.pk)
    for j, period in enumerate(PERIODS):
        seen[("compare", j)] = [
            (r["community"].pk, r["overdue"], _numbers(r["numbers"]))
            for r in selectors.compare_communities(both, period, AT)
        ]
        seen[("report", j)] = [
            [report.row_cells("all", s["totals"], report._resolved_total(s))]
            + [report.row_cells(g["name"], g["numbers"], g["resolved"]) for g in s["by_category"]]
            + [report.row_cells(g["name"], g["numbers"], g["resolved"]) for g in s["by_grid"]]
            for s in report.monthly(selectors.Scope(both), period, AT)
        ]
    return seen


def live(world, data, monkeypatch) -> dict:
    with monkeypatch.context() as m:
        m.setattr(summary, "freshness", lambda ids: (None, None))
        return everything(world, data)


def _summary_rows() -> list:
    fields = ("community", "dims", "kind", "day", "day2", "grid", "category", "route", "source", "handler")
    return sorted(
        (tuple(str(v) for v in values), n, hit, rated)
        for *values, n, hit, rated in DailyFigure.objects.values_list(*fields, "n", "hit", "rated")
    )


def test_the_summary_gives_exactly_the_live_figures_and_follows_changes(world, data, monkeypatch):
    expected = live(world, data, monkeypatch)
    assert expected[(0, 0)]["figures"]["response"] != (0, 0)
    summary.refresh(today=EDGE)
    assert DailyFigure.objects.filter(community=world.binxi).exists()
    assert DailyFigure.objects.filter(community=world.binxi, dims="grid:m", day=dt.date(2026, 10, 1)).exists()
    # Weeks begin on Mondays, or on the 1st when a week began in the month before.
    pairs = DailyFigure.objects.filter(dims=":w").values_list("day", "day2")
    weeks = {day for pair in pairs for day in pair if day}
    assert dt.date(2026, 10, 1) in weeks and dt.date(2026, 9, 28) in weeks and dt.date(2026, 10, 5) in weeks
    assert all(day.weekday() == 0 or day.day == 1 for day in weeks)
    scope = selectors.Scope((world.binxi.pk,))
    assert counting.split(scope, PERIODS[0], None)[1] is not None  # the month is partly summed
    assert counting.split(scope, PERIODS[1], None)[2] is None  # the boundary period wholly
    summed = everything(world, data)
    for key, value in expected.items():
        assert summed[key] == value, key

    # Changes through the services' save: reopened (closed on the 9th), an extension approved (due
    # the 12th → the 27th), withdrawn, reassigned; each marks the summed days it touches.
    r = data["rows"]
    at = shanghai(2026, 11, 20, 16)
    sr = ServiceRequest.objects.get(pk=r["closed_rated"].pk)
    sr.status, sr.outcome, sr.closed_at, sr.reopened_at = "in_progress", "", None, at
    save(sr, ["status", "outcome", "closed_at", "reopened_at"], at)
    sr = ServiceRequest.objects.get(pk=r["accepted_late_across_month"].pk)
    sr.original_resolve_due_at, sr.resolve_due_at = sr.resolve_due_at, shanghai(2026, 11, 27, 17)
    save(sr, ["original_resolve_due_at", "resolve_due_at"], at)
    sr = ServiceRequest.objects.get(pk=r["unaccepted"].pk)
    sr.status, sr.outcome, sr.closed_at = "closed", "withdrawn", at
    save(sr, ["status", "outcome", "closed_at"], at)
    sr = ServiceRequest.objects.get(pk=r["extended"].pk)
    sr.handler = world.other_handler
    save(sr, ["handler"], at)
    assert DailyFigureDirty.objects.exists()
    expected = live(world, data, monkeypatch)
    assert everything(world, data) != expected  # stale until the next refresh…
    summary.refresh(today=EDGE)
    assert not DailyFigureDirty.objects.filter(day__lt=EDGE).exists()  # the 20th on: live
    summed = everything(world, data)
    for key, value in expected.items():
        assert summed[key] == value, key
    # …and a refresh a day later sums the 20th too, still equal.
    summary.refresh(today=EDGE + dt.timedelta(days=1))
    summed = everything(world, data)
    for key, value in expected.items():
        assert summed[key] == value, key
    # Rebuilding from nothing gives the same rows.
    before = _summary_rows()
    summary.rebuild(today=EDGE + dt.timedelta(days=1))
    assert _summary_rows() == before


def test_the_page_says_how_fresh_and_its_numbers_report_and_lists_agree(world, data, client, monkeypatch):
    summary.refresh(today=EDGE)
    client.force_login(world.supervisor)
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    page = client.get(reverse("dashboard:index"), query)
    html = page.content.decode()
    assert "2026-11-19" in html and 'id="freshness"' in html
    numbers = page.context["numbers"]
    with monkeypatch.context() as m:
        m.setattr(summary, "freshness", lambda ids: (None, None))
        live_page = client.get(reverse("dashboard:index"), query)
    assert _numbers(numbers) == _numbers(live_page.context["numbers"])
    links = page.context["links"]
    for name, number in numbers.items():
        if name in ("open_now", "overdue_now"):
            continue
        for part, expected in (("base", number.base), ("hit", number.hit)):
            listed = client.get(links[name][part])
            assert listed.context["page"].paginator.count == expected, (name, part)
    book = client.get(reverse("dashboard:report"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content))["滨西社区"]
    totals = dict(zip([c.value for c in sheet[2]], [c.value for c in sheet[3]], strict=True))
    assert totals["登记数"] == numbers["logged"].value
    assert totals["当场解答"] == numbers["first_contact"].hit
    assert totals["按期办结"] == numbers["on_time"].hit


def test_the_refresh_is_idempotent_and_the_command_rebuilds(world, data):
    from django.core.management import call_command

    summary.refresh(today=EDGE)
    rows = _summary_rows()
    assert summary.refresh(today=EDGE)[world.binxi.pk] == 0  # nothing new to sum
    assert _summary_rows() == rows
    out = io.StringIO()
    call_command("rebuild_daily_figures", stdout=out)
    assert "rebuilt" in out.getvalue()

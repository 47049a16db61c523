"""The supervisor's dashboard, the street office's comparison and the monthly report (DESIGN §5).

Views parse the period and scope, call requests/dashboard/selectors.py and render; every number
links to the request list filtered by the same condition the number was counted with.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from requests import clock
from requests.dashboard import counting, report, selectors
from requests.dashboard.figures import COUNTS, RATES
from requests.dashboard.forms import DashboardForm
from residents.roles import Can
from residents.scoping import communities_where, places


def supervised(request: HttpRequest) -> list[int]:
    """The communities whose figures the user may read: 404 for a community they do not belong to,
    403 for one where they are not a supervisor, 403 when they supervise none."""
    user = request.user
    wanted = request.GET.get("community", "")
    mine = communities_where(user, Can.SUPERVISE)
    if wanted.isdigit() and len(wanted) < 12:
        if int(wanted) not in places(user):
            raise Http404
        if int(wanted) not in mine:
            raise PermissionDenied
    if not mine:
        if not places(user):
            raise Http404
        raise PermissionDenied
    return sorted(mine)


def _links(form: DashboardForm, numbers: dict, period) -> dict[str, dict[str, str]]:
    """For each figure, the request list behind its base and its hit."""
    first, last = clock.local(period.start).date(), clock.local(period.end).date()
    scope = form.scope()
    common = {"fig_from": first.isoformat(), "fig_until": last.isoformat()}
    if len(scope.community_ids) == 1:
        common["community"] = scope.community_ids[0]
    for name, value in (
        ("grid", scope.grid_id),
        ("category", scope.category_id),
        ("route", scope.route_id),
        ("handler", scope.handler_id),
    ):
        if value is not None:
            common[name] = value
    if scope.source:
        common["source"] = scope.source
    base = reverse("requests:list")
    links = {}
    for name in numbers:
        links[name] = {
            part: f"{base}?{_encode({**common, 'figure': name, 'part': part})}" for part in ("base", "hit")
        }
    return links


def _encode(values: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    community_ids = supervised(request)
    form = DashboardForm(request.GET or None, community_ids=community_ids)
    form.is_valid()
    scope = form.scope()
    period, previous, (first, last) = form.periods()
    at = timezone.now()
    open_now = selectors.open_by_status(scope, at)
    numbers = selectors.figures_with_previous(scope, period, previous, at, open_now=open_now)
    context = {
        "form": form,
        "first": first,
        "last": last,
        "numbers": numbers,
        "counts": [numbers[n] for n in COUNTS],
        "rates": [numbers[n] for n in RATES],
        "links": _links(form, numbers, period),
        "time_to_close": selectors.time_to_close(scope, period),
        "reminders": selectors.reminders_sent(scope, period),
        "desk": selectors.desk_work(scope, period),
        "per_day": selectors.per_day(scope, period),
        "by_category": selectors.by_group(scope, period, at, "category"),
        "by_grid": selectors.by_group(scope, period, at, "grid"),
        "status_now": selectors.status_now(scope, open_now),
        "workload": selectors.handler_workload(scope, at),
        "sms": selectors.sms_counts(scope, period),
        "households": selectors.households(scope, period, timezone.localdate()),
        "calendar_warning": clock.calendar_warning(),
        "several": len(community_ids) > 1,
        "query": form.query(),
        "computed_at": at,
        "freshness": counting.freshness(scope, period),
    }
    context["charts"] = report.chart_data(context)
    return render(request, "requests/dashboard.html", context)


@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    """The street office's view: its communities side by side, sortable by any column."""
    community_ids = supervised(request)
    form = DashboardForm(request.GET or None, community_ids=community_ids)
    form.is_valid()
    period, _previous, (first, last) = form.periods()
    rows = selectors.compare_communities(tuple(community_ids), period, timezone.now())
    freshness = counting.freshness(selectors.Scope(tuple(community_ids)), period, key_sets=(None,))
    sort = request.GET.get("sort", "name")
    keys = {
        "name": lambda r: r["community"].name,
        "logged": lambda r: -r["numbers"]["logged"].value,
        "overdue": lambda r: -r["overdue"],
        **{
            name: (lambda r, n=name: -(r["numbers"][n].value if r["numbers"][n].value is not None else -1))
            for name in RATES
        },
    }
    rows.sort(key=keys.get(sort, keys["name"]))
    return render(
        request,
        "requests/dashboard_communities.html",
        {
            "form": form,
            "rows": rows,
            "first": first,
            "last": last,
            "sort": sort,
            "rates": RATES,
            "query": form.query(),
            "freshness": freshness,
        },
    )


@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The monthly report as .xlsx (`?format=xlsx`) or a printable page."""
    community_ids = supervised(request)
    form = DashboardForm(request.GET or None, community_ids=community_ids)
    form.is_valid()
    period, _previous, (first, last) = form.periods()
    scope = form.scope()
    data = report.monthly(scope, period, timezone.now())
    if request.GET.get("format") == "xlsx":
        return report.monthly_xlsx(data, first, last)
    return render(
        request,
        "requests/monthly_report.html",
        {
            "data": data,
            "first": first,
            "last": last,
            "query": form.query(),
            "freshness": counting.freshness(scope, period),
        },
    )


def _rate_key(number) -> float:
    """Highest rate first; a rate with nothing counted last."""
    return -number.value if number.value is not None else 1.0

"""The request lists: all requests (filtered, 25 a page), *My requests*, and the htmx fragments the
desk session hub and the resident page load (DESIGN §3: those apps never import `requests`)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from requests import exports, selectors
from requests.dashboard.forms import FigureFilterForm
from requests.forms import ListFilterForm
from requests.request_models import Status
from requests.views.common import PAGE_SIZE, BoundedPaginator
from residents import tabular
from residents.models import Resident
from residents.roles import Can
from residents.scoping import can, communities_where, community_ids, get_scoped_or_404, places

SECTION_LIMIT = 50


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ListFilterForm(request.GET)
    filters = form.filters()
    rows = selectors.request_list(user=user, filters=filters)
    figure = FigureFilterForm(request.GET)  # a dashboard number's requests
    rows = figure.apply(rows, supervised=communities_where(user, Can.SUPERVISE), at=timezone.now())
    file_format = request.GET.get("download", "")
    if file_format in tabular.FORMATS:
        return _export(request, rows, file_format)
    page = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "figure": figure if figure.active() else None,
        "page": page,
        "categories": selectors.filter_categories(),
        "grids": selectors.filter_grids(user=user),
        "handlers": list(selectors.handlers_for(community_ids=community_ids(user))),
        "session": (
            selectors.session_label(user=user, session_id=filters.session_id) if filters.session_id else None
        ),
        "multi_community": len(places(user)) > 1,
        "can_log": bool(communities_where(user, Can.LOG_REQUESTS)),
        "can_export": bool(communities_where(user, Can.IMPORT_EXPORT)),
        "now": timezone.now(),
        "statuses": Status.choices,
        # The overdue list offers escalating (督办) and reassigning where the user supervises.
        "supervised": set(communities_where(user, Can.SUPERVISE)) if filters.overdue else set(),
    }
    return render(request, "requests/list.html", context)


def _export(request: HttpRequest, rows, file_format: str) -> HttpResponse:
    """The list as a file, for those who may export (supervisors): only their exporting communities."""
    allowed = communities_where(request.user, Can.IMPORT_EXPORT)
    if not allowed:
        raise PermissionDenied
    rows = rows.filter(community_id__in=allowed)
    filters = {
        key: value
        for key, value in request.GET.items()
        if key not in ("download", "page") and value and len(value) < 200
    }
    names = sorted(places(request.user)[cid].community_name for cid in allowed)
    return exports.download(
        actor=request.user,
        queryset=rows,
        file_format=file_format,
        filters=filters,
        community_name=names[0] if len(names) == 1 else _("all communities"),
    )


def _section(rows):
    """The first SECTION_LIMIT rows and whether there are more (one query)."""
    items = list(rows[: SECTION_LIMIT + 1])
    return {"items": items[:SECTION_LIMIT], "more": len(items) > SECTION_LIMIT}


@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    """What waits for me: to accept, overdue, due soon, in progress, return visits to make, and for
    supervisors what they must assign, decide or review."""
    now = timezone.now()
    sections = {name: _section(rows) for name, rows in selectors.my_work(user=request.user, at=now).items()}
    return render(
        request,
        "requests/mine.html",
        {
            "sections": sections,
            "now": now,
            "multi_community": len(places(request.user)) > 1,
            "is_member": bool(places(request.user)),
        },
    )


@require_GET
def session_requests(request: HttpRequest, session_id: int) -> HttpResponse:
    """The requests logged at a desk session, for the session hub (an htmx fragment)."""
    session = selectors.intake_session(user=request.user, session_id=session_id)
    rows = _section(selectors.session_requests(session=session))
    can_log = can(request.user, session.community_id, Can.LOG_REQUESTS) and session.status == "open"
    context = {
        "session": session,
        "rows": rows,
        "now": timezone.now(),
        "log_url": f"{reverse('requests:create')}?session={session.pk}" if can_log else None,
        "list_url": f"{reverse('requests:list')}?session={session.pk}",
    }
    return render(request, "requests/_session_requests.html", context)


# A session's sheet lists at most this many requests (a desk logs a few dozen in an afternoon).
SHEET_ROWS = 200


@require_GET
def session_sheet_requests(request: HttpRequest, session_id: int) -> HttpResponse:
    """The requests logged at a desk session with their references, for its printable sheet (an
    htmx fragment, so `desks` does not import `requests`)."""
    session = selectors.intake_session(user=request.user, session_id=session_id)
    rows = list(selectors.session_requests(session=session).order_by("logged_at", "id")[: SHEET_ROWS + 1])
    context = {"session": session, "rows": rows[:SHEET_ROWS], "more": len(rows) > SHEET_ROWS}
    return render(request, "requests/_session_sheet_requests.html", context)


@require_GET
def resident_requests(request: HttpRequest, resident_id: int) -> HttpResponse:
    """A resident's requests, for the resident page (an htmx fragment)."""
    resident = get_scoped_or_404(Resident.objects.all(), request.user, pk=resident_id)
    rows = _section(selectors.resident_requests(resident=resident))
    can_log = can(request.user, resident.community_id, Can.LOG_REQUESTS) and not resident.anonymised_at
    query = f"community={resident.community_id}&resident={resident.pk}"
    context = {
        "resident": resident,
        "rows": rows,
        "now": timezone.now(),
        "log_url": f"{reverse('requests:create')}?{query}" if can_log else None,
        "list_url": f"{reverse('requests:list')}?resident={resident.pk}",
    }
    return render(request, "requests/_resident_requests.html", context)

"""The week calendar and a session's pages: the hub on a phone, its actions, the printable sheet.

Views parse and render; reads are in selectors.py, actions in services. Another community's
session answers 404 (scoping), a missing capability 403, an action the rules refuse a message.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desks import selectors, services
from desks.follow_ups import with_follow_ups
from desks.forms import CalendarFilters, CancelForm, NotesForm, SessionForm
from desks.models import DeskSession
from desks.served import served_counts
from desks.services import DeskError
from desks.views.common import (
    LOG_REQUEST_URL,
    SHEET_FRAGMENTS,
    community_for,
    hub_fragment_urls,
    parse_date,
    parse_int,
    resident_search_available,
    reverse_or_none,
    today,
)
from residents.roles import Can
from residents.scoping import can, places, require


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The sessions of one week, day by day (?week=<any date in it>, ?community=<id>)."""
    filters = CalendarFilters(request.GET)
    day, community_id = filters.values()
    monday = selectors.week_start(day or today())
    user_places = places(request.user)
    if community_id not in user_places:
        community_id = None
    days = selectors.week_days(user=request.user, monday=monday, community_id=community_id)
    sessions = [s for _day, day_sessions in days for s in day_sessions]
    week = {"previous": monday - dt.timedelta(days=7), "next": monday + dt.timedelta(days=7)}
    return render(
        request,
        "desks/calendar.html",
        {
            "days": days,
            "filters": filters,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            # A week across New Year names both years.
            "year": "–".join(dict.fromkeys([str(monday.year), str((monday + dt.timedelta(days=6)).year)])),
            "week": week,
            "today": today(),
            "served": served_counts(sessions),
            "communities": sorted(user_places.values(), key=lambda p: p.community_name),
            "community_id": community_id,
            "multi_community": len(user_places) > 1,
            "can_plan": bool(selectors.supervised_community_ids(user=request.user)),
        },
    )


def _hub_context(request: HttpRequest, session: DeskSession) -> dict:
    user = request.user
    team = list(session.team.all())
    working = services.can_work(user, session)
    can_health = can(user, session.community_id, Can.HEALTH)
    return {
        "session": session,
        "team": team,
        "served": served_counts([session])[session.pk],
        "can_work": working,
        "can_open": working and services.allowed("open", session.status) and session.date <= today(),
        "can_close": working and services.allowed("close", session.status),
        "can_cancel": services.allowed("cancel", session.status)
        and services.can_cancel(user, session, team_ids={u.pk for u in team}),
        "can_edit": can(user, session.community_id, Can.SUPERVISE) and not session.is_finished,
        "can_health": can_health,
        "screenings": with_follow_ups(selectors.session_screenings(session=session)) if can_health else [],
        "search_available": resident_search_available(),
        "serve_path": reverse("desks:session_serve", args=[session.pk]),
        "fragment_urls": hub_fragment_urls(session.pk),
        "notes_form": NotesForm(initial={"notes": session.notes}),
        "today": today(),
    }


@never_cache
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk's hub: open / close, the team, find a resident, screenings, requests logged here."""
    session = selectors.session_for_hub(user=request.user, pk=pk)
    return render(request, "desks/session_hub.html", _hub_context(request, session))


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    session = selectors.session_for_hub(user=request.user, pk=pk)
    try:
        action(session=session, by=request.user)
    except DeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("desks:session_detail", pk=session.pk)


@require_POST
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.session_open, _("The desk is open."))


@require_POST
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.session_close, _("The desk is closed. Thank you!"))


@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_hub(user=request.user, pk=pk)
    if not services.can_cancel(request.user, session):
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The session is cancelled."))
        return redirect("desks:session_detail", pk=session.pk)
    return render(request, "desks/session_cancel.html", {"session": session, "form": form})


@require_POST
def session_walk_up(request: HttpRequest, pk: int) -> HttpResponse:
    """+1 (or −1 to take back a slip) on the tally of walk-ups who only asked a question."""
    session = selectors.session_for_hub(user=request.user, pk=pk)
    delta = -1 if request.POST.get("delta") == "-1" else 1
    error = None
    try:
        services.session_count_walk_up(session=session, by=request.user, delta=delta)
    except DeskError as exc:
        error = exc.message
    if request.htmx:
        context = {"session": session, "served": served_counts([session])[session.pk], "error": error}
        context["can_work"] = services.can_work(request.user, session)
        return render(request, "desks/_served.html", context)
    if error:
        messages.error(request, error)
    return redirect("desks:session_detail", pk=session.pk)


@require_POST
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_hub(user=request.user, pk=pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        services.session_notes_save(session=session, by=request.user, notes=form.cleaned_data["notes"])
        messages.success(request, _("Notes saved."))
    else:
        messages.error(request, _("The notes are too long."))
    return redirect("desks:session_detail", pk=session.pk)


@require_GET
def session_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable record of a session: who, where, what was offered, what was done."""
    session = selectors.session_for_hub(user=request.user, pk=pk)
    context = _hub_context(request, session)
    context["blank_rows"] = range(12)
    context["sheet_fragment_urls"] = hub_fragment_urls(session.pk, SHEET_FRAGMENTS)
    return render(request, "desks/session_sheet.html", context)


@never_cache
@require_GET
def session_serve(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident at the desk, picked with the search box: what can be done for them here."""
    session = selectors.session_for_hub(user=request.user, pk=pk)
    raw = parse_int(request.GET.get("resident"))
    if raw is None:
        messages.info(request, _("Find the resident first."))
        return redirect("desks:session_detail", pk=session.pk)
    resident = selectors.resident_at_desk(user=request.user, session=session, pk=raw)
    can_health = can(request.user, session.community_id, Can.HEALTH)
    log_request = reverse_or_none(LOG_REQUEST_URL)
    context = {
        "session": session,
        "resident": resident,
        "can_health": can_health,
        "recent_screenings": (
            with_follow_ups(selectors.resident_screenings(resident=resident)[:3]) if can_health else []
        ),
        "resident_url": reverse_or_none("residents:detail", pk=resident.pk),
        "log_request_url": f"{log_request}?resident={resident.pk}&session={session.pk}"
        if log_request
        else None,
    }
    return render(request, "desks/session_serve.html", context)


def _session_form_page(request, *, session, community, template_context) -> HttpResponse:
    initial = {}
    if session is None:
        initial = {"date": parse_date(request.GET.get("date")) or today()}
    form = SessionForm(request.POST or None, instance=session, initial=initial, community_id=community.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.session_save(
                session=session,
                community_id=community.pk,
                by=request.user,
                stop=data["stop"],
                date=data["date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                team=list(data["team"]),
                partners=data["partners"],
                services=data["services"],
            )
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The session is saved."))
            for other in selectors.overlapping_route_sessions(session=saved):
                messages.warning(
                    request,
                    _(
                        "It overlaps the route session “%(route)s” at this stop, %(start)s–%(end)s: "
                        "check that the desk is not planned twice."
                    )
                    % {
                        "route": other.route.name,
                        "start": f"{other.start_time:%H:%M}",
                        "end": f"{other.end_time:%H:%M}",
                    },
                )
            return redirect("desks:session_detail", pk=saved.pk)
    return render(
        request, "desks/session_form.html", {"form": form, "community": community, **template_context}
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    """Plan a one-off session (outside any route); supervisors."""
    community, choices = community_for(request, Can.SUPERVISE)
    if community is None:
        return render(
            request, "desks/choose_community.html", {"choices": choices, "title": _("Plan a session")}
        )
    return _session_form_page(request, session=None, community=community, template_context={"session": None})


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_hub(user=request.user, pk=pk)
    require(request.user, session.community_id, Can.SUPERVISE)
    if session.is_finished:
        messages.error(request, _("A closed or cancelled session cannot be changed."))
        return redirect("desks:session_detail", pk=session.pk)
    return _session_form_page(
        request, session=session, community=session.community, template_context={"session": session}
    )

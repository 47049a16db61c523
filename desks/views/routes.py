"""Routes and stops: read by every member, planned and changed by supervisors."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desks import selectors, services
from desks.forms import GenerateForm, RouteForm, StopForm, VisitFormSet, visit_initial
from desks.services import DeskError, GenerationResult
from desks.views.common import community_for, parse_int, today
from residents.roles import Can
from residents.scoping import can, places, require


def _generation_message(result: GenerationResult) -> str:
    return _(
        "Sessions: %(created)s new, %(updated)s updated, %(removed)s removed; "
        "%(left)s already started or edited by hand were left as they are."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "removed": result.removed,
        "left": result.left_alone,
    }


@require_GET
def route_list(request: HttpRequest) -> HttpResponse:
    routes = list(selectors.routes(user=request.user))
    return render(
        request,
        "desks/route_list.html",
        {
            "routes": routes,
            "multi_community": len(places(request.user)) > 1,
            "can_plan": bool(selectors.supervised_community_ids(user=request.user)),
        },
    )


@require_GET
def route_detail(request: HttpRequest, pk: int) -> HttpResponse:
    route = selectors.route_detail(user=request.user, pk=pk)
    can_plan = can(request.user, route.community_id, Can.SUPERVISE)
    upcoming = list(selectors.route_upcoming_sessions(route=route, today=today()))
    return render(
        request,
        "desks/route_detail.html",
        {
            "route": route,
            "upcoming": upcoming,
            "can_plan": can_plan,
            "generate_form": GenerateForm() if can_plan else None,
        },
    )


def _route_form_page(request: HttpRequest, *, route, community) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = RouteForm(data, instance=route, community_id=community.pk)
    formset = VisitFormSet(
        data,
        prefix="stops",
        initial=visit_initial(route) if route else None,
        form_kwargs={"community_id": community.pk},
    )
    form_ok = data is not None and form.is_valid()
    if form_ok:
        formset.window = (form.cleaned_data["start_time"], form.cleaned_data["end_time"])
    formset_ok = data is not None and formset.is_valid()
    if form_ok and formset_ok:
        values = form.cleaned_data
        try:
            saved, result = services.route_save(
                route=route,
                community_id=community.pk,
                by=request.user,
                name=values["name"],
                weekday=values["weekday"],
                start_time=values["start_time"],
                end_time=values["end_time"],
                team=list(values["team"]),
                partners=values["partners"],
                services=values["services"],
                is_active=values["is_active"],
                visits=formset.visits(),
                today=today(),
            )
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The route is saved."))
            if route is not None:
                messages.info(request, _generation_message(result))
            return redirect("desks:route_detail", pk=saved.pk)
    context = {"form": form, "formset": formset, "route": route, "community": community}
    return render(request, "desks/route_form.html", context)


@require_http_methods(["GET", "POST"])
def route_create(request: HttpRequest) -> HttpResponse:
    community, choices = community_for(request, Can.SUPERVISE)
    if community is None:
        return render(request, "desks/choose_community.html", {"choices": choices, "title": _("New route")})
    return _route_form_page(request, route=None, community=community)


@require_http_methods(["GET", "POST"])
def route_edit(request: HttpRequest, pk: int) -> HttpResponse:
    route = selectors.route_detail(user=request.user, pk=pk)
    require(request.user, route.community_id, Can.SUPERVISE)
    return _route_form_page(request, route=route, community=route.community)


@require_POST
def route_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisors' button: plan the route's sessions for the coming weeks (safe to press twice)."""
    route = selectors.route_detail(user=request.user, pk=pk)
    require(request.user, route.community_id, Can.SUPERVISE)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose between 1 and %(weeks)s weeks.") % {"weeks": services.MAX_WEEKS})
        return redirect("desks:route_detail", pk=route.pk)
    try:
        result = services.route_generate_sessions(
            route=route, weeks=form.cleaned_data["weeks"], today=today(), by=request.user
        )
    except DeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _generation_message(result))
    return redirect("desks:route_detail", pk=route.pk)


@require_GET
def stop_list(request: HttpRequest) -> HttpResponse:
    user_places = places(request.user)
    community_id = parse_int(request.GET.get("community"))
    if community_id not in user_places:
        community_id = None
    return render(
        request,
        "desks/stop_list.html",
        {
            "stops": list(selectors.stops(user=request.user, community_id=community_id)),
            "multi_community": len(user_places) > 1,
            "can_plan": bool(selectors.supervised_community_ids(user=request.user)),
            "supervised": set(selectors.supervised_community_ids(user=request.user)),
        },
    )


def _stop_form_page(request: HttpRequest, *, stop, community) -> HttpResponse:
    form = StopForm(request.POST or None, instance=stop, community_id=community.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stop_save(
                stop=stop,
                community_id=community.pk,
                by=request.user,
                name=data["name"],
                kind=data["kind"],
                address=data["address"],
                grids=list(data["grids"]),
            )
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The stop is saved."))
            return redirect("desks:stop_list")
    return render(request, "desks/stop_form.html", {"form": form, "stop": stop, "community": community})


@require_http_methods(["GET", "POST"])
def stop_create(request: HttpRequest) -> HttpResponse:
    community, choices = community_for(request, Can.SUPERVISE)
    if community is None:
        return render(request, "desks/choose_community.html", {"choices": choices, "title": _("New stop")})
    return _stop_form_page(request, stop=None, community=community)


@require_http_methods(["GET", "POST"])
def stop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stop = selectors.stop_for_edit(user=request.user, pk=pk)
    require(request.user, stop.community_id, Can.SUPERVISE)
    return _stop_form_page(request, stop=stop, community=stop.community)

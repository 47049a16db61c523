"""The resident directory: list and search, the resident page, add / edit, anonymise, the access log.

Views parse and render; reads are in selectors.py, actions in services.py. Every object is found
through the scoping helper (another community's resident answers 404) and every action checks the
role (DESIGN §4.2).
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from residents import selectors, services
from residents.forms import DirectoryFilters, ResidentForm
from residents.models import AccessLog, Community, Resident
from residents.phones import national_digits, phone_warning
from residents.roles import Can
from residents.scoping import can, communities_where, get_scoped_or_404, places, require

PAGE_SIZE = 25
ACCESS_LOG_PAGE_SIZE = 50


def _residents():
    return Resident.objects.select_related("grid", "community")


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _results_context(request: HttpRequest, *, browse: bool = True) -> dict:
    """The results page; without `browse`, an empty box gives a hint, not the whole register."""
    params = DirectoryFilters(request.GET).search_params()
    user_places = places(request.user)
    page = None
    if browse or params["q"]:
        page = _page(request, selectors.resident_search(user=request.user, **params))
    return {
        "page": page,
        "params": params,
        "multi_community": len(user_places) > 1,
        "can_add": bool(communities_where(request.user, Can.EDIT_RESIDENTS)),
    }


def _pick_prefix(request: HttpRequest, pick: str) -> str:
    """'requests:create' or '/desks/sessions/5/serve/' → the URL a result links to, before resident=<pk>."""
    if not pick:
        return ""
    if pick.startswith("/"):
        if not url_has_allowed_host_and_scheme(pick, allowed_hosts={request.get_host()}):
            return ""
        target = pick
    else:
        try:
            target = reverse(pick)
        except NoReverseMatch:
            return ""
    return target + ("&" if "?" in target else "?")


@require_GET
def resident_list(request: HttpRequest) -> HttpResponse:
    context = _results_context(request)
    community_id = context["params"]["community_id"]
    user_places = places(request.user)
    context |= {
        "communities": sorted(user_places.values(), key=lambda place: place.community_name),
        "grids": selectors.directory_grids(user=request.user, community_id=community_id),
        "compounds": selectors.directory_compounds(user=request.user, community_id=community_id),
        "flag_choices": DirectoryFilters.base_fields["flags"].choices,
        "is_member": bool(user_places),
        "can_view_access_log": bool(communities_where(request.user, Can.VIEW_ACCESS_LOG)),
        "can_import_export": bool(communities_where(request.user, Can.IMPORT_EXPORT)),
    }
    return render(request, "residents/directory.html", context)


@require_GET
def resident_search(request: HttpRequest) -> HttpResponse:
    """The as-you-type results: a fragment for htmx, a whole page without it.

    GET q (what was typed), optional community / grid / compound / flags, browse=1 (an empty q lists
    everyone, as the directory does; otherwise it gives a hint), pick (a URL name or a local path:
    each result links to it with ?resident=<pk>). The contract is spelled out in _search_box.html.
    """
    context = _results_context(request, browse=bool(request.GET.get("browse")))
    context["pick_prefix"] = _pick_prefix(request, request.GET.get("pick", ""))
    context["pick"] = request.GET.get("pick", "") if context["pick_prefix"] else ""
    template = "residents/_results.html" if request.htmx else "residents/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_context(user, resident: Resident) -> dict:
    cid = resident.community_id
    return {
        "resident": resident,
        "can_reveal": can(user, cid, Can.REVEAL_PHONE),
        "can_view_id": can(user, cid, Can.VIEW_ID_NUMBER),
        "can_edit": can(user, cid, Can.EDIT_RESIDENTS) and not resident.anonymised_at,
        "can_anonymise": services.can_anonymise(user, cid) and not resident.anonymised_at,
        "can_health": can(user, cid, Can.HEALTH),
        "consents": [
            (
                resident._meta.get_field(name).verbose_name,
                getattr(resident, name),
                getattr(resident, f"{name}_at"),
            )
            for name in Resident.CONSENTS
        ],
    }


@never_cache
@require_GET
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_scoped_or_404(_residents(), request.user, pk=pk)
    return render(request, "residents/detail.html", _detail_context(request.user, resident))


@never_cache
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_scoped_or_404(_residents(), request.user, pk=pk)
    phone = services.phone_reveal(actor=request.user, resident=resident)
    context = {"resident": resident, "revealed_phone": national_digits(phone)}
    if request.htmx:
        return render(request, "residents/_phone_revealed.html", context)
    return render(request, "residents/detail.html", _detail_context(request.user, resident) | context)


@never_cache
@require_POST
def show_id(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_scoped_or_404(_residents(), request.user, pk=pk)
    id_number = services.id_number_view(actor=request.user, resident=resident)
    context = {"resident": resident, "revealed_id_number": id_number}
    if request.htmx:
        return render(request, "residents/_id_number_revealed.html", context)
    return render(request, "residents/detail.html", _detail_context(request.user, resident) | context)


def _community_for_create(request: HttpRequest) -> Community | None:
    """The community a new resident joins: ?community=<id>, or the only one the user may add to."""
    editable = communities_where(request.user, Can.EDIT_RESIDENTS)
    raw = request.GET.get("community") or request.POST.get("community")
    if raw:
        try:
            community_id = int(raw)
        except ValueError:
            raise Http404 from None
        require(request.user, community_id, Can.EDIT_RESIDENTS)
        return Community.objects.get(pk=community_id)
    if not editable:
        if not places(request.user):
            raise Http404
        raise PermissionDenied
    if len(editable) == 1:
        return Community.objects.get(pk=editable[0])
    return None


def _initial_from_search(request: HttpRequest) -> dict:
    """'Not found → add': what was searched for becomes the name or the phone of the new resident."""
    q = request.GET.get("q", "").strip()
    if not q:
        return {}
    digits = q.replace(" ", "").replace("-", "").lstrip("+")
    return {"phone": q} if digits.isdigit() else {"name": q}


def _warn_about_phone(request: HttpRequest, form: ResidentForm) -> None:
    """A number kept though the phone-number data does not know its range (149…): say so."""
    warning = phone_warning(form.cleaned_data.get("phone") or "")
    if warning:
        messages.warning(request, warning)


@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest) -> HttpResponse:
    community = _community_for_create(request)
    if community is None:
        editable = communities_where(request.user, Can.EDIT_RESIDENTS)
        choices = sorted(
            (place for cid, place in places(request.user).items() if cid in editable),
            key=lambda place: place.community_name,
        )
        return render(request, "residents/choose_community.html", {"choices": choices})
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        community=community,
        initial=_initial_from_search(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(
                actor=request.user, community=community, data=form.service_data()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": resident.name})
            _warn_about_phone(request, form)
            return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/form.html", {"form": form, "community": community, "resident": None})


@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_scoped_or_404(_residents(), request.user, pk=pk)
    require(request.user, resident.community_id, Can.EDIT_RESIDENTS)
    if resident.anonymised_at:
        messages.error(request, _("This resident was anonymised and can no longer be changed."))
        return redirect("residents:detail", pk=resident.pk)
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        community=resident.community,
        instance=copy.copy(resident),  # the form may change its instance; the page shows the saved one
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(actor=request.user, resident=resident, data=form.service_data())
        except (ValidationError, services.ResidentError) as error:
            form.add_error(None, getattr(error, "message", error))
        else:
            messages.success(request, _("The changes were saved."))
            _warn_about_phone(request, form)
            return redirect("residents:detail", pk=resident.pk)
    context = {"form": form, "community": resident.community, "resident": resident}
    return render(request, "residents/form.html", context)


@require_http_methods(["GET", "POST"])
def resident_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_scoped_or_404(_residents(), request.user, pk=pk)
    if not services.can_anonymise(request.user, resident.community_id):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.resident_anonymise(actor=request.user, resident=resident)
        except services.ResidentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The resident's personal data was removed."))
        return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/anonymise_confirm.html", {"resident": resident})


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    if not communities_where(request.user, Can.VIEW_ACCESS_LOG):
        if not places(request.user):
            raise Http404
        raise PermissionDenied
    action = request.GET.get("action", "")
    if action not in AccessLog.Action.values:
        action = ""
    entries = selectors.access_log_entries(user=request.user, action=action or None)
    context = {
        "page": _page(request, entries, ACCESS_LOG_PAGE_SIZE),
        "action": action,
        "actions": AccessLog.Action.choices,
        "multi_community": len(places(request.user)) > 1,
    }
    return render(request, "residents/access_log.html", context)

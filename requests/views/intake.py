"""Logging a request at the desk (mobile first), the handler the category's rule names, and the
"logged" page with the reference to read out.

A hidden idempotency token, made when the form is shown, travels with every submit of that form:
a double tap, a retry or the back button then give one request (request_log returns the first,
and adds the form's new resident only with the request it logs).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from requests import pickup, selectors
from requests.errors import NotAllowed, TransitionError
from requests.forms import IntakeForm, add_service_errors, new_token
from requests.request_models import Priority, Source
from requests.services import request_answer_on_the_spot, request_log
from requests.services.intake import may_choose_handler_at_intake
from requests.views.common import category_groups, parse_int
from requests.views.intake_revalidation import revalidated
from requests.views.receipt import receipt_context
from residents.models import Community
from residents.phones import phone_warning
from residents.roles import Can
from residents.scoping import can, communities_where, places, require


def _community(request: HttpRequest, *, session, resident) -> Community | None:
    """The community the request is for: the session's or resident's, ?community=, or the only one."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    wanted = parse_int(data.get("community"))
    if wanted is None and session is not None:
        wanted = session.community_id
    if wanted is None and resident is not None:
        wanted = resident.community_id
    allowed = communities_where(user, Can.LOG_REQUESTS)
    if wanted is None:
        if len(allowed) == 1:
            wanted = allowed[0]
        elif not allowed:
            if not places(user):
                raise Http404
            raise PermissionDenied
        else:
            return None
    require(user, wanted, Can.LOG_REQUESTS)  # 404 outside the user's communities, 403 without the role
    if (session is not None and session.community_id != wanted) or (
        resident is not None and resident.community_id != wanted
    ):
        raise Http404
    if session is not None:
        return session.community
    if resident is not None:
        return resident.community
    return Community.objects.get(pk=wanted)


def _handlers(user, community_id: int):
    """The handler choices for desk staff and supervisors; the others see the rule's choice as text."""
    return (
        selectors.handlers_for(community_ids=[community_id])
        if may_choose_handler_at_intake(user, community_id)
        else None
    )


def _form(request: HttpRequest, community: Community, *, session=None, data=None, files=None, initial=None):
    return IntakeForm(
        data,
        files,
        initial=initial,
        sessions=selectors.intake_sessions(
            community_id=community.pk, include_id=session.pk if session is not None else None
        ),
        handlers=_handlers(request.user, community.pk),
        can_add_resident=can(request.user, community.pk, Can.EDIT_RESIDENTS),
    )


def _log(user, community: Community, data: dict, resident, *, choosing: bool):
    """Log the request the valid form asks for (adding its new resident in the same transaction).
    `choosing`: the form had the handler box, so its value is the user's choice; empty means
    "a supervisor assigns" only if the box had proposed someone (see IntakeForm.handler_proposed)."""
    new_name = (data.get("new_name") or "").strip()
    common = {
        "actor": user,
        "community": community,
        "category": data["category"],
        "description": data["description"],
        "source": data["source"],
        "resident": None if new_name else resident,
        "new_resident": (
            {"name": new_name, "phone": data["new_phone"], "sms_consent": data["new_sms_consent"]}
            if new_name
            else None
        ),
        "location": data["location"],
        "desk_session": data["desk_session"],
        "hotline_reference": data["hotline_reference"],
        "idempotency_token": data["idempotency_token"],
    }
    if data["answered"]:
        return request_answer_on_the_spot(**common, answer=data["answer"])
    return request_log(
        **common,
        priority=Priority.URGENT if data["urgent"] else Priority.NORMAL,
        handler=data.get("handler"),
        # The box showed the rule's choice; whoever emptied it leaves the request to the supervisors.
        leave_unassigned=choosing and data.get("handler") is None and bool(data.get("handler_proposed")),
        hotline_due_at=data["hotline_due_at"],
        photos=data["photos"],
    )


def _fresh_token_form(request, community, session, *, earlier):
    """The submitted form again, with a new token and a word that its old token logged `earlier`:
    pressing Save once more logs this one as a new request; nothing of it is lost."""
    data = request.POST.copy()
    data["idempotency_token"] = new_token()
    form = _form(request, community, session=session, data=data, files=request.FILES)
    form.is_valid()
    form.add_error(
        None,
        _(
            "This form already logged %(reference)s (%(description)s). If this is another request, "
            "check it and press Log the request again."
        )
        % {"reference": earlier.reference, "description": Truncator(earlier.description).chars(30)},
    )
    return form


def _logged_redirect(sr) -> HttpResponse:
    return redirect("requests:logged", reference=sr.reference)


@require_http_methods(["GET", "POST"])
@revalidated
def intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    session_id = parse_int(data.get("desk_session") or data.get("session"))
    session = selectors.intake_session(user=user, session_id=session_id) if session_id else None
    resident_id = parse_int(data.get("resident"))
    resident = selectors.intake_resident(user=user, resident_id=resident_id) if resident_id else None
    community = _community(request, session=session, resident=resident)
    if community is None:
        choices = [places(user)[cid] for cid in communities_where(user, Can.LOG_REQUESTS)]
        choices.sort(key=lambda place: place.community_name)
        return render(request, "requests/choose_community.html", {"choices": choices})

    if request.method == "POST":
        form = _form(request, community, session=session, data=request.POST, files=request.FILES)
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                sr = _log(user, community, cleaned, resident, choosing="handler" in form.fields)
            except ValidationError as error:
                add_service_errors(form, error)
            except (TransitionError, NotAllowed) as error:
                form.add_error(None, error.message)
            except PermissionDenied:
                form.add_error(None, _("You may not add residents; pick one or ask a colleague."))
            else:
                if getattr(sr, "logged_before", False):  # this token's request, from an earlier submit
                    return _logged_before(
                        request,
                        community,
                        session,
                        resident,
                        sr,
                        description=cleaned["description"],
                        category_id=cleaned["category"].pk,
                    )
                messages.success(
                    request, _("The request was logged. Read the reference out to the resident.")
                )
                warning = phone_warning(cleaned.get("new_phone") or "")  # a range the data does not know
                if warning:
                    messages.warning(request, warning)
                if getattr(sr, "pickup_code", ""):  # shown once: kept in this session for the receipt
                    pickup.remember(request.session, sr.reference, sr.pickup_code)
                return _logged_redirect(sr)
        # A form that logged nothing (invalid, or refused) but was shown again by Back or a retry
        # carries the token it was first shown with: if its request exists, show it, even when the
        # restored form lost a field the browser did not keep. (A logged form is not looked up here:
        # the service's transaction answered its token.)
        earlier = selectors.request_by_token(
            community_id=community.pk, token=request.POST.get("idempotency_token", "")[:64]
        )
        if earlier is not None:
            return _logged_before(
                request, community, session, resident, earlier, description=request.POST.get("description")
            )
    else:
        category = selectors.intake_category(category_id=parse_int(request.GET.get("category")))
        initial = {
            "idempotency_token": new_token(),
            "community": community.pk,
            "resident": resident.pk if resident else None,
            "desk_session": session.pk if session else None,
            "source": Source.DESK,
            "category": category,
        }
        if category is not None:
            default = selectors.default_handler(category=category, community=community, resident=resident)
            initial["handler"] = initial["handler_proposed"] = default.pk if default else None
        form = _form(request, community, session=session, initial=initial)
    return _intake_page(request, form, community, session, resident)


def _logged_before(
    request, community, session, resident, earlier, *, description, category_id=None
) -> HttpResponse:
    """The form's token logged `earlier`: show it — or, when the form asks for another request
    typed into a form that kept an old token, the form again with a new token."""
    if selectors.is_another_request(earlier, description=description, category_id=category_id):
        form = _fresh_token_form(request, community, session, earlier=earlier)
        return _intake_page(request, form, community, session, resident)
    messages.info(request, _("This request was logged already; here it is."))
    return _logged_redirect(earlier)


def _intake_page(request, form, community, session, resident) -> HttpResponse:
    return render(request, "requests/intake.html", _page_context(request, form, community, session, resident))


def _page_context(request, form, community, session, resident) -> dict:
    keep = {"community": community.pk}
    if session is not None:
        keep["session"] = session.pk
    return {
        "form": form,
        "community": community,
        "session": session,
        "resident": resident,
        "category_groups": category_groups(selectors.intake_categories()),
        "selected_category": str(form["category"].value() or ""),
        "pick": f"{reverse('requests:create')}?{urlencode(keep)}",
        "multi_community": len(places(request.user)) > 1,
        "handler_context": _handler_context(request, form, community),
    }


def _handler_context(request, form, community) -> dict:
    """What the handler box shows: the select for staff, the rule's choice as text for volunteers."""
    context = {
        "form": form,
        "community": community,
        "field": form["handler"] if "handler" in form.fields else None,
    }
    if context["field"] is None:
        category = selectors.intake_category(category_id=parse_int(form["category"].value()))
        resident_id = parse_int(form["resident"].value())
        resident = (
            selectors.intake_resident(user=request.user, resident_id=resident_id, community_id=community.pk)
            if resident_id
            else None
        )
        context["rule_handler"] = (
            selectors.default_handler(category=category, community=community, resident=resident)
            if category
            else None
        )
        context["category_chosen"] = category is not None
    return context


@require_GET
def intake_handler(request: HttpRequest) -> HttpResponse:
    """The handler box for the chosen category and resident (htmx, when either changes)."""
    user = request.user
    community_id = parse_int(request.GET.get("community"))
    if community_id is None:
        raise Http404
    require(user, community_id, Can.LOG_REQUESTS)
    community = Community.objects.get(pk=community_id)
    category = selectors.intake_category(category_id=parse_int(request.GET.get("category")))
    resident_id = parse_int(request.GET.get("resident"))
    resident = (
        selectors.intake_resident(user=user, resident_id=resident_id, community_id=community.pk)
        if resident_id
        else None
    )
    default = (
        selectors.default_handler(category=category, community=community, resident=resident)
        if category
        else None
    )
    proposed = default.pk if default else None
    initial = {
        "category": category,
        "resident": resident_id,
        "handler": proposed,
        "handler_proposed": proposed,
    }
    form = _form(request, community, initial=initial)
    return render(request, "requests/_intake_handler.html", _handler_context(request, form, community))


@never_cache
@require_GET
def logged(request: HttpRequest, reference: str) -> HttpResponse:
    """After saving: the reference, big, to read out, and the receipt (the QR code of the status
    link, the pickup code of a request without a phone, print buttons); then log another or go
    back to the desk."""
    sr = selectors.request_detail(user=request.user, reference=reference)
    again = {"community": sr.community_id}
    if sr.desk_session_id:
        again["session"] = sr.desk_session_id
    context = receipt_context(request, sr)
    context["again_url"] = f"{reverse('requests:create')}?{urlencode(again)}"
    return render(request, "requests/logged.html", context)

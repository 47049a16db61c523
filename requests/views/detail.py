"""A request's page: the request, its photos, its timeline (who, when, what, why) and, as buttons,
only the actions this user may take now — each a small POST form that calls its service.

A refused action (TransitionError, NotAllowed) comes back as a message; a field the service
rejects (ValidationError) is shown next to that field; nothing has changed in either case.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from requests import selectors
from requests.action_forms import ACTIONS, make_form
from requests.errors import NotAllowed, TransitionError
from requests.forms import add_service_errors
from requests.templatetags.health_data import health_hidden
from requests.transitions import Action


def _page(request: HttpRequest, sr, *, failed: tuple[str, object] | None = None, status: int = 200):
    user = request.user
    allowed = [action for action in selectors.actions_for(user=user, sr=sr) if action in ACTIONS]
    handlers = None
    if any(ACTIONS[action].needs_handlers for action in allowed):
        handlers = selectors.handlers_for(community_ids=[sr.community_id])
    actions = []
    for action in allowed:
        form = failed[1] if failed and failed[0] == action else make_form(action, handlers=handlers)
        actions.append(
            {
                "name": action,
                "label": Action(action).label,
                "spec": ACTIONS[action],
                "form": form,
                # ?open=escalate (from the overdue list) opens that action's form.
                "open": bool(failed[0] == action if failed else request.GET.get("open") == action),
            }
        )
    hidden = health_hidden(sr, user)
    context = {
        "sr": sr,
        "health_hidden": hidden,
        # The flagged screening behind a follow-up, for those who may read health data.
        "screening": sr.screening if sr.screening_id and not hidden else None,
        "lines": selectors.timeline_lines(sr=sr, events=selectors.timeline(sr=sr)),
        "photos": list(selectors.request_photos(sr=sr)),
        "actions": actions,
        "now": timezone.now(),
    }
    return render(request, "requests/detail.html", context, status=status)


@never_cache
@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    sr = selectors.request_detail(user=request.user, reference=reference)
    return _page(request, sr)


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """POST runs the action. A form error re-renders the request's page at this URL, so a reload
    or the language switch GETs it: that goes to the request's page, never a blank 405."""
    sr = selectors.request_detail(user=request.user, reference=reference)  # 404 outside the community
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if request.method != "POST":
        return redirect("requests:detail", reference=sr.reference)
    handlers = selectors.handlers_for(community_ids=[sr.community_id]) if spec.needs_handlers else None
    form = make_form(action, data=request.POST, files=request.FILES, handlers=handlers)
    if form.is_valid():
        try:
            spec.call(request.user, sr.pk, form.cleaned_data)
        except (TransitionError, NotAllowed) as error:
            messages.error(request, error.message)
            return redirect("requests:detail", reference=sr.reference)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, spec.done(form.cleaned_data) if callable(spec.done) else spec.done)
            return redirect("requests:detail", reference=sr.reference)
    return _page(request, sr, failed=(action, form))


@require_GET
def photo(request: HttpRequest, reference: str, photo_id: int) -> HttpResponse:
    """A photo of a request, for members of its community only (the storage is not public)."""
    attachment = selectors.photo(user=request.user, reference=reference, photo_id=photo_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response

"""The staff inbox (DESIGN §4.4): reminders and escalations, newest first; opening one marks it read
and goes to its request; "mark all read"; supervisors also see the escalated requests of the
communities they supervise."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from requests.selectors import inbox_page
from requests.services import inbox_mark_read
from requests.views.common import PAGE_SIZE
from residents.scoping import places


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(inbox_page.inbox_items(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    escalated = list(inbox_page.escalated_requests(user=user)[: inbox_page.ESCALATIONS_SHOWN + 1])
    context = {
        "page": page,
        "escalated": escalated[: inbox_page.ESCALATIONS_SHOWN],
        "escalated_more": len(escalated) > inbox_page.ESCALATIONS_SHOWN,
        "supervises": inbox_page.supervises(user=user),
        "multi_community": len(places(user)) > 1,
        "now": timezone.now(),
    }
    return render(request, "requests/inbox.html", context)


@require_GET
def inbox_open(request: HttpRequest, item_id: int) -> HttpResponse:
    """Follow an item to its request; it is read from now on (404: not this user's item)."""
    item = inbox_page.inbox_item(user=request.user, item_id=item_id)
    if item.read_at is None:
        inbox_mark_read(user=request.user, item_ids=[item.pk])
    return redirect("requests:detail", reference=item.request.reference)


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    changed = inbox_mark_read(user=request.user)
    messages.success(
        request, ngettext("%(n)d item marked read.", "%(n)d items marked read.", changed) % {"n": changed}
    )
    return redirect("requests:inbox")

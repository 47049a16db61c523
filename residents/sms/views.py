"""The outbox page for supervisors (DESIGN §4.5): every message of their communities by state,
phones masked; unknown and failed ones with their reason and a resend button."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from residents.roles import Can
from residents.scoping import communities_where, get_scoped_or_404, places, require
from residents.sms.models import SmsMessage, State
from residents.sms.services import message_resend

PAGE_SIZE = 50


def _supervised(user) -> list[int]:
    ids = communities_where(user, Can.SUPERVISE)
    if not ids:
        if not places(user):
            raise Http404
        raise PermissionDenied
    return ids


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    ids = _supervised(request.user)
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    rows = (
        SmsMessage.objects.filter(community_id__in=ids)
        .select_related("community")
        .order_by("-created_at", "-id")
    )
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": State.choices,
        "resendable": {State.UNKNOWN, State.FAILED},
        "multi_community": len(ids) > 1,
    }
    return render(request, "residents/sms/outbox.html", context)


@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_scoped_or_404(SmsMessage.objects.all(), request.user, pk=pk)
    require(request.user, message.community_id, Can.SUPERVISE)
    if message_resend(actor=request.user, message_id=message.pk):
        messages.success(request, _("The message is queued to be sent again."))
    else:
        messages.info(request, _("This message is no longer unknown or failed; nothing was resent."))
    return redirect("residents:sms_outbox")

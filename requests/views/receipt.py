"""The receipt (回执, DESIGN §4.5) a resident takes home from the desk: the reference, the status
link as a QR code, and — for a request without a phone — the pickup code, shown once.

The "logged" page shows it on the staff member's phone; the print views lay it out for an 80-mm
receipt printer, an A6 slip or an A4 page (static/css/receipt-print.css). All are scoped to the
user's communities (another community's reference answers 404).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from requests import pickup, public, selectors, services
from requests.errors import NotAllowed, TransitionError
from requests.qr import qr_svg
from residents.roles import Can
from residents.scoping import can

# The print sizes: the page's class picks the @page rule of static/css/receipt-print.css.
PRINT_SIZES = {
    "slip": gettext_lazy("receipt printer (80 mm)"),
    "a6": gettext_lazy("A6"),
    "a4": gettext_lazy("A4"),
}


def receipt_context(request: HttpRequest, sr) -> dict:
    """What a receipt shows. The category only as the status page shows it (a category with SMS
    off, such as a health follow-up, is not named on paper a resident may leave about)."""
    link = public.status_link(sr)
    needs_code = pickup.needs_code(sr.resident)
    return {
        "sr": sr,
        "status_link": link,
        "status_page_address": f"{settings.PUBLIC_BASE_URL}{public.status_path(sr.reference)}",
        "qr": qr_svg(link),
        "needs_pickup_code": needs_code,
        "pickup_code": pickup.recall(request.session, sr.reference) if needs_code else None,
        "may_issue_code": needs_code and can(request.user, sr.community_id, Can.LOG_REQUESTS),
        "receipt_category": sr.category.label if sr.category.sms_enabled else "",
        "print_sizes": PRINT_SIZES,
    }


@never_cache
@require_GET
def receipt_print(request: HttpRequest, reference: str, size: str) -> HttpResponse:
    """The receipt alone on a page sized for printing."""
    if size not in PRINT_SIZES:
        raise Http404
    sr = selectors.request_detail(user=request.user, reference=reference)
    context = receipt_context(request, sr)
    context["size"] = size
    return render(request, "requests/receipt_print.html", context)


@require_POST
def new_pickup_code(request: HttpRequest, reference: str) -> HttpResponse:
    """Issue a new pickup code (the resident lost the slip, or the hour to show it has passed)."""
    sr = selectors.request_detail(user=request.user, reference=reference)
    try:
        sr, code = services.request_new_pickup_code(actor=request.user, request_id=sr.pk)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        pickup.remember(request.session, sr.reference, code)
        messages.success(request, _("A new pickup code was issued; the old one no longer works."))
    return redirect("requests:logged", reference=sr.reference)

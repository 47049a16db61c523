"""A flagged health screening's follow-up request (DESIGN §3: a `requests` action).

The button sits on the desk pages that show screenings to health roles; this view scopes the
screening (another community's answers 404), needs the health permission (403), and calls the
service, which checks logging too and returns the request already made for the screening.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desks.models import Screening
from requests.errors import NotAllowed, TransitionError
from requests.services import request_from_screening
from residents.roles import Can
from residents.scoping import get_scoped_or_404, require


def _back(request: HttpRequest, screening: Screening) -> HttpResponse:
    """Where the button was: `next` if it is ours, else the resident's screenings."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(wanted)  # a path, never a URL name for redirect() to reverse
    return redirect("desks:resident_screenings", pk=screening.resident_id)


@require_POST
def screening_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    screening = get_scoped_or_404(Screening.objects.all(), request.user, pk=pk)
    require(request.user, screening.community_id, Can.HEALTH)
    try:
        sr = request_from_screening(actor=request.user, screening_id=screening.pk)
    except (TransitionError, NotAllowed) as error:
        messages.error(request, error.message)
        return _back(request, screening)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, screening)
    if getattr(sr, "logged_before", False):  # the screening's one follow-up, from an earlier press
        messages.info(request, _("This screening's follow-up request was logged already; here it is."))
    else:
        messages.success(request, _("The follow-up request was logged."))
    return redirect("requests:logged", reference=sr.reference)

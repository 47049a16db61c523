"""Health screenings: record one at an open session, read a resident's (DESIGN §4.2, §6).

Only users with Can.HEALTH reach these pages (supervisors; volunteers, desk staff and grid workers
with the health permission); anyone else of the community gets 403, anyone outside it 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from desks import selectors, services
from desks.follow_ups import with_follow_ups
from desks.forms import ScreeningForm
from desks.models import DeskSession
from desks.services import DeskError
from desks.views.common import parse_int, reverse_or_none
from residents.models import Resident
from residents.roles import Can
from residents.scoping import get_scoped_or_404, require


def _recorded_message(screening) -> str:
    message = _("Screening recorded for %(name)s.") % {"name": screening.resident.name}
    flags = []
    if screening.bp_flagged:
        flags.append(_("blood pressure is high"))
    if screening.glucose_flagged:
        flags.append(_("blood glucose is high"))
    if flags:
        message += " " + _("Flagged: %(flags)s. Advise a visit to the doctor.") % {
            "flags": _("; ").join(flags)
        }
    return message


@never_cache
@require_http_methods(["GET", "POST"])
def screening_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_hub(user=request.user, pk=pk)
    require(request.user, session.community_id, Can.HEALTH)
    resident_id = parse_int(request.POST.get("resident") or request.GET.get("resident"))
    if resident_id is None:
        messages.info(request, _("Find the resident first."))
        return redirect("desks:session_detail", pk=session.pk)
    resident = selectors.resident_at_desk(user=request.user, session=session, pk=resident_id)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.screening_record(
                session=session,
                resident=resident,
                by=request.user,
                reading=form.reading(),
                notes=form.cleaned_data["notes"],
            )
        except DeskError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(None if field == "__all__" else field, error)
        else:
            messages.success(request, _recorded_message(screening))
            return redirect("desks:session_detail", pk=session.pk)
    context = {
        "session": session,
        "resident": resident,
        "form": form,
        "is_open": session.status == DeskSession.Status.OPEN,
        "resident_url": reverse_or_none("residents:detail", pk=resident.pk),
    }
    return render(request, "desks/screening_form.html", context)


@never_cache
@require_GET
def resident_screenings(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's screenings, newest first: for the resident page to link to."""
    resident = get_scoped_or_404(Resident.objects.select_related("community"), request.user, pk=pk)
    require(request.user, resident.community_id, Can.HEALTH)
    screenings = with_follow_ups(selectors.resident_screenings(resident=resident)[:100])
    context = {
        "resident": resident,
        "screenings": screenings,
        "resident_url": reverse_or_none("residents:detail", pk=resident.pk),
    }
    return render(request, "desks/resident_screenings.html", context)

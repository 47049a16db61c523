"""Record a household visit (走访) from the phone, optionally logging a request in the same step."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from desks.household_forms import VisitForm
from desks.services.common import DeskError
from requests.category_models import Category
from requests.errors import NotAllowed, TransitionError
from requests.forms import add_service_errors
from requests.services.visits import visit_with_request
from residents.models import Resident
from residents.roles import Can
from residents.scoping import get_scoped_or_404, require


class VisitWithRequestForm(VisitForm):
    category = forms.ModelChoiceField(
        label=gettext_lazy("also log a request under"),
        queryset=Category.objects.filter(is_active=True, is_group=False).order_by("position", "id"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a category.")},
    )
    description = forms.CharField(
        label=gettext_lazy("what the resident asked"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("category") and not (data.get("description") or "").strip():
            self.add_error("description", _("Say what the resident asked."))
        if (data.get("description") or "").strip() and not data.get("category"):
            self.add_error("category", _("Choose a category for the request."))
        return data


@never_cache
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("resident") or request.GET.get("resident") or ""
    if not raw.isdigit() or len(raw) > 12:
        messages.info(request, _("Choose the household from your list first."))
        return redirect("desks:households")
    resident = get_scoped_or_404(
        Resident.objects.select_related("community").filter(anonymised_at__isnull=True),
        request.user,
        pk=int(raw),
    )
    require(request.user, resident.community_id, Can.LOG_REQUESTS)
    form = VisitWithRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, sr = visit_with_request(
                actor=request.user,
                resident=resident,
                visited_on=data["visited_on"],
                mode=data["mode"],
                minutes=data["minutes"],
                note=data["note"],
                category=data["category"],
                description=data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (DeskError, TransitionError, NotAllowed) as error:
            form.add_error(None, error.message)
        else:
            if sr is not None:
                messages.success(
                    request, _("Visit recorded; request %(reference)s logged.") % {"reference": sr.reference}
                )
                return redirect("requests:logged", reference=sr.reference)
            messages.success(request, _("Visit to %(name)s recorded.") % {"name": resident.name})
            return redirect(f"/desks/households/?community={resident.community_id}")
    return render(request, "requests/visit_form.html", {"form": form, "resident": resident})

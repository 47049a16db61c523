"""The public status page /s/<reference>/ for residents, who have no account (DESIGN §4.5).

With the signed token of the SMS link (or of the receipt's QR code) it shows the status at once;
without it, it asks for the last 4 digits of the phone or, for a request without a phone, the
pickup code printed on the receipt (requests/pickup.py). It shows the category, the status and
its dates, the due date, the public timeline lines and the result written for the resident at
resolve — never a name, a phone, a note or a member of staff. Wrong digits and a wrong code answer
exactly like an unknown reference, and attempts are rate-limited per reference and per client
address.
"""

import logging

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from requests import pickup, public, selectors
from requests.request_models import Status

log = logging.getLogger(__name__)


class DigitsForm(forms.Form):
    digits = forms.RegexField(
        label=gettext_lazy("The last 4 digits of your phone number, or the pickup code on your receipt"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={
            "invalid": gettext_lazy("Enter 4 digits."),
            "required": gettext_lazy("Enter 4 digits."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}", "maxlength": "4"}
        ),
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token must not leak to other sites; "no-referrer" would also make Chromium send
    # "Origin: null" with the digits form, which CSRF rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _status(request: HttpRequest, sr) -> HttpResponse:
    events = selectors.request_timeline(sr=sr, public_only=True)
    context = {
        "sr": sr,
        "events": [{"label": event.action_label, "at": event.created_at} for event in events],
        "is_open": sr.is_open,
        # What the handler wrote for the resident at resolve; not while the request is worked on
        # again after a reopen (the next resolve writes it anew).
        "resident_result": sr.resident_result if sr.status in (Status.RESOLVED, Status.CLOSED) else "",
    }
    return _private(render(request, "requests/public_status.html", context))


def _allowed(request: HttpRequest, reference: str) -> bool:
    try:
        return public.attempt_allowed(request, reference)
    except Exception:  # the cache is down: refuse rather than allow unlimited guessing
        log.exception("status page: the rate-limit cache failed")
        return False


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest, reference: str) -> HttpResponse:
    token = request.GET.get("t")
    if token and public.token_is_valid(reference, token):
        sr = selectors.public_request(reference=reference)
        if sr is not None:
            return _status(request, sr)
    form = DigitsForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        if not _allowed(request, reference):
            error, status = _("Too many attempts. Please try again in an hour."), 429
        else:
            sr = selectors.public_request(reference=reference)
            digits = form.cleaned_data["digits"]
            if public.phone_matches(sr, digits) or pickup.code_matches(sr, digits):
                return _status(request, sr)
            error = _("We could not find a request with this reference and these digits.")
        form = DigitsForm()  # the digits are not echoed back
    context = {"reference": reference, "form": form, "error": error, "bad_link": bool(token)}
    return _private(render(request, "requests/public_ask.html", context, status=status))

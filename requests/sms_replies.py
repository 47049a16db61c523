"""What a resident's SMS reply means for their requests (DESIGN §4.1, §4.5), registered with the
outbox's reply handlers in RequestsConfig.ready() so `residents` never imports `requests`.

`1` / `2` / `3` rate the number's latest resolved request through request_rate_by_sms (3 asks a
supervisor to review); any other text — or a rating with nothing to rate — is kept on the number's
latest request, where staff see it.
"""

from django.core.exceptions import ValidationError

from requests.errors import TransitionError
from requests.request_models import ServiceRequest, Status
from requests.services.actions import SMS_RATINGS, request_rate_by_sms


def handle_reply(reply) -> tuple[str, str] | None:
    if not reply.resident_ids:
        return None
    theirs = ServiceRequest.objects.filter(resident_id__in=reply.resident_ids)
    if reply.word in SMS_RATINGS:
        resolved = (
            theirs.filter(status=Status.RESOLVED, review_pending=False, rating="")
            .order_by("-resolved_at", "-id")
            .values_list("pk", "reference")
            .first()
        )
        if resolved:
            try:
                request_rate_by_sms(request_id=resolved[0], reply=reply.word)
            except (ValidationError, TransitionError):
                pass  # rated meanwhile by a return visit: the reply is kept below
            else:
                return "rating", resolved[1]
    latest = theirs.order_by("-logged_at", "-id").values_list("reference", flat=True).first()
    return ("kept", latest) if latest else None

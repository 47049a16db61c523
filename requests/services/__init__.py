"""The services that move a request through DESIGN §4.1 — the only code that writes `status`.

Every function takes keyword arguments only, runs in its own transaction, and raises
requests.errors.TransitionError (the state does not allow it), requests.errors.NotAllowed (the
actor's role does not) or django.core.exceptions.ValidationError (a field is missing or wrong);
in each case nothing has changed.
"""

from requests.services.actions import (
    request_accept,
    request_add_photo,
    request_assign,
    request_escalate,
    request_extension_decide,
    request_extension_request,
    request_rate_by_sms,
    request_refer,
    request_reject,
    request_reopen,
    request_resolve,
    request_return,
    request_return_visit,
    request_review,
    request_withdraw,
)
from requests.services.inbox import inbox_mark_read
from requests.services.intake import request_answer_on_the_spot, request_from_screening, request_log
from requests.services.receipt import request_new_pickup_code

__all__ = [
    "inbox_mark_read",
    "request_accept",
    "request_add_photo",
    "request_answer_on_the_spot",
    "request_assign",
    "request_escalate",
    "request_extension_decide",
    "request_extension_request",
    "request_from_screening",
    "request_log",
    "request_new_pickup_code",
    "request_rate_by_sms",
    "request_refer",
    "request_reject",
    "request_reopen",
    "request_resolve",
    "request_return",
    "request_return_visit",
    "request_review",
    "request_withdraw",
]

"""The receipt's pickup code, issued again (DESIGN §4.5): the code is shown once at intake and
stored only hashed (requests/pickup.py), so a resident who lost the slip gets a new one from the
desk; the old code stops working."""

from django.db import transaction
from django.utils.translation import gettext as _

from requests import clock, pickup
from requests.errors import NotAllowed, TransitionError
from requests.request_models import EventAction, ServiceRequest
from requests.services.base import record, save
from residents.roles import Can
from residents.scoping import can


@transaction.atomic
def request_new_pickup_code(*, actor, request_id: int) -> tuple[ServiceRequest, str]:
    """A new pickup code for a request without a phone, by anyone who may log requests in its
    community; returns the request and the code, which nobody can read back later."""
    sr = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("resident", "community")
        .get(pk=request_id)
    )
    if not can(actor, sr.community_id, Can.LOG_REQUESTS):
        raise NotAllowed(_("Only staff who log requests may issue a pickup code."))
    if not pickup.needs_code(sr.resident):
        raise TransitionError(_("This request opens with the last 4 digits of the resident's phone."))
    at = clock.now()
    code = pickup.new_code()
    sr.pickup_code_hash = pickup.code_hash(sr.reference, code)
    save(sr, ["pickup_code_hash"], at)
    record(sr, EventAction.NEW_PICKUP_CODE, actor=actor, at=at, from_status=sr.status)
    return sr, code

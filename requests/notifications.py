"""What a change owes people: an SMS to the resident, an inbox item to staff.

`queue_resident_sms` is the one place a request action asks for a resident SMS: it writes a row
in the SMS outbox (`residents.sms`, DESIGN §4.5) in the caller's transaction; the outbox checks
consent, quiet hours and the daily cap (holding the message with its reason) and sends it after
commit. The row names the request by its reference (`subject`), never by a foreign key.

The kinds and their parameters (the request itself gives the reference and the status link):

    acknowledgement  {}                      log
    answered         {"answer"}              answer on the spot (one SMS: acknowledgement + answer)
    accepted         {"due"}                 accept ("YYYY-MM-DD HH:MM", Asia/Shanghai)
    extended         {"due", "reason"}       extension approved
    resolved         {"result"}              resolve (the SMS asks: reply 1 满意 / 2 基本满意 / 3 不满意)
    closed           {"outcome"[, "reason"]} return visit, rating 1/2, review, withdraw, reject (+ reason)
    reopened         {}                      review → reopen, reopen
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _

from requests import clock
from requests.followup_models import InboxItem
from requests.public import status_link
from requests.request_models import Outcome, ServiceRequest
from residents.sms.models import Kind
from residents.sms.services import queue_resident_message

# The full text is on the status page; an SMS carries a short one (each 67 characters cost a segment).
SMS_TEXT_LENGTH = 40


def _short(text: str) -> str:
    return Truncator(" ".join(str(text).split())).chars(SMS_TEXT_LENGTH)


def sms_params(sr: ServiceRequest, kind: str, params: dict) -> dict:
    """The template's placeholders; lazy labels are rendered in the message's language."""
    values = {"reference": sr.reference, "link": status_link(sr)}
    for key in ("due", "answer", "result"):
        if params.get(key):
            values[key] = _short(params[key]) if key != "due" else params[key]
    if kind == Kind.EXTENDED:
        values["reason"] = _short(params.get("reason", ""))
    if params.get("outcome"):
        values["outcome"] = Outcome(params["outcome"]).label
        if params.get("reason"):
            values["reason"] = format_lazy(_("Reason: {reason}. "), reason=_short(params["reason"]))
    return values


def queue_resident_sms(sr: ServiceRequest, kind: str, **params) -> str | None:
    """Owe the resident an SMS of `kind`; returns the kind when one is owed, None when nobody gets
    one (an anonymous request, a resident without a phone, or a category with SMS off). Consent,
    quiet hours and the daily cap are the outbox's business (it holds a message with the reason)."""
    if sr.resident_id is None or not sr.category.sms_enabled:
        return None
    message = queue_resident_message(
        resident=sr.resident,
        community=sr.community,
        kind=kind,
        params=sms_params(sr, kind, params),
        subject=sr.reference,
        now=clock.now(),
    )
    return kind if message is not None else None


def notify_staff(users: Iterable, sr: ServiceRequest, kind: str, text: str = "") -> list[InboxItem]:
    """Put an item in each user's inbox (one INSERT)."""
    at = clock.now()
    items = [InboxItem(user=user, request=sr, kind=kind, text=text[:300], created_at=at) for user in users]
    return InboxItem.objects.bulk_create(items) if items else []


def queue_staff_sms(user_ids: Iterable[int], sr: ServiceRequest, kind: str) -> int:
    """Text the staff who asked for SMS reminders (the sweep calls it in office hours only): one
    outbox row per member with a staff phone, in the caller's transaction. Returns how many."""
    from residents.models import Membership
    from residents.sms.services import queue_staff_sms as queue_one

    members = Membership.objects.filter(
        community_id=sr.community_id, user_id__in=list(user_ids), is_active=True
    ).exclude(staff_phone="")
    with translation.override(settings.LANGUAGE_CODE):
        text = (
            f"{sr.reference} {InboxItem.Kind(kind).label}" if kind in InboxItem.Kind.values else sr.reference
        )
    written = 0
    for member in members.select_related("user").order_by("id"):
        if queue_one(
            community=sr.community,
            user=member.user,
            phone=member.staff_phone,
            text=text,
            subject=sr.reference,
            now=clock.now(),
        ):
            written += 1
    return written

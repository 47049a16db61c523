"""What a change owes people: an SMS to the resident, an inbox item to staff.

`queue_resident_sms` is the one place a request action asks for a resident SMS. Today it writes a
pending ResidentNotice row in the caller's transaction; the SMS issue (DESIGN §4.5, outbox in
`residents`) replaces its body with an outbox row and keeps its signature.

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

from requests import clock
from requests.followup_models import InboxItem, ResidentNotice
from requests.request_models import ServiceRequest


def queue_resident_sms(sr: ServiceRequest, kind: str, **params) -> str | None:
    """Owe the resident an SMS of `kind`; returns the kind when one is owed, None when nobody gets
    one (an anonymous request, or a category with SMS off). Consent, quiet hours and the daily cap
    are the outbox's business (it holds a message with the reason)."""
    if sr.resident_id is None or not sr.category.sms_enabled:
        return None
    ResidentNotice.objects.create(request=sr, kind=kind, params=params, created_at=clock.now())
    return kind


def notify_staff(users: Iterable, sr: ServiceRequest, kind: str, text: str = "") -> list[InboxItem]:
    """Put an item in each user's inbox (one INSERT)."""
    at = clock.now()
    items = [InboxItem(user=user, request=sr, kind=kind, text=text[:300], created_at=at) for user in users]
    return InboxItem.objects.bulk_create(items) if items else []


def queue_staff_sms(user_ids: Iterable[int], sr: ServiceRequest, kind: str) -> int:
    """Text the staff who asked for SMS reminders (the sweep calls it in office hours only).

    The seam for the SMS outbox (DESIGN §4.5, `residents.sms`): until its staff-SMS service is on
    main this sends nothing and returns 0; then it writes one outbox row per person, in the
    caller's transaction, and returns how many."""
    return 0

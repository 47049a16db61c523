"""DESIGN §4.1, one function per row from *assign* on (the rows that create a request are in
intake.py). Each locks the request, checks the TRANSITIONS table, saves with update_fields,
appends a timeline line, writes the resident's SMS (an outbox row) and the reminder steps its row names —
and nothing else. Each returns the updated request.
"""

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from requests import clock
from requests.attachments import save_photos, validate_photos
from requests.errors import TransitionError
from requests.followup_models import InboxItem, Step
from requests.notifications import notify_staff, queue_resident_sms
from requests.reminders import ALL, DUE_STEPS, due_steps, replace_steps
from requests.request_models import (
    Attachment,
    EventAction,
    Outcome,
    Rating,
    RatingSource,
    ServiceRequest,
    Status,
)
from requests.services.base import begin, ensure_handler, iso, record, required_text, save, sms_data
from requests.transitions import UNREACHABLE_AFTER_TRIES, Action
from residents.sms.models import Kind as SmsKind

_EXTENSION_FIELDS = ["extension_pending", "extension_due_at", "extension_reason"]
RESIDENT_RESULT_LENGTH = 1000  # what the resident is told (SMS and status page), at resolve


def _clear_extension(sr) -> list[str]:
    sr.extension_pending, sr.extension_due_at, sr.extension_reason = False, None, ""
    return _EXTENSION_FIELDS


def _close(sr, outcome: str, at: datetime) -> list[str]:
    sr.status, sr.outcome, sr.closed_at = Status.CLOSED, outcome, at
    return ["status", "outcome", "closed_at", *_clear_extension(sr)]


@transaction.atomic
def request_assign(*, actor, request_id: int, handler, note: str = "") -> ServiceRequest:
    """Assign or reassign (logged / assigned / in progress → assigned); the handler must accept."""
    sr, at = begin(Action.ASSIGN, actor=actor, request_id=request_id)
    ensure_handler(sr.community_id, handler)
    if handler.pk == sr.handler_id:
        raise ValidationError({"handler": _("This person is already the handler.")})
    from_status, previous = sr.status, sr.handler_id
    sr.status, sr.handler, sr.assigned_at = Status.ASSIGNED, handler, at
    # The accept clock restarts for the new handler; the previous handler's pending steps end.
    sr.accept_due_at = clock.deadline(at, sr.category.accept_within, sr.category.accept_unit)
    save(sr, ["status", "handler", "assigned_at", "accept_due_at", *_clear_extension(sr)], at)
    replace_steps(sr, cancel=ALL, add=[(Step.ACCEPT, at)], at=at)
    action = EventAction.REASSIGN if previous else EventAction.ASSIGN
    data = {"handler": handler.pk, "previous_handler": previous, "accept_due": iso(sr.accept_due_at)}
    record(sr, action, actor=actor, at=at, from_status=from_status, note=note.strip(), data=data)
    return sr


@transaction.atomic
def request_accept(*, actor, request_id: int) -> ServiceRequest:
    """The handler accepts (签收: assigned → in progress); the resident learns the due date.
    `accepted_at` keeps the first acceptance (the response figure measures it)."""
    sr, at = begin(Action.ACCEPT, actor=actor, request_id=request_id)
    sr.status = Status.IN_PROGRESS
    sr.accepted_at = sr.accepted_at or at
    save(sr, ["status", "accepted_at"], at)
    kind = queue_resident_sms(sr, SmsKind.ACCEPTED, due=iso(sr.resolve_due_at))
    replace_steps(sr, cancel=ALL, add=due_steps(sr, at), at=at)
    record(
        sr,
        EventAction.ACCEPT,
        actor=actor,
        at=at,
        from_status=Status.ASSIGNED,
        data=sms_data(kind),
        public=True,
    )
    return sr


@transaction.atomic
def request_return(*, actor, request_id: int, reason: str) -> ServiceRequest:
    """The handler gives it back (退单: assigned / in progress → logged) for a supervisor to assign."""
    sr, at = begin(Action.RETURN, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 1000)
    from_status, previous = sr.status, sr.handler_id
    sr.status, sr.handler = Status.LOGGED, None
    save(sr, ["status", "handler", *_clear_extension(sr)], at)
    replace_steps(sr, cancel=ALL, add=[(Step.ASSIGN, at)], at=at)
    record(
        sr,
        EventAction.RETURN,
        actor=actor,
        at=at,
        from_status=from_status,
        note=reason,
        data={"handler": previous},
    )
    return sr


@transaction.atomic
def request_refer(
    *, actor, request_id: int, unit: str, unit_reference: str, note: str = ""
) -> ServiceRequest:
    """Refer to an outside unit (转办: 物业, 城管, 供电…); the request stays in progress with the handler."""
    sr, at = begin(Action.REFER, actor=actor, request_id=request_id)
    sr.referred_to = required_text(unit, "unit", 100)
    sr.referred_reference = required_text(unit_reference, "unit_reference", 60)
    sr.referred_at = at
    save(sr, ["referred_to", "referred_reference", "referred_at"], at)
    data = {"unit": sr.referred_to, "reference": sr.referred_reference}
    record(sr, EventAction.REFER, actor=actor, at=at, from_status=sr.status, note=note.strip(), data=data)
    return sr


@transaction.atomic
def request_extension_request(*, actor, request_id: int, new_due_at: datetime, reason: str) -> ServiceRequest:
    """The handler asks for a later resolve-by time; a supervisor approves or denies it."""
    sr, at = begin(Action.REQUEST_EXTENSION, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 300)
    if new_due_at is None or timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": _("Enter the new due time.")})
    if new_due_at <= max(at, sr.resolve_due_at or at):
        raise ValidationError({"new_due_at": _("The new due time must be later than the current one.")})
    if new_due_at > at + clock.FURTHEST_DEADLINE:
        raise ValidationError({"new_due_at": _("The new due time can be at most a year from now.")})
    sr.extension_pending, sr.extension_due_at, sr.extension_reason = True, new_due_at, reason
    save(sr, _EXTENSION_FIELDS, at)
    replace_steps(sr, add=[(Step.APPROVE_EXTENSION, at)], at=at)
    data = {"requested_due": iso(new_due_at), "current_due": iso(sr.resolve_due_at)}
    record(
        sr, EventAction.REQUEST_EXTENSION, actor=actor, at=at, from_status=sr.status, note=reason, data=data
    )
    return sr


@transaction.atomic
def request_extension_decide(*, actor, request_id: int, approve: bool, note: str = "") -> ServiceRequest:
    """A supervisor approves (the resolve-by time moves; the resident is told) or denies."""
    sr, at = begin(Action.DECIDE_EXTENSION, actor=actor, request_id=request_id)
    requested, reason = sr.extension_due_at, sr.extension_reason
    data = {"requested_due": iso(requested)}
    kind = None
    if approve:
        sr.original_resolve_due_at = sr.original_resolve_due_at or sr.resolve_due_at
        sr.resolve_due_at = requested
        fields = ["resolve_due_at", "original_resolve_due_at", *_clear_extension(sr)]
        save(sr, fields, at)
        kind = queue_resident_sms(sr, SmsKind.EXTENDED, due=iso(requested), reason=reason)
        replace_steps(sr, cancel=[Step.APPROVE_EXTENSION, *DUE_STEPS], add=due_steps(sr, at), at=at)
    else:
        save(sr, _clear_extension(sr), at)
        replace_steps(sr, cancel=[Step.APPROVE_EXTENSION], at=at)
    action = EventAction.APPROVE_EXTENSION if approve else EventAction.DENY_EXTENSION
    record(
        sr,
        action,
        actor=actor,
        at=at,
        from_status=sr.status,
        note=note.strip(),
        data=sms_data(kind, **data),
        public=approve,
    )
    return sr


@transaction.atomic
def request_escalate(*, actor, request_id: int, note: str) -> ServiceRequest:
    """督办: a supervisor (or, with actor=None, the reminder sweep on an overdue request) presses the
    handler, who gets an inbox item."""
    sr, at = begin(Action.ESCALATE, actor=actor, request_id=request_id)
    if actor is None and not sr.is_overdue(at):
        raise TransitionError(_("The reminder sweep escalates only an overdue request."))
    note = required_text(note, "note", 300)
    sr.escalated_at = at
    save(sr, ["escalated_at"], at)
    notify_staff([sr.handler], sr, InboxItem.Kind.ESCALATION, note)
    record(sr, EventAction.ESCALATE, actor=actor, at=at, from_status=sr.status, note=note)
    return sr


@transaction.atomic
def request_resolve(
    *, actor, request_id: int, result: str, resident_result: str = "", photos: Sequence = ()
) -> ServiceRequest:
    """The handler resolves (办结: in progress → resolved) with the result and optional "after" photos;
    the resident is asked to reply 1 / 2 / 3, and a return visit is scheduled a working day later.
    `result` is for staff; `resident_result`, when written, is what the resident is told (the SMS
    and the status page), so the staff's result may name people and internal details."""
    sr, at = begin(Action.RESOLVE, actor=actor, request_id=request_id)
    sr.result = required_text(result, "result", 4000)
    sr.resident_result = (resident_result or "").strip()
    if len(sr.resident_result) > RESIDENT_RESULT_LENGTH:
        raise ValidationError(
            {"resident_result": _("At most %(n)d characters.") % {"n": RESIDENT_RESULT_LENGTH}},
            code="max_length",
        )
    content_types = validate_photos(photos)
    sr.status, sr.resolved_at = Status.RESOLVED, at
    sr.rating, sr.rating_source, sr.rated_at, sr.return_visit_tries = "", "", None, 0
    fields = ["status", "result", "resident_result", "resolved_at", "rating", "rating_source", "rated_at"]
    save(sr, [*fields, "return_visit_tries", *_clear_extension(sr)], at)
    photos_saved = save_photos(sr, photos, content_types, kind=Attachment.Kind.AFTER, actor=actor, at=at)
    kind = queue_resident_sms(sr, SmsKind.RESOLVED, result=sr.resident_result)
    replace_steps(sr, cancel=ALL, add=[(Step.RETURN_VISIT, clock.add_working_days(at, 1))], at=at)
    data = sms_data(kind, photos=len(photos_saved))
    record(
        sr,
        EventAction.RESOLVE,
        actor=actor,
        at=at,
        from_status=Status.IN_PROGRESS,
        note=sr.result,
        data=data,
        public=True,
    )
    return sr


@transaction.atomic
def request_return_visit(*, actor, request_id: int, rating: str | None, note: str = "") -> ServiceRequest:
    """回访 by someone other than the handler, usually by phone. `rating=None` records a try without
    an answer (stays resolved; another return visit is scheduled); a rating closes the request;
    "unreachable" closes it only after 3 recorded tries."""
    sr, at = begin(Action.RETURN_VISIT, actor=actor, request_id=request_id)
    note = note.strip()
    if rating is None:
        sr.return_visit_tries += 1
        save(sr, ["return_visit_tries"], at)
        next_try = clock.add_working_days(at, 1)
        replace_steps(sr, cancel=[Step.RETURN_VISIT], add=[(Step.RETURN_VISIT, next_try)], at=at)
        data = {"tries": sr.return_visit_tries}
        record(
            sr,
            EventAction.RETURN_VISIT_NO_ANSWER,
            actor=actor,
            at=at,
            from_status=sr.status,
            note=note,
            data=data,
        )
        return sr
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose a rating.")})
    if rating == Rating.UNREACHABLE and sr.return_visit_tries < UNREACHABLE_AFTER_TRIES:
        raise TransitionError(
            _("Unreachable only after %(n)d tries without an answer; %(tries)d recorded so far.")
            % {"n": UNREACHABLE_AFTER_TRIES, "tries": sr.return_visit_tries}
        )
    sr.rating, sr.rating_source, sr.rated_at = rating, RatingSource.RETURN_VISIT, at
    fields = _close(sr, Outcome.RESOLVED, at)
    save(sr, [*fields, "rating", "rating_source", "rated_at"], at)
    kind = queue_resident_sms(sr, SmsKind.CLOSED, outcome=Outcome.RESOLVED)
    replace_steps(sr, cancel=ALL, at=at)
    data = sms_data(kind, rating=rating)
    record(
        sr,
        EventAction.RETURN_VISIT,
        actor=actor,
        at=at,
        from_status=Status.RESOLVED,
        note=note,
        data=data,
        public=True,
    )
    return sr


SMS_RATINGS = {"1": Rating.SATISFIED, "2": Rating.FAIRLY_SATISFIED, "3": Rating.DISSATISFIED}


@transaction.atomic
def request_rate_by_sms(*, request_id: int, reply: str) -> ServiceRequest:
    """The resident's reply to the "resolved" SMS: 1 满意 / 2 基本满意 close the request; 3 不满意
    keeps it resolved and asks a supervisor to review. Called by the inbound-SMS handler, no user."""
    sr, at = begin(Action.RATE_BY_SMS, actor=None, request_id=request_id)
    rating = SMS_RATINGS.get(unicodedata.normalize("NFKC", str(reply)).strip())  # "１" is "1"
    if rating is None:
        raise ValidationError({"reply": _("Reply 1, 2 or 3.")})
    sr.rating, sr.rating_source, sr.rated_at = rating, RatingSource.SMS, at
    rated = ["rating", "rating_source", "rated_at"]
    if rating == Rating.DISSATISFIED:
        sr.review_pending = True
        save(sr, [*rated, "review_pending"], at)
        replace_steps(sr, cancel=[Step.RETURN_VISIT], add=[(Step.REVIEW, at)], at=at)
        record(
            sr,
            EventAction.RATE_BY_SMS,
            actor=None,
            at=at,
            from_status=Status.RESOLVED,
            data={"rating": rating},
        )
        return sr
    save(sr, [*rated, *_close(sr, Outcome.RESOLVED, at)], at)
    kind = queue_resident_sms(sr, SmsKind.CLOSED, outcome=Outcome.RESOLVED)
    replace_steps(sr, cancel=ALL, at=at)
    data = sms_data(kind, rating=rating)
    record(
        sr, EventAction.RATE_BY_SMS, actor=None, at=at, from_status=Status.RESOLVED, data=data, public=True
    )
    return sr


def _restart(sr, at: datetime) -> list[str]:
    """Back to work (in progress) with a fresh resolve-by time counted from now."""
    sr.status, sr.outcome, sr.closed_at, sr.reopened_at = Status.IN_PROGRESS, "", None, at
    sr.resolve_due_at = clock.deadline(at, sr.category.resolve_within, sr.category.resolve_unit)
    sr.review_pending, sr.rating, sr.rating_source, sr.rated_at = False, "", "", None
    sr.resolved_at, sr.return_visit_tries = None, 0
    fields = ["status", "outcome", "closed_at", "reopened_at", "resolve_due_at", "review_pending"]
    return [*fields, "rating", "rating_source", "rated_at", "resolved_at", "return_visit_tries"]


@transaction.atomic
def request_review(*, actor, request_id: int, reopen: bool, reason: str) -> ServiceRequest:
    """核实 of a dissatisfied rating: reopen (→ in progress, due anew) or close as resolved."""
    sr, at = begin(Action.REVIEW, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 1000)
    if reopen:
        save(sr, _restart(sr, at), at)
        kind = queue_resident_sms(sr, SmsKind.REOPENED)
        replace_steps(sr, cancel=ALL, add=due_steps(sr, at), at=at)
        action = EventAction.REVIEW_REOPEN
    else:
        sr.review_pending = False
        save(sr, ["review_pending", *_close(sr, Outcome.RESOLVED, at)], at)
        kind = queue_resident_sms(sr, SmsKind.CLOSED, outcome=Outcome.RESOLVED)
        replace_steps(sr, cancel=ALL, at=at)
        action = EventAction.REVIEW_CLOSE
    record(
        sr,
        action,
        actor=actor,
        at=at,
        from_status=Status.RESOLVED,
        note=reason,
        data=sms_data(kind),
        public=True,
    )
    return sr


@transaction.atomic
def request_reopen(*, actor, request_id: int, reason: str, handler=None) -> ServiceRequest:
    """Reopen a request closed within 30 days (→ in progress, due anew). A request closed without a
    handler (answered on the spot, withdrawn or rejected before assignment) needs `handler`."""
    sr, at = begin(Action.REOPEN, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 1000)
    if handler is None and sr.handler_id is None:
        raise ValidationError({"handler": _("Name a handler: this request has none.")})
    fields = _restart(sr, at)
    if handler is not None:
        ensure_handler(sr.community_id, handler)
        sr.handler = handler
        fields.append("handler")
    from_status = Status.CLOSED
    save(sr, fields, at)
    kind = queue_resident_sms(sr, SmsKind.REOPENED)
    replace_steps(sr, cancel=ALL, add=due_steps(sr, at), at=at)
    record(
        sr,
        EventAction.REOPEN,
        actor=actor,
        at=at,
        from_status=from_status,
        note=reason,
        data=sms_data(kind),
        public=True,
    )
    return sr


@transaction.atomic
def request_withdraw(*, actor, request_id: int, reason: str) -> ServiceRequest:
    """撤销 at the resident's wish (desk staff) or by a supervisor (→ closed / withdrawn)."""
    sr, at = begin(Action.WITHDRAW, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 1000)
    from_status = sr.status
    save(sr, _close(sr, Outcome.WITHDRAWN, at), at)
    kind = queue_resident_sms(sr, SmsKind.CLOSED, outcome=Outcome.WITHDRAWN)
    replace_steps(sr, cancel=ALL, at=at)
    record(
        sr,
        EventAction.WITHDRAW,
        actor=actor,
        at=at,
        from_status=from_status,
        note=reason,
        data=sms_data(kind),
        public=True,
    )
    return sr


@transaction.atomic
def request_reject(*, actor, request_id: int, reason: str) -> ServiceRequest:
    """不予受理 by a supervisor (logged / assigned → closed / rejected); the resident gets the reason."""
    sr, at = begin(Action.REJECT, actor=actor, request_id=request_id)
    reason = required_text(reason, "reason", 300)
    from_status = sr.status
    save(sr, _close(sr, Outcome.REJECTED, at), at)
    kind = queue_resident_sms(sr, SmsKind.CLOSED, outcome=Outcome.REJECTED, reason=reason)
    replace_steps(sr, cancel=ALL, at=at)
    record(
        sr,
        EventAction.REJECT,
        actor=actor,
        at=at,
        from_status=from_status,
        note=reason,
        data=sms_data(kind),
        public=True,
    )
    return sr


@transaction.atomic
def request_add_photo(*, actor, request_id: int, photos: Sequence, kind: str) -> ServiceRequest:
    """Add before / after photos to an open request (the handler or a supervisor); no state changes."""
    sr, at = begin(Action.ADD_PHOTO, actor=actor, request_id=request_id)
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("Choose before or after.")})
    if not photos:
        raise ValidationError({"photos": _("Choose a photo.")})
    saved = save_photos(sr, photos, validate_photos(photos), kind=kind, actor=actor, at=at)
    save(sr, [], at)
    record(
        sr,
        EventAction.ADD_PHOTO,
        actor=actor,
        at=at,
        from_status=sr.status,
        data={"photos": len(saved), "kind": kind},
    )
    return sr

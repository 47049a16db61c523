"""What every request action shares: lock the row, check the table, save, write the timeline line."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from requests import clock
from requests.request_models import EventAction, EventBy, RequestEvent, ServiceRequest
from requests.transitions import check
from residents.roles import Can
from residents.scoping import can


def begin(action: str, *, actor, request_id: int) -> tuple[ServiceRequest, datetime]:
    """Lock the request (first, before any other row) and check `action` against the table."""
    at = clock.now()
    sr = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("category", "community")
        .get(pk=request_id)
    )
    check(action, actor=actor, sr=sr, community_id=sr.community_id, at=at)
    return sr, at


def save(sr: ServiceRequest, fields: list[str], at: datetime) -> None:
    from requests.dashboard.summary import mark_changed

    sr.updated_at = at
    sr.save(update_fields=[*fields, "updated_at"])
    mark_changed(sr)  # the dashboard's summed days this change touched


def record(
    sr: ServiceRequest,
    action: str,
    *,
    actor,
    at: datetime,
    from_status: str,
    note: str = "",
    data: dict | None = None,
    public: bool = False,
) -> RequestEvent:
    """Append the timeline line: who, when, what, from which status to which, and why."""
    if actor is not None:
        by = EventBy.STAFF
    else:
        by = EventBy.RESIDENT if action == EventAction.RATE_BY_SMS else EventBy.SYSTEM
    return RequestEvent.objects.create(
        request=sr,
        actor=actor,
        by=by,
        action=action,
        from_status=from_status,
        to_status=sr.status,
        note=note,
        data=data or {},
        public=public,
        created_at=at,
    )


def sms_data(kind: str | None, **data) -> dict:
    """The event's data, with {"sms": kind} when the resident is owed a message."""
    return {**data, "sms": kind} if kind else data


def required_text(value: str, field: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if max_length and len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}}, code="max_length")
    return text


def ensure_handler(community_id: int, handler, field: str = "handler") -> None:
    """A handler must be an active member who may be a handler in the request's community."""
    if handler is None or not can(handler, community_id, Can.BE_HANDLER):
        raise ValidationError(
            {field: _("This person cannot be a handler in this community.")}, code="not_a_handler"
        )


def iso(at: datetime | None) -> str:
    """A deadline as the SMS parameters carry it: local time, to the minute."""
    return clock.local(at).strftime("%Y-%m-%d %H:%M") if at else ""

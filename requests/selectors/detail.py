"""Reads for a request's page: the request, its timeline with the names it mentions, its photos,
and which actions the user may take on it now."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from requests import clock, transitions
from requests.request_models import Attachment, Rating, RequestEvent, ServiceRequest
from residents.scoping import get_scoped_or_404
from residents.sms.selectors import messages_about, replies_kept

_DETAIL_RELATED = (
    "community",
    "category",
    "category__parent",
    "resident",
    "handler",
    "grid",
    "desk_session",
    "desk_session__stop",
    "created_by",
)


def request_detail(*, user, reference: str) -> ServiceRequest:
    """One request by its reference, with what its page shows; 404 outside the user's communities."""
    return get_scoped_or_404(
        ServiceRequest.objects.select_related(*_DETAIL_RELATED), user, reference=reference
    )


def request_timeline(*, sr: ServiceRequest, public_only: bool = False) -> QuerySet[RequestEvent]:
    """The timeline, oldest first. `public_only`: the lines the public status page may show
    (show their action and time, never the note)."""
    events = RequestEvent.objects.filter(request=sr).select_related("actor").order_by("created_at", "id")
    return events.filter(public=True) if public_only else events


def timeline(*, sr: ServiceRequest) -> list[RequestEvent]:
    """The staff page's timeline, oldest first, each line with `.named_handler` (the handler a log
    or an assign named) and `.rating_label`: two queries whatever its length (one when it names
    nobody)."""
    events = list(request_timeline(sr=sr))
    wanted = set()
    for event in events:
        value = event.data.get("handler") if isinstance(event.data, dict) else None
        if isinstance(value, int):
            wanted.add(value)
    people = get_user_model().objects.in_bulk(wanted) if wanted else {}
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        event.named_handler = people.get(data.get("handler"))
        event.rating_label = Rating(data["rating"]).label if data.get("rating") in Rating.values else ""
    return events


def timeline_lines(*, sr: ServiceRequest, events: list[RequestEvent]) -> list:
    """The staff page's timeline with the SMS about the request (to the resident or to staff, each
    with its state and the number masked) and the residents' replies kept for staff, in time order.
    Each line has `.line` ("event", "sms" or "reply") and `.at`: two queries more, whatever the
    number of messages (the outbox names the request by its reference, not by a foreign key)."""
    lines = []
    for event in events:
        event.line, event.at = "event", event.created_at
        lines.append(event)
    for message in messages_about(community_id=sr.community_id, subject=sr.reference):
        message.line, message.at = "sms", message.created_at
        lines.append(message)
    for reply in replies_kept(subject=sr.reference):
        reply.line, reply.at = "reply", reply.received_at
        lines.append(reply)
    order = {"event": 0, "sms": 1, "reply": 2}
    return sorted(lines, key=lambda line: (line.at, order[line.line]))


def request_photos(*, sr: ServiceRequest) -> QuerySet[Attachment]:
    return Attachment.objects.filter(request=sr).order_by("uploaded_at", "id")


def photo(*, user, reference: str, photo_id: int) -> Attachment:
    """One photo of a request of the user's communities (404 otherwise)."""
    return get_scoped_or_404(
        Attachment.objects.select_related("request"),
        user,
        field="request__community",
        pk=photo_id,
        request__reference=reference,
    )


def actions_for(*, user, sr: ServiceRequest, at: datetime | None = None) -> list[str]:
    """The transitions.Action values `user` may take on `sr` now (which buttons to show)."""
    return transitions.allowed(actor=user, sr=sr, at=at or clock.now())

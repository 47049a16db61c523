"""The actions that create a request (DESIGN §4.1's first two rows), and the follow-up of a flagged
health screening, which is a `log` with the screening attached.

References are `<community code>-<year>-<6-digit sequence>`, numbered from a ReferenceCounter row
per community and year that each intake creates or increments in one statement, holding its lock
until commit: references are distinct and, because a rolled-back intake rolls its number back
too, contiguous.

An intake form's idempotency token is checked once, in the intake's transaction, by its unique
constraint: a form sent again (a double tap, a retry, Back, or two submits at the same instant)
breaks it when it inserts its request, which rolls that transaction back whole — the resident it
added and its reference number too — and returns the request the token logged (_first_wins).
A repeated screening is caught by its unique constraint the same way.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from requests import clock, pickup
from requests.attachments import save_photos, validate_photos
from requests.category_models import HEALTH_FOLLOW_UP, Category
from requests.errors import NotAllowed, TransitionError
from requests.followup_models import Step
from requests.notifications import queue_resident_sms
from requests.reminders import replace_steps
from requests.request_models import (
    Attachment,
    EventAction,
    Outcome,
    Priority,
    ReferenceCounter,
    ServiceRequest,
    Source,
    Status,
)
from requests.selectors.handlers import default_handler
from requests.services.base import ensure_handler, record, required_text, sms_data
from requests.transitions import Action, Who, check, permits
from residents.roles import Can
from residents.scoping import can
from residents.services import resident_create
from residents.sms.models import Kind as SmsKind


def _next_number(community_id: int, year: int) -> int:
    """Add one to the community's counter for the year (creating it at 1) in ONE statement, which
    also locks the row until commit: concurrent intakes queue here, and a rolled-back intake gives
    its number back."""
    table, community, year_, last = map(
        connection.ops.quote_name, (ReferenceCounter._meta.db_table, "community_id", "year", "last")
    )
    # The ORM cannot return the incremented value from an upsert; only quoted names are formatted in.
    sql = f"INSERT INTO {table} ({community}, {year_}, {last}) VALUES (%s, %s, 1) ON CONFLICT ({community}, {year_}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"  # noqa: E501, S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [community_id, year])
        return cursor.fetchone()[0]


def _create(*, community, at: datetime, fields: dict) -> ServiceRequest:
    """Number and insert the request. A second request with the same idempotency token or
    screening breaks a unique constraint here (IntegrityError): see _first_wins. A request without
    a phone gets a pickup code, stored hashed; the code itself rides on the returned object
    (`pickup_code`, "" when none) for the receipt to show once."""
    year = clock.local(at).year
    number = _next_number(community.pk, year)
    reference = f"{community.code}-{year}-{number:06d}"
    code = pickup.new_code() if pickup.needs_code(fields.get("resident")) else ""
    sr = ServiceRequest.objects.create(
        community=community,
        reference=reference,
        pickup_code_hash=pickup.code_hash(reference, code) if code else "",
        **fields,
    )
    sr.pickup_code = code
    return sr


def _first_wins(log: Callable[[], ServiceRequest], key: dict | None) -> ServiceRequest:
    """Run `log` in its own transaction; when an earlier request holds `key` (an idempotency token
    or a screening, each unique), that transaction — its new resident and reference number too —
    is rolled back and the earlier request is returned, marked `logged_before`. A double tap that
    raced the first lands here once the first has committed (the counter's row lock makes it wait)."""
    try:
        with transaction.atomic():
            return log()
    except IntegrityError:
        earlier = (
            ServiceRequest.objects.filter(**key).select_related("category", "community").first()
            if key
            else None
        )
        if earlier is None:
            raise
        earlier.logged_before = True  # callers may say "logged already" instead of "logged"
        return earlier


def _the_resident(*, actor, community, resident, new_resident: dict | None):
    """The resident the request is for: `resident`, or the one added now from `new_resident` (the
    data residents.services.resident_create takes), in the caller's transaction."""
    if new_resident is None:
        return resident
    if resident is not None:
        raise ValueError("Pass a resident or a new resident's data, not both.")
    return resident_create(actor=actor, community=community, data=new_resident)


def _common_fields(
    *, actor, community, category, description, source, resident, location, desk_session, token, at
) -> dict:
    errors = {}
    if not isinstance(category, Category) or category.is_group or not category.is_active:
        errors["category"] = _("Choose a category.")
    if source not in Source.values:
        errors["source"] = _("Choose a source.")
    if resident is not None and (resident.community_id != community.pk or resident.anonymised_at):
        errors["resident"] = _("This resident is not in this community's register.")
    if desk_session is not None and desk_session.community_id != community.pk:
        errors["desk_session"] = _("This desk session belongs to another community.")
    if len(token) > 64:
        errors["idempotency_token"] = _("At most %(n)d characters.") % {"n": 64}
    if errors:
        raise ValidationError(errors)
    location = (location or "").strip() or (resident.address if resident else "")
    return {
        "category": category,
        "description": required_text(description, "description", 4000),
        "source": source,
        "resident": resident,
        "grid_id": resident.grid_id if resident else None,
        "location": location[:200],
        "desk_session": desk_session,
        "idempotency_token": token,
        "logged_at": at,
        "updated_at": at,
        "created_by": actor,
    }


def may_choose_handler_at_intake(user, community_id: int) -> bool:
    """§4.1 assign row: desk staff only at intake, supervisors always (§4.2); not grid workers or
    volunteers, whose requests follow the category's rule."""
    return permits(Who.DESK_OR_SUPERVISOR, user, community_id, None)


def _hotline_reference(source: str, reference: str) -> str:
    """A 12345 request keeps the hotline's reference; no other source has one."""
    reference = (reference or "").strip()
    if source == Source.HOTLINE:
        return required_text(reference, "hotline_reference", 40)
    if reference:
        raise ValidationError({"source": _("Only a 12345 hotline request has a hotline reference.")})
    return ""


def _log(
    *,
    actor,
    community,
    category,
    description: str,
    source: str,
    resident,
    location: str,
    priority: str,
    handler,
    desk_session,
    hotline_reference: str,
    hotline_due_at: datetime | None,
    idempotency_token: str,
    photos: Sequence,
    at: datetime,
    screening=None,
    leave_unassigned: bool = False,
) -> ServiceRequest:
    if (handler is not None or leave_unassigned) and not may_choose_handler_at_intake(actor, community.pk):
        raise NotAllowed(_("Only desk staff and supervisors choose the handler at intake."))
    if handler is not None and leave_unassigned:
        raise ValidationError({"handler": _("Choose a handler or leave it to the supervisors, not both.")})
    fields = _common_fields(
        actor=actor,
        community=community,
        category=category,
        description=description,
        source=source,
        resident=resident,
        location=location,
        desk_session=desk_session,
        token=idempotency_token,
        at=at,
    )
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    hotline_reference = _hotline_reference(source, hotline_reference)
    if source == Source.HOTLINE:
        if hotline_due_at is None or timezone.is_naive(hotline_due_at):
            raise ValidationError({"hotline_due_at": _("Enter the hotline's deadline.")})
        if not at - clock.FURTHEST_DEADLINE <= hotline_due_at <= at + clock.FURTHEST_DEADLINE:
            raise ValidationError(
                {
                    "hotline_due_at": _(
                        "The hotline's deadline must be within a year of today: check the date."
                    )
                }
            )
    elif hotline_due_at:
        raise ValidationError({"source": _("Only a 12345 hotline request has a hotline reference.")})
    content_types = validate_photos(photos)
    if handler is not None:
        ensure_handler(community.pk, handler)
    elif not leave_unassigned:
        handler = default_handler(category=category, community=community, resident=resident)
    deadlines = clock.due_at(category, at)
    fields.update(
        priority=priority,
        status=Status.ASSIGNED if handler else Status.LOGGED,
        handler=handler,
        assigned_at=at if handler else None,
        accept_due_at=deadlines.accept,
        resolve_due_at=hotline_due_at or deadlines.resolve,
        original_resolve_due_at=hotline_due_at or deadlines.resolve,
        hotline_reference=hotline_reference,
        screening=screening,
    )
    sr = _create(community=community, at=at, fields=fields)
    save_photos(sr, photos, content_types, kind=Attachment.Kind.BEFORE, actor=actor, at=at)
    kind = queue_resident_sms(sr, SmsKind.ACKNOWLEDGEMENT)
    replace_steps(sr, add=[(Step.ACCEPT if handler else Step.ASSIGN, at)], at=at, new_request=True)
    data = {"source": source, "handler": handler.pk if handler else None}
    if screening is not None:
        data["screening"] = screening.pk
    record(sr, EventAction.LOG, actor=actor, at=at, from_status="", data=sms_data(kind, **data), public=True)
    return sr


def request_log(
    *,
    actor,
    community,
    category: Category,
    description: str,
    source: str = Source.DESK,
    resident=None,
    new_resident: dict | None = None,
    location: str = "",
    priority: str = Priority.NORMAL,
    handler=None,
    desk_session=None,
    hotline_reference: str = "",
    hotline_due_at: datetime | None = None,
    idempotency_token: str = "",
    photos: Sequence = (),
    leave_unassigned: bool = False,
) -> ServiceRequest:
    """Log a request (→ logged; → assigned when a handler is given or the category's default rule
    names one). `handler=None` applies the rule; `leave_unassigned=True` skips it, so the request
    waits for the supervisors to assign (staff cleared the pre-filled handler). Only desk staff and
    supervisors may pass either. `resident=None` is anonymous, unless `new_resident` holds the data
    of a resident to add (residents.services.resident_create, which raises PermissionDenied for
    an actor who may not edit residents), added in the same transaction. The location defaults to
    the resident's address.
    A 12345 hotline request (source="hotline") needs `hotline_reference` and `hotline_due_at`, and
    keeps that deadline. The same `idempotency_token` twice in a community returns the first
    request (marked `logged_before`) and changes nothing, adds no resident either. Photos are
    "before" photos."""
    at = clock.now()

    def log():
        check(Action.LOG, actor=actor, sr=None, community_id=community.pk, at=at)
        return _log(
            actor=actor,
            community=community,
            category=category,
            description=description,
            source=source,
            resident=_the_resident(
                actor=actor, community=community, resident=resident, new_resident=new_resident
            ),
            location=location,
            priority=priority,
            handler=handler,
            desk_session=desk_session,
            hotline_reference=hotline_reference,
            hotline_due_at=hotline_due_at,
            idempotency_token=idempotency_token,
            photos=photos,
            at=at,
            leave_unassigned=leave_unassigned,
        )

    return _first_wins(log, _token_key(community, idempotency_token))


def request_answer_on_the_spot(
    *,
    actor,
    community,
    category: Category,
    description: str,
    answer: str,
    source: str = Source.DESK,
    resident=None,
    new_resident: dict | None = None,
    location: str = "",
    desk_session=None,
    hotline_reference: str = "",
    idempotency_token: str = "",
) -> ServiceRequest:
    """Record a question answered at once (→ closed / answered on the spot); one SMS with the answer.
    A 12345 hotline question (source="hotline") needs and keeps `hotline_reference`, as in
    request_log (no deadline: it closes now). `new_resident` and the same `idempotency_token` twice
    in a community: as in request_log."""
    at = clock.now()

    def answer_now():
        check(Action.ANSWER, actor=actor, sr=None, community_id=community.pk, at=at)
        fields = _common_fields(
            actor=actor,
            community=community,
            category=category,
            description=description,
            source=source,
            resident=_the_resident(
                actor=actor, community=community, resident=resident, new_resident=new_resident
            ),
            location=location,
            desk_session=desk_session,
            token=idempotency_token,
            at=at,
        )
        text = required_text(answer, "answer", 4000)
        fields.update(
            status=Status.CLOSED,
            outcome=Outcome.ANSWERED_ON_THE_SPOT,
            result=text,
            closed_at=at,
            hotline_reference=_hotline_reference(source, hotline_reference),
        )
        sr = _create(community=community, at=at, fields=fields)
        kind = queue_resident_sms(sr, SmsKind.ANSWERED, answer=text)
        record(
            sr,
            EventAction.ANSWER,
            actor=actor,
            at=at,
            from_status="",
            note=text,
            data=sms_data(kind),
            public=True,
        )
        return sr

    return _first_wins(answer_now, _token_key(community, idempotency_token))


def _token_key(community, token: str) -> dict | None:
    return {"community": community, "idempotency_token": token} if token else None


def request_from_screening(
    *, actor, screening_id: int, description: str = "", handler=None, priority: str = Priority.NORMAL
) -> ServiceRequest:
    """Log the health follow-up of a flagged screening (once: a second call returns the first).

    Needs the health permission as well as logging. The description names no reading: requests
    are seen by staff without the health permission, the screening itself is not."""
    from desks.models import Screening

    at = clock.now()

    def follow_up():
        screening = Screening.objects.select_related("community", "resident", "session").get(pk=screening_id)
        check(Action.LOG, actor=actor, sr=None, community_id=screening.community_id, at=at)
        if not can(actor, screening.community_id, Can.HEALTH):
            raise NotAllowed(_("Only staff with the health permission may follow up a screening."))
        if not screening.flagged:
            raise TransitionError(_("This screening has no flagged reading to follow up."))
        text = (description or "").strip() or _("Follow-up of the health screening of %(date)s.") % {
            "date": clock.local(screening.recorded_at).strftime("%Y-%m-%d")
        }
        return _log(
            actor=actor,
            community=screening.community,
            category=Category.objects.get(code=HEALTH_FOLLOW_UP),
            description=text,
            source=Source.DESK if screening.session_id else Source.WALK_IN,
            resident=screening.resident,
            location="",
            priority=priority,
            handler=handler,
            desk_session=screening.session,
            hotline_reference="",
            hotline_due_at=None,
            idempotency_token="",
            photos=(),
            at=at,
            screening=screening,
        )

    return _first_wins(follow_up, {"screening_id": screening_id})

"""Reads for the request pages. Every function that returns requests scopes them to the user's
communities (residents/scoping.py) and loads what a list row shows in a fixed number of queries.
"""

from datetime import datetime

from django.db.models import Q, QuerySet

from requests import clock, transitions
from requests.category_models import Category
from requests.followup_models import InboxItem
from requests.request_models import UNRESOLVED_STATUSES, Attachment, RequestEvent, ServiceRequest, Status
from residents.members import members
from residents.roles import Can
from residents.scoping import communities_where, get_scoped_or_404, scoped

OPEN_WORK = (Status.LOGGED, Status.ASSIGNED, Status.IN_PROGRESS)
_LIST_RELATED = ("community", "category", "category__parent", "resident", "handler", "grid")


def requests_for(user) -> QuerySet:
    """The requests of the user's communities, with what a list row shows (phones: use
    `sr.resident.masked_phone`)."""
    return scoped(ServiceRequest.objects.select_related(*_LIST_RELATED), user)


def request_list(
    *,
    user,
    community_id: int | None = None,
    status: str | None = None,
    open_only: bool = False,
    handler_id: int | None = None,
    category_id: int | None = None,
    grid_id: int | None = None,
    overdue_at: datetime | None = None,
    q: str = "",
) -> QuerySet:
    """A filtered list, newest first. `overdue_at`: only requests past their resolve-by time then.
    `q`: a reference, a 12345 reference, or part of the resident's name."""
    rows = requests_for(user)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    elif open_only:
        rows = rows.exclude(status=Status.CLOSED)
    if handler_id is not None:
        rows = rows.filter(handler_id=handler_id)
    if category_id is not None:
        rows = rows.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if grid_id is not None:
        rows = rows.filter(grid_id=grid_id)
    if overdue_at is not None:
        rows = rows.filter(status__in=UNRESOLVED_STATUSES, resolve_due_at__lt=overdue_at)
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(reference__iexact=q) | Q(hotline_reference__iexact=q) | Q(resident__name__contains=q)
        )
    return rows


def my_requests(*, user) -> QuerySet:
    """*My requests*: the handler's requests still to accept or to work on, soonest due first."""
    return (
        requests_for(user)
        .filter(handler=user, status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        .order_by("resolve_due_at", "id")
    )


def awaiting_return_visit(*, user) -> QuerySet:
    """Resolved requests the user may visit (not their own), oldest first."""
    communities = communities_where(user, Can.RETURN_VISIT)
    return (
        ServiceRequest.objects.select_related(*_LIST_RELATED)
        .filter(community_id__in=communities, status=Status.RESOLVED, review_pending=False)
        .exclude(handler=user)
        .order_by("resolved_at", "id")
    )


def to_review(*, user) -> QuerySet:
    """Dissatisfied ratings waiting for a supervisor's review (核实)."""
    return (
        ServiceRequest.objects.select_related(*_LIST_RELATED)
        .filter(community_id__in=communities_where(user, Can.SUPERVISE), review_pending=True)
        .order_by("rated_at", "id")
    )


def extensions_to_decide(*, user) -> QuerySet:
    return (
        ServiceRequest.objects.select_related(*_LIST_RELATED)
        .filter(community_id__in=communities_where(user, Can.SUPERVISE), extension_pending=True)
        .order_by("updated_at", "id")
    )


def request_detail(*, user, reference: str) -> ServiceRequest:
    """One request by its reference, or 404 for a user outside its community."""
    return get_scoped_or_404(ServiceRequest.objects.select_related(*_LIST_RELATED), user, reference=reference)


def request_by_id(*, user, request_id: int) -> ServiceRequest:
    return get_scoped_or_404(ServiceRequest.objects.select_related(*_LIST_RELATED), user, pk=request_id)


def request_timeline(*, sr: ServiceRequest, public_only: bool = False) -> QuerySet:
    """The timeline, oldest first. `public_only`: the lines the public status page may show
    (show their action and time, never the note)."""
    events = RequestEvent.objects.filter(request=sr).select_related("actor").order_by("created_at", "id")
    return events.filter(public=True) if public_only else events


def request_photos(*, sr: ServiceRequest) -> QuerySet:
    return Attachment.objects.filter(request=sr).order_by("uploaded_at", "id")


def actions_for(*, user, sr: ServiceRequest, at: datetime | None = None) -> list[str]:
    """The transitions.Action values `user` may take on `sr` now (which buttons to show)."""
    return transitions.allowed(actor=user, sr=sr, at=at or clock.now())


def default_handler(*, category: Category, community, resident=None):
    """Whom the category's rule names as handler in this community (None: a supervisor assigns);
    request_log applies the same rule when it is given no handler."""
    from requests.services.intake import _default_handler

    return _default_handler(category, community, resident)


def intake_categories() -> list[Category]:
    """The categories a request is logged under (active, not group headings), in their order."""
    return list(
        Category.objects.filter(is_active=True, is_group=False)
        .select_related("parent")
        .order_by("position", "id")
    )


def handlers_for(*, community_id: int) -> QuerySet:
    """The people who may be handlers in a community (for the assign form)."""
    return members(community_id, Can.BE_HANDLER).order_by("last_name", "first_name", "id")


def supervisors_of(*, community_id: int) -> QuerySet:
    """Who gets the supervisors' reminders (assign, approve extension, review)."""
    return members(community_id, Can.SUPERVISE)


def inbox(*, user, unread_only: bool = False) -> QuerySet:
    """The user's inbox, newest first, only for requests of communities they still belong to."""
    items = InboxItem.objects.filter(user=user).select_related("request", "request__category")
    items = scoped(items, user, field="request__community")
    return items.filter(read_at__isnull=True) if unread_only else items


def unread_count(*, user) -> int:
    return inbox(user=user, unread_only=True).count()


def find_by_reference(reference: str) -> ServiceRequest | None:
    """Unscoped lookup for the public status page and inbound SMS (their own checks apply)."""
    return ServiceRequest.objects.select_related("community", "category").filter(reference=reference).first()

"""Reads for the request lists: all requests (filtered and searched), and the fragments the desk
session hub and the resident page load.

Every function that returns requests scopes them to the user's communities (residents/scoping.py),
or is given an object the caller has scoped, and loads what a list row shows in a fixed number of
queries (phones: use `sr.resident.masked_phone`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from desks.models import DeskSession
from requests.category_models import Category
from requests.request_models import OPEN_STATUSES, UNRESOLVED_STATUSES, ServiceRequest
from requests.selectors.search import search_requests
from residents.models import Grid, Resident
from residents.scoping import scoped

LIST_RELATED = ("community", "category", "category__parent", "resident", "handler", "grid")


def list_rows() -> QuerySet[ServiceRequest]:
    """Every request, unscoped, with what a list row shows: callers scope it."""
    return ServiceRequest.objects.select_related(*LIST_RELATED)


def requests_for(user) -> QuerySet[ServiceRequest]:
    """The requests of the user's communities, with what a list row shows."""
    return scoped(list_rows(), user)


@dataclass(frozen=True)
class ListFilters:
    """What the all-requests list is filtered by (every field optional). `status` wins over
    `open_only` (not closed); `overdue`: past the resolve-by time and not yet resolved."""

    community_id: int | None = None
    status: str = ""
    open_only: bool = False
    category_id: int | None = None
    grid_id: int | None = None
    handler_id: int | None = None
    session_id: int | None = None
    resident_id: int | None = None
    source: str = ""
    overdue: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    descriptions: bool = False  # search the descriptions' words too (selectors/search.py)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def request_list(
    *, user, filters: ListFilters = ListFilters(), at: dt.datetime | None = None
) -> QuerySet[ServiceRequest]:
    """The all-requests list, newest first. `at`: when `filters.overdue` is measured (default now)."""
    rows = requests_for(user)
    if filters.community_id is not None:
        rows = rows.filter(community_id=filters.community_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    elif filters.open_only:
        rows = rows.filter(status__in=OPEN_STATUSES)
    if filters.handler_id is not None:
        rows = rows.filter(handler_id=filters.handler_id)
    if filters.category_id is not None:  # a group: its categories too, as ids (the index, not a join)
        chosen = Category.objects.filter(Q(pk=filters.category_id) | Q(parent_id=filters.category_id))
        rows = rows.filter(category_id__in=list(chosen.values_list("pk", flat=True)))
    if filters.grid_id is not None:
        rows = rows.filter(grid_id=filters.grid_id)
    if filters.overdue:
        rows = rows.filter(status__in=UNRESOLVED_STATUSES, resolve_due_at__lt=at or timezone.now())
    if filters.session_id is not None:
        rows = rows.filter(desk_session_id=filters.session_id)
    if filters.resident_id is not None:
        rows = rows.filter(resident_id=filters.resident_id)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.date_from:
        rows = rows.filter(logged_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        rows = rows.filter(logged_at__lt=_local_midnight(filters.date_to + dt.timedelta(days=1)))
    text = filters.q.strip()
    if text:
        rows = search_requests(rows, user=user, text=text, descriptions=filters.descriptions)
    return rows.order_by("-logged_at", "-id")


def filter_categories() -> list[Category]:
    """Every category and group heading, in order (a group filters its categories too)."""
    return list(Category.objects.select_related("parent").order_by("position", "id"))


def filter_grids(*, user) -> list[Grid]:
    return list(scoped(Grid.objects.select_related("community"), user).order_by("community__name", "id"))


def session_label(*, user, session_id: int) -> DeskSession | None:
    """The desk session a list is filtered by (for its label), or None."""
    return scoped(DeskSession.objects.select_related("stop"), user).filter(pk=session_id).first()


def session_requests(*, session: DeskSession) -> QuerySet[ServiceRequest]:
    """The requests logged at a desk session (the caller has scoped the session), newest first."""
    return (
        ServiceRequest.objects.select_related("category", "category__parent", "resident", "handler")
        .filter(desk_session=session, community_id=session.community_id)
        .order_by("-logged_at", "-id")
    )


def resident_requests(*, resident: Resident) -> QuerySet[ServiceRequest]:
    """A resident's requests (the caller has scoped the resident), newest first."""
    return (
        ServiceRequest.objects.select_related("category", "category__parent", "handler")
        .filter(resident=resident, community_id=resident.community_id)
        .order_by("-logged_at", "-id")
    )


def residents_served_at(session_ids: list[int]) -> dict[int, set[int]]:
    """Session id → the residents a request was logged for there, in one query: a source for
    desks.served.register_served_source (registered in RequestsConfig.ready())."""
    found: dict[int, set[int]] = {}
    rows = (
        ServiceRequest.objects.filter(desk_session_id__in=session_ids, resident__isnull=False)
        .values_list("desk_session_id", "resident_id")
        .distinct()
    )
    for session_id, resident_id in rows:
        found.setdefault(session_id, set()).add(resident_id)
    return found

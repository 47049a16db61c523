"""Reads for *My requests*: what waits for the user — to accept, to work on, return visits to make,
and for supervisors what they must assign, decide or review — and the staff inbox."""

import datetime as dt

from django.db.models import Q, QuerySet

from requests import clock
from requests.followup_models import InboxItem
from requests.request_models import ServiceRequest, Status
from requests.selectors.lists import list_rows, requests_for
from residents.roles import Can
from residents.scoping import communities_where, scoped


def my_requests(*, user) -> QuerySet[ServiceRequest]:
    """The handler's requests still to accept or to work on, soonest due first."""
    return (
        requests_for(user)
        .filter(handler=user, status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        .order_by("resolve_due_at", "id")
    )


def awaiting_return_visit(*, user) -> QuerySet[ServiceRequest]:
    """Resolved requests the user may visit (not their own), oldest first."""
    return (
        list_rows()
        .filter(
            community_id__in=communities_where(user, Can.RETURN_VISIT),
            status=Status.RESOLVED,
            review_pending=False,
        )
        .exclude(handler=user)
        .order_by("resolved_at", "id")
    )


def to_review(*, user) -> QuerySet[ServiceRequest]:
    """Dissatisfied ratings waiting for a supervisor's review (核实)."""
    return (
        list_rows()
        .filter(community_id__in=communities_where(user, Can.SUPERVISE), review_pending=True)
        .order_by("rated_at", "id")
    )


def extensions_to_decide(*, user) -> QuerySet[ServiceRequest]:
    return (
        list_rows()
        .filter(community_id__in=communities_where(user, Can.SUPERVISE), extension_pending=True)
        .order_by("updated_at", "id")
    )


def my_work(*, user, at: dt.datetime) -> dict[str, QuerySet[ServiceRequest]]:
    """The sections of *My requests*, each one query: to accept, overdue, due soon, the rest in
    progress, return visits to make; for supervisors also to assign, extensions and reviews."""
    mine = my_requests(user=user)
    soon = clock.due_soon_until(at)  # a working half-day, as the due-soon reminder counts it
    sections = {
        "to_accept": mine.filter(status=Status.ASSIGNED),
        "overdue": mine.filter(status=Status.IN_PROGRESS, resolve_due_at__lt=at),
        "due_soon": mine.filter(status=Status.IN_PROGRESS, resolve_due_at__gte=at, resolve_due_at__lt=soon),
        "in_progress": mine.filter(status=Status.IN_PROGRESS).filter(
            Q(resolve_due_at__isnull=True) | Q(resolve_due_at__gte=soon)
        ),
        "return_visits": awaiting_return_visit(user=user),
    }
    supervised = communities_where(user, Can.SUPERVISE)
    if supervised:
        sections["to_assign"] = (
            requests_for(user)
            .filter(community_id__in=supervised, status=Status.LOGGED)
            .order_by("logged_at", "id")
        )
        sections["extensions"] = extensions_to_decide(user=user)
        sections["reviews"] = to_review(user=user)
    return sections


def inbox(*, user, unread_only: bool = False) -> QuerySet[InboxItem]:
    """The user's inbox, newest first, only for requests of communities they still belong to."""
    items = InboxItem.objects.filter(user=user).select_related("request", "request__category")
    items = scoped(items, user, field="request__community")
    return items.filter(read_at__isnull=True) if unread_only else items


def unread_count(*, user) -> int:
    return inbox(user=user, unread_only=True).count()

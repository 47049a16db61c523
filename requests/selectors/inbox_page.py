"""Reads for the staff inbox, its badge and the home page's "waiting for you" (DESIGN §4.4).

Every function scopes to the user's communities (residents/scoping.py): an item of a request in a
community the user no longer belongs to is not theirs to see.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from requests import clock
from requests.followup_models import InboxItem
from requests.request_models import UNRESOLVED_STATUSES, ServiceRequest, Status
from requests.selectors import mine as selectors
from requests.selectors.lists import requests_for
from residents.roles import Can
from residents.scoping import communities_where, community_ids

ESCALATIONS_SHOWN = 50


def inbox_items(*, user) -> QuerySet[InboxItem]:
    """The user's reminders and escalations, newest first, with the request a row shows."""
    return (
        selectors.inbox(user=user).select_related("request__category__parent").order_by("-created_at", "-id")
    )


def unread_count(*, user) -> int:
    """The badge: one COUNT on the partial index of unread items."""
    if not getattr(user, "is_authenticated", False) or not community_ids(user):
        return 0
    return selectors.unread_count(user=user)


def inbox_item(*, user, item_id: int) -> InboxItem:
    """One of the user's own items, or 404 (another user's, or another community's request)."""
    return get_object_or_404(inbox_items(user=user), pk=item_id)


def escalated_requests(*, user) -> QuerySet[ServiceRequest]:
    """For supervisors: the open requests escalated (督办) in the communities they supervise, the
    latest escalation first."""
    return (
        requests_for(user)
        .filter(community_id__in=communities_where(user, Can.SUPERVISE), escalated_at__isnull=False)
        .exclude(status=Status.CLOSED)
        .order_by("-escalated_at", "-id")
    )


@dataclass(frozen=True)
class Waiting:
    """What waits for the user, counted: their own requests, and for supervisors the community's."""

    to_accept: int = 0
    overdue: int = 0
    due_soon: int = 0
    return_visits: int = 0
    supervises: bool = False
    to_assign: int = 0
    extensions: int = 0
    reviews: int = 0
    community_overdue: int = 0

    @property
    def anything(self) -> bool:
        counts = (self.to_accept, self.overdue, self.due_soon, self.return_visits, self.to_assign)
        return any(counts) or any((self.extensions, self.reviews, self.community_overdue))


def waiting_for(*, user, at: datetime | None = None) -> Waiting:
    """The home page's counts: two queries, three for a supervisor, whatever the numbers."""
    at = at or clock.now()
    soon = clock.due_soon_until(at)
    mine = (
        selectors.my_requests(user=user)
        .order_by()
        .aggregate(
            to_accept=Count("pk", filter=Q(status=Status.ASSIGNED)),
            overdue=Count("pk", filter=Q(status=Status.IN_PROGRESS, resolve_due_at__lt=at)),
            due_soon=Count(
                "pk", filter=Q(status=Status.IN_PROGRESS, resolve_due_at__gte=at, resolve_due_at__lt=soon)
            ),
        )
    )
    visits = selectors.awaiting_return_visit(user=user).order_by().count()
    supervised = communities_where(user, Can.SUPERVISE)
    if not supervised:
        return Waiting(**mine, return_visits=visits)
    theirs = (
        ServiceRequest.objects.filter(community_id__in=supervised)
        .filter(
            Q(status=Status.LOGGED)
            | Q(extension_pending=True)
            | Q(review_pending=True)
            | Q(status__in=UNRESOLVED_STATUSES, resolve_due_at__lt=at)
        )
        .aggregate(
            to_assign=Count("pk", filter=Q(status=Status.LOGGED)),
            extensions=Count("pk", filter=Q(extension_pending=True)),
            reviews=Count("pk", filter=Q(review_pending=True)),
            community_overdue=Count("pk", filter=Q(status__in=UNRESOLVED_STATUSES, resolve_due_at__lt=at)),
        )
    )
    return Waiting(**mine, return_visits=visits, supervises=True, **theirs)


def supervises(*, user) -> bool:
    return bool(communities_where(user, Can.SUPERVISE))

"""Reads the request pages need beyond requests/selectors.py: the list's extra filters, the intake
form's choices, the detail page's timeline names, the desk-session and resident fragments.

Every function that returns requests, sessions or residents scopes them to the user's communities
(residents/scoping.py) and loads what a row shows in a fixed number of queries.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from desks.models import DeskSession
from requests import clock, selectors
from requests.category_models import Category
from requests.request_models import Attachment, Rating, RequestEvent, ServiceRequest, Status
from residents.members import members
from residents.models import Community, Grid, Resident
from residents.roles import Can
from residents.scoping import communities_where, community_ids, get_scoped_or_404, scoped

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


@dataclass(frozen=True)
class ListFilters:
    """What the all-requests list is filtered by (every field optional)."""

    community_id: int | None = None
    status: str = ""
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


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _search_q(text: str) -> Q:
    """A reference (or its last digits), a 12345 reference, part of a name or pinyin, phone digits."""
    compact = text.replace(" ", "").replace("-", "")
    q = Q(reference__iexact=text) | Q(hotline_reference__iexact=text)
    if compact.isascii() and compact.isdigit():
        q |= Q(reference__endswith=compact)
        if len(compact) >= 4:
            q |= Q(resident__phone__contains=compact)
        return q
    q |= Q(resident__name__contains=text)
    if text.isascii():
        q |= Q(resident__name_pinyin__contains=text.lower()) | Q(reference__icontains=text)
    return q


def request_search(*, user, filters: ListFilters) -> QuerySet[ServiceRequest]:
    """The all-requests list: requests/selectors.request_list plus session, resident, source, date
    range and a search that also takes phone digits; newest first."""
    rows = selectors.request_list(
        user=user,
        community_id=filters.community_id,
        status=filters.status or None,
        handler_id=filters.handler_id,
        category_id=filters.category_id,
        grid_id=filters.grid_id,
        overdue_at=timezone.now() if filters.overdue else None,
    )
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
        rows = rows.filter(_search_q(text))
    return rows.order_by("-logged_at", "-id")


def filter_categories() -> list[Category]:
    """Every category and group heading, in order (a group filters its categories too)."""
    return list(Category.objects.select_related("parent").order_by("position", "id"))


def filter_grids(*, user) -> list[Grid]:
    return list(scoped(Grid.objects.select_related("community"), user).order_by("community__name", "id"))


def filter_handlers(*, user) -> list:
    """The people who may be handlers in any of the user's communities."""
    return list(members(community_ids(user), Can.BE_HANDLER).order_by("last_name", "first_name", "id"))


def session_label(*, user, session_id: int):
    """The desk session a list is filtered by (for its label), or None."""
    return scoped(DeskSession.objects.select_related("stop"), user).filter(pk=session_id).first()


def request_page(*, user, reference: str) -> ServiceRequest:
    """One request for its page, with what the page shows; 404 outside the user's communities."""
    return get_scoped_or_404(
        ServiceRequest.objects.select_related(*_DETAIL_RELATED), user, reference=reference
    )


def timeline(*, sr: ServiceRequest) -> list[RequestEvent]:
    """The timeline, oldest first, each line with `.named_handler` (the handler a log or an assign
    named) and `.rating_label`: two queries whatever its length (one when it names nobody)."""
    events = list(selectors.request_timeline(sr=sr))
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


def photo(*, user, reference: str, photo_id: int) -> Attachment:
    return get_scoped_or_404(
        Attachment.objects.select_related("request"),
        user,
        field="request__community",
        pk=photo_id,
        request__reference=reference,
    )


# --- Intake -------------------------------------------------------------------------------------


def intake_session(*, user, session_id: int):
    """A desk session of the user's communities (404 otherwise)."""
    return get_scoped_or_404(DeskSession.objects.select_related("stop", "community"), user, pk=session_id)


def intake_sessions(*, community_id: int, include_id: int | None = None) -> QuerySet:
    """The sessions a request can be logged at: the community's open ones (and `include_id`)."""
    wanted = Q(status=DeskSession.Status.OPEN)
    if include_id is not None:
        wanted |= Q(pk=include_id)
    return (
        DeskSession.objects.filter(community_id=community_id)
        .filter(wanted)
        .select_related("stop")
        .order_by("-date", "-start_time", "-id")
    )


def intake_resident(*, user, resident_id: int, community_id: int | None = None) -> Resident:
    """A resident of the user's communities (and of `community_id` if given), not anonymised."""
    queryset = Resident.objects.select_related("grid", "community").filter(anonymised_at__isnull=True)
    if community_id is not None:
        queryset = queryset.filter(community_id=community_id)
    return get_scoped_or_404(queryset, user, pk=resident_id)


def default_handler(*, category: Category, community: Community, resident: Resident | None):
    """Who the category's rule names as handler in this community (None: a supervisor assigns).

    The rule itself lives with the intake service, which applies it when no handler is given."""
    from requests.services.intake import _default_handler

    return _default_handler(category, community, resident)


def request_by_token(*, community_id: int, token: str) -> ServiceRequest | None:
    """The request an intake form with this idempotency token already logged, if any."""
    if not token:
        return None
    # The repeated condition of the partial unique index lets SQLite use it (PostgreSQL infers it).
    rows = ServiceRequest.objects.filter(community_id=community_id, idempotency_token=token)
    return next(iter(rows.exclude(idempotency_token="").order_by()[:1]), None)


# --- Fragments and my requests ------------------------------------------------------------------

FRAGMENT_LIMIT = 50


def session_requests(*, session) -> QuerySet[ServiceRequest]:
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


def my_work(*, user, at: dt.datetime) -> dict[str, QuerySet]:
    """The sections of *My requests*, each one query: to accept, overdue, due soon, the rest in
    progress, return visits to make; for supervisors also to assign, extensions and reviews."""
    mine = selectors.my_requests(user=user)
    soon = clock.due_soon_until(at)  # a working half-day, as the due-soon reminder counts it
    sections = {
        "to_accept": mine.filter(status=Status.ASSIGNED),
        "overdue": mine.filter(status=Status.IN_PROGRESS, resolve_due_at__lt=at),
        "due_soon": mine.filter(status=Status.IN_PROGRESS, resolve_due_at__gte=at, resolve_due_at__lt=soon),
        "in_progress": mine.filter(status=Status.IN_PROGRESS).filter(
            Q(resolve_due_at__isnull=True) | Q(resolve_due_at__gte=soon)
        ),
        "return_visits": selectors.awaiting_return_visit(user=user),
    }
    if communities_where(user, Can.SUPERVISE):
        sections["to_assign"] = (
            selectors.requests_for(user)
            .filter(community_id__in=communities_where(user, Can.SUPERVISE), status=Status.LOGGED)
            .order_by("logged_at", "id")
        )
        sections["extensions"] = selectors.extensions_to_decide(user=user)
        sections["reviews"] = selectors.to_review(user=user)
    return sections


def intake_category(*, category_id: int | None) -> Category | None:
    """A category a request can be logged under (active, not a group heading), or None."""
    if category_id is None:
        return None
    return (
        Category.objects.filter(pk=category_id, is_active=True, is_group=False)
        .select_related("parent")
        .first()
    )


def public_request(*, reference: str) -> ServiceRequest | None:
    """Unscoped, for the public status page (its token or the phone digits are the check)."""
    return (
        ServiceRequest.objects.select_related("category", "category__parent", "resident")
        .filter(reference=reference)
        .first()
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

"""Reads for the intake form: the desk session and resident it is for, the sessions and categories
it offers, and the request an earlier submit of the same form logged."""

import re

from django.db.models import Q, QuerySet

from desks.models import DeskSession
from requests.category_models import Category
from requests.request_models import ServiceRequest
from residents.models import Resident
from residents.scoping import get_scoped_or_404
from residents.versioned_cache import versioned

CATEGORIES = "categories"  # the cache's name for categories and their handler rules


def intake_session(*, user, session_id: int) -> DeskSession:
    """A desk session of the user's communities (404 otherwise)."""
    return get_scoped_or_404(DeskSession.objects.select_related("stop", "community"), user, pk=session_id)


def intake_sessions(*, community_id: int, include_id: int | None = None) -> QuerySet[DeskSession]:
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
    queryset = Resident.objects.select_related("community").filter(anonymised_at__isnull=True)
    if community_id is not None:
        queryset = queryset.filter(community_id=community_id)
    return get_scoped_or_404(queryset, user, pk=resident_id)


def _all_intake_categories() -> list[Category]:
    return list(
        Category.objects.filter(is_active=True, is_group=False)
        .select_related("parent")
        .order_by("position", "id")
    )


def intake_categories() -> list[Category]:
    """The categories a request is logged under (active, not group headings), in their order; kept
    in the cache between requests (requests.signals outdates it when a category changes)."""
    return list(versioned(CATEGORIES, "intake", _all_intake_categories))


def intake_category(*, category_id: int | None) -> Category | None:
    """A category a request can be logged under (active, not a group heading), or None."""
    if category_id is None:
        return None
    return next((category for category in intake_categories() if category.pk == category_id), None)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def request_by_token(*, community_id: int, token: str) -> ServiceRequest | None:
    """The request an intake form with this idempotency token already logged, if any. A token we
    did not make (ours are URL-safe base64: secrets.token_urlsafe) finds nothing without a query —
    a NUL byte would not even reach PostgreSQL as text."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    # The repeated condition of the partial unique index lets SQLite use it (PostgreSQL infers it).
    rows = ServiceRequest.objects.filter(community_id=community_id, idempotency_token=token)
    return next(iter(rows.exclude(idempotency_token="").order_by()[:1]), None)


def is_another_request(
    earlier: ServiceRequest, *, description: str | None, category_id: int | None = None
) -> bool:
    """Whether a form that carried `earlier`'s token asks for another request, typed into a form
    that kept an old token, rather than `earlier` again (a double tap, a retry, Back): its
    description differs (an empty one, which the browser may not have kept, does not count), or
    its category, when it has one."""
    text = (description or "").strip()
    if text and text != earlier.description:
        return True
    return category_id is not None and category_id != earlier.category_id

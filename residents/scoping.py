"""The one place that says which communities a user may see, and what they may do there.

Every view's query goes through `scoped()` or `get_scoped_or_404()`; another community's object
answers 404. A user's places are their active staff memberships (residents.models.Membership,
read through `user.memberships`); what each role may do there is the table in roles.py.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from residents.roles import Can, role_can
from residents.versioned_cache import versioned

PLACES = "places"


@dataclass(frozen=True)
class Place:
    community_id: int
    community_name: str
    role: str
    health_permission: bool
    community_code: str = ""  # the letters of its requests' references (BX in BX-2026-000123)


def places(user) -> dict[int, Place]:
    """The user's active memberships by community id, read once per request (and kept in the
    cache between requests under the version `PLACES`)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_doorstep_places", None)
    if cached is None:
        # The key names the row's shape: a deploy that reads another column misses old entries.
        key = f"{user.pk}:{len(_PLACE_FIELDS)}"
        rows = versioned(
            PLACES, key, lambda: list(user.memberships.filter(is_active=True).values_list(*_PLACE_FIELDS))
        )
        cached = {row[0]: Place(*row) for row in rows}
        user._doorstep_places = cached
    return cached


# A Place's fields, read from the memberships; kept in the cache between requests and outdated by
# any change of a membership or a community (residents.signals and MembershipQuerySet bump PLACES).
_PLACE_FIELDS = ("community_id", "community__name", "role", "health_permission", "community__code")


def community_ids(user) -> list[int]:
    return sorted(places(user))


def can(user, community_id: int, capability: Can) -> bool:
    place = places(user).get(community_id)
    return place is not None and role_can(place.role, capability, health_permission=place.health_permission)


def communities_where(user, capability: Can) -> list[int]:
    return [cid for cid, place in places(user).items() if can(user, cid, capability)]


def scoped(queryset: QuerySet, user, field: str = "community") -> QuerySet:
    """Only the rows of the user's communities; `field` is the path to the community."""
    return queryset.filter(**{f"{field}__in": community_ids(user)})


def get_scoped_or_404(queryset: QuerySet, user, field: str = "community", **lookup):
    try:
        return scoped(queryset, user, field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def require(user, community_id: int, capability: Can) -> None:
    """403 for a member without the capability; 404 for a non-member (they must not learn it exists)."""
    if community_id not in places(user):
        raise Http404
    if not can(user, community_id, capability):
        raise PermissionDenied

"""Who may handle requests: the category's default-handler rule (DESIGN §3), which the intake
service applies when it is given no handler and the intake form proposes, and the people a
supervisor may assign or a list may be filtered by."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from requests.category_models import Category, CategoryHandler, HandlerRule
from requests.selectors.intake import CATEGORIES
from residents.members import members
from residents.models import Community, Resident
from residents.roles import Can
from residents.scoping import can
from residents.versioned_cache import versioned


def _may_handle(user, category: Category, community_id: int) -> bool:
    """A handler the rule may name: one who may be a handler, and for a health follow-up also has
    the health permission (the request is health data, DESIGN §6)."""
    if user is None or not can(user, community_id, Can.BE_HANDLER):
        return False
    return not category.is_health or can(user, community_id, Can.HEALTH)


def default_handler(*, category: Category, community: Community, resident: Resident | None = None):
    """Whom the category's rule names as handler in this community, if they may be one there (for
    a health follow-up, only with the health permission); None: a supervisor assigns."""
    if category.handler_rule == HandlerRule.NONE:
        return None
    if category.handler_rule == HandlerRule.GRID_WORKER and resident is not None and resident.grid_id:
        user = get_user_model().objects.filter(grids__pk=resident.grid_id).first()
        # A grid worker who left (or changed role) must not strand the request: the named handler takes it.
        if _may_handle(user, category, community.pk):
            return user
    user_id = _named_handlers().get((category.pk, community.pk))
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return user if _may_handle(user, category, community.pk) else None


def _named_handler_rows() -> dict[tuple[int, int], int]:
    rows = CategoryHandler.objects.values_list("category_id", "community_id", "user_id")
    return {(category_id, community_id): user_id for category_id, community_id, user_id in rows}


def _named_handlers() -> dict[tuple[int, int], int]:
    """The named handler's user id by (category, community): the rules, kept in the cache between
    requests (requests.signals outdates them when a rule or a category changes)."""
    return versioned(CATEGORIES, "named-handlers", _named_handler_rows)


def handlers_for(*, community_ids: Iterable[int]) -> QuerySet:
    """The people who may be handlers in any of these communities, by name (the assign form: one
    community; the list's handler filter: the user's communities)."""
    return members(list(community_ids), Can.BE_HANDLER).order_by("last_name", "first_name", "id")

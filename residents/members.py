"""Who works for a community: the one query for "the members whose role may do X there".

Handlers for the assign form, the supervisors reminders go to, the desk team, the staff an SMS
reminder is sent to: each asks `members(community, capability)`, so the roles table (roles.py,
with its health-permission rule) is read in one place and a new role needs no query changed.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from residents.models import Community, Membership
from residents.roles import Can, Role, role_can

PEOPLE = "people"  # the cache's name for staff's names and accounts (residents.signals bumps it)


def _roles_q(capability: Can) -> Q:
    """The memberships whose role has `capability`: some roles always, some with the permission."""
    always = [role for role in Role.values if role_can(role, capability)]
    with_permission = [
        role
        for role in Role.values
        if role not in always and role_can(role, capability, health_permission=True)
    ]
    q = Q(role__in=always)
    if with_permission:
        q |= Q(role__in=with_permission, health_permission=True)
    return q


def memberships_with(community: Community | int | Iterable[int], capability: Can) -> QuerySet[Membership]:
    """The active memberships of a community (or of several, by id) whose role may do `capability`
    (for what lives on the membership: the staff phone, whether SMS reminders are wanted)."""
    if isinstance(community, Community | int):
        where = Q(community=community)
    else:
        where = Q(community_id__in=list(community))
    return Membership.objects.filter(where, _roles_q(capability), is_active=True)


def members(community: Community | int | Iterable[int], capability: Can) -> QuerySet:
    """The users who may do `capability` in a community (or in any of several, by id), each once.

    A queryset of users, so callers order, filter, count or test membership on it (one query).
    """
    return get_user_model().objects.filter(pk__in=memberships_with(community, capability).values("user_id"))

from django import template

from residents import people

register = template.Library()


@register.filter
def person_name(user) -> str:
    """Chinese order, family name first and no space (王玉枝); the username when no name is set."""
    return people.person_name(user)


@register.filter
def may_supervise(user) -> bool:
    """Whether the user supervises some community (the navigation offers supervisors' pages)."""
    from residents.roles import Can
    from residents.scoping import communities_where

    return bool(communities_where(user, Can.SUPERVISE))

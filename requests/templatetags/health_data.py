"""Health data on a request page (DESIGN §6): a health follow-up's description, result, notes and
screening are shown only to members with the health permission in its community; others see the
category and the resident."""

from django import template

from residents.roles import Can
from residents.scoping import can

register = template.Library()


@register.filter
def health_hidden(sr, user) -> bool:
    """True when `sr` holds health data (a screening's follow-up, or logged under the health
    category) and `user` may not read health data in its community."""
    holds_health = bool(sr.screening_id) or sr.category.is_health
    return holds_health and not can(user, sr.community_id, Can.HEALTH)

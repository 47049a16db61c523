"""Template helpers of the desk pages, and today's sessions on the staff home page."""

from django import template
from django.utils import timezone

from desks import selectors
from desks.served import served_counts
from residents.scoping import places

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("desks/_home_today.html", takes_context=True)
def todays_sessions(context):
    """The sessions of the user's communities today, for the home page (a fixed number of queries)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not places(user):
        return {"show": False}
    sessions = list(selectors.todays_sessions(user=user, today=timezone.localdate()))
    return {
        "show": True,
        "sessions": sessions,
        "served": served_counts(sessions),
        "multi_community": len(places(user)) > 1,
        "today": timezone.localdate(),
    }

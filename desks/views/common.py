"""What the desk views share: choosing a community, optional URLs of other apps, small parsers."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from residents.models import Community
from residents.roles import Can
from residents.scoping import communities_where, places

# The session hub loads these htmx fragments of other apps, each reversed with
# kwargs={"session_id": <pk>} and fetched with hx-get on load. A name that does not reverse (its app
# has not shipped it yet) is skipped, so `desks` never imports the app that serves it (DESIGN §3).
HUB_FRAGMENTS: tuple[str, ...] = ("requests:session_requests",)
# The printable session sheet loads these the same way (the session's requests and references).
SHEET_FRAGMENTS: tuple[str, ...] = ("requests:session_sheet_requests",)

# The "log a request" link on the resident-at-the-desk page: <url>?resident=<pk>&session=<pk>.
LOG_REQUEST_URL = "requests:create"

SEARCH_URL = "residents:search"
SEARCH_BOX_TEMPLATE = "residents/_search_box.html"


def reverse_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def hub_fragment_urls(session_id: int, names: tuple[str, ...] | None = None) -> list[str]:
    # Read HUB_FRAGMENTS when called, not when defined (a default argument would freeze it).
    urls = (reverse_or_none(name, session_id=session_id) for name in (names or HUB_FRAGMENTS))
    return [url for url in urls if url]


def resident_search_available() -> bool:
    """The directory's search box (residents:search and its include) is there to use."""
    if reverse_or_none(SEARCH_URL) is None:
        return False
    try:
        get_template(SEARCH_BOX_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


def today() -> dt.date:
    return timezone.localdate()


def parse_date(value: str | None) -> dt.date | None:
    """A date from a query string; None for nonsense and for years a week's arithmetic would run
    off the calendar with (0001, 9999): pages then show today's week."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or 1900 <= day.year <= 2999 else None


def parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def community_for(request: HttpRequest, capability: Can) -> tuple[Community | None, list]:
    """The community an action is for: ?community=<id> or the only one where the user may do it.

    Returns (community or None, the communities to choose from). 403 when there is none.
    """
    allowed = communities_where(request.user, capability)
    if not allowed:
        raise PermissionDenied
    wanted = parse_int(request.GET.get("community") or request.POST.get("community"))
    if wanted is None and len(allowed) == 1:
        wanted = allowed[0]
    choices = sorted((places(request.user)[cid] for cid in allowed), key=lambda place: place.community_name)
    if wanted not in allowed:
        return None, choices
    return Community.objects.get(pk=wanted), choices

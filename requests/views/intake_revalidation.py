"""The intake form's page, revalidated instead of drawn again: a browser that has the page asks
with If-None-Match, and while nothing the page shows has changed the answer is 304, with no body.

Staff log request after request at the desk; each new request opens the same form, and drawing it
(the categories' buttons, the handler box, the desk sessions, crispy fields) cost more than
logging the request itself. The page's ETag is a digest of everything the page is drawn from:

- the code, templates, translations and static files (residents.code_stamp: a deploy changes it);
- the user (id, names, staff flag), the page's language, the path with its query, today's date;
- the CSRF secret the page's token is made from (a new login makes a new one);
- the cache versions of the user's places (memberships and communities), the categories and
  their handler rules, the desk sessions and stops, staff's names, and the inbox items the badge
  counts (residents.versioned_cache: every change bumps them, bulk changes too).

So a 304 costs what the bare logged-in view does: the session, the user, and one MGET.

Only pages that need nothing else are revalidated: ?community= and ?session= (a category or a
resident in the link reads rows no version covers), no pending message (the page shows it once),
a cache that keeps versions (not the embedded default's database cache), and a browser with
JavaScript — doorstep.js sets the `doorstep_js` cookie — because intake.js gives each form shown a
token of its own; without JavaScript the token is the server's, so each page must be new.
"""

import functools
import hashlib

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag

from desks.models import DESK_SESSIONS
from requests import clock
from requests.followup_models import INBOX
from requests.selectors.intake import CATEGORIES
from residents import versioned_cache
from residents.code_stamp import code_stamp
from residents.members import PEOPLE
from residents.roles import Can
from residents.scoping import PLACES, communities_where

JS_COOKIE = "doorstep_js"  # set by static/js/doorstep.js where it can make UUIDs
REVALIDATED_PARAMETERS = {"community", "session"}
VERSIONS = [PLACES, CATEGORIES, DESK_SESSIONS, PEOPLE, INBOX]


def form_etag(request: HttpRequest) -> str | None:
    """The ETag of the intake form this GET would draw, or None when it must be drawn anyway."""
    user = request.user
    if (
        request.method != "GET"
        or request.COOKIES.get(JS_COOKIE) != "1"
        or not set(request.GET) <= REVALIDATED_PARAMETERS
        or CookieStorage.cookie_name in request.COOKIES
        or not user.is_authenticated
        or SessionStorage.session_key in request.session
        or "CSRF_COOKIE" not in request.META  # the page would make a new secret: the next ETag differs
    ):
        return None
    logs_in = communities_where(user, Can.LOG_REQUESTS)  # from the request's cache read: no query
    wanted = request.GET.get("community")
    if not logs_in or (wanted is not None and wanted not in {str(pk) for pk in logs_in}):
        return None  # drawn, so the view says 403 or 404 (the versions cover it too: a second guard)
    versions = versioned_cache.versions(VERSIONS)
    if versions is None:
        return None
    parts = [
        code_stamp(),
        user.pk,
        user.get_username(),
        user.first_name,
        user.last_name,
        user.is_staff,
        request.LANGUAGE_CODE,
        request.get_full_path(),
        clock.local(clock.now()).date().isoformat(),
        request.META["CSRF_COOKIE"],
        *versions,
    ]
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16)
    return digest.hexdigest()


def revalidated(view):
    """GET answers 304 while form_etag matches the browser's copy; a page drawn carries its ETag,
    with Cache-Control: private, no-cache (keep it, but ask each time)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        etag = form_etag(request)
        if etag is None:
            return view(request, *args, **kwargs)
        etag = quote_etag(etag)
        # Compared weakly (RFC 9110 §13.1.2): a proxy that compresses the page, as nginx's gzip
        # does, sends it on as W/"…", and the browser asks with that.
        asked = {tag.removeprefix("W/") for tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))}
        if etag in asked:
            response = HttpResponseNotModified()
        else:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapper

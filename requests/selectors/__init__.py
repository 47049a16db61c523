"""The one read layer of the requests app (DESIGN §9), a module per page:

- lists.py: all requests (filters and search), the desk-session and resident fragments;
- search.py: the list's search, decomposed by what was typed so that an index serves each part;
- mine.py: *My requests* and the inbox;
- detail.py: a request's page (timeline, photos, the actions the user may take);
- intake.py: the intake form's choices and the request a form's token already logged;
- handlers.py: the category's default-handler rule and who may be a handler;
- public.py: the public status page.

Every function that returns requests, sessions or residents scopes them to the user's communities
(residents/scoping.py), or says that its caller has; lists load what a row shows in a fixed number
of queries. Callers import the package: `from requests import selectors`.
"""

from requests.selectors.detail import (
    actions_for,
    photo,
    request_detail,
    request_photos,
    request_timeline,
    timeline,
    timeline_lines,
)
from requests.selectors.handlers import default_handler, handlers_for
from requests.selectors.intake import (
    intake_categories,
    intake_category,
    intake_resident,
    intake_session,
    intake_sessions,
    is_another_request,
    request_by_token,
)
from requests.selectors.lists import (
    ListFilters,
    filter_categories,
    filter_grids,
    request_list,
    requests_for,
    resident_requests,
    residents_served_at,
    session_label,
    session_requests,
)
from requests.selectors.mine import (
    awaiting_return_visit,
    extensions_to_decide,
    inbox,
    my_requests,
    my_work,
    to_review,
    unread_count,
)
from requests.selectors.public import public_request

__all__ = [
    "ListFilters",
    "actions_for",
    "awaiting_return_visit",
    "default_handler",
    "extensions_to_decide",
    "filter_categories",
    "filter_grids",
    "handlers_for",
    "inbox",
    "intake_categories",
    "intake_category",
    "intake_resident",
    "intake_session",
    "intake_sessions",
    "is_another_request",
    "my_requests",
    "my_work",
    "photo",
    "public_request",
    "request_by_token",
    "request_detail",
    "request_list",
    "request_photos",
    "request_timeline",
    "requests_for",
    "resident_requests",
    "residents_served_at",
    "session_label",
    "session_requests",
    "timeline",
    "timeline_lines",
    "to_review",
    "unread_count",
]

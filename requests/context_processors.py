"""What every staff page's navigation shows from `requests`: the inbox's unread badge."""

from functools import cached_property


class InboxBadge:
    """Counted when a template first asks, once per request (one COUNT query)."""

    def __init__(self, request):
        self._request = request

    @cached_property
    def unread(self) -> int:
        from requests.selectors.inbox_page import unread_count

        return unread_count(user=self._request.user)


def inbox(request) -> dict:
    badge = getattr(request, "_doorstep_inbox", None)
    if badge is None:
        badge = request._doorstep_inbox = InboxBadge(request)
    return {"inbox": badge}

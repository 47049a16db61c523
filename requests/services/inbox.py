"""The staff inbox: marking items read (not a request action: no state, no timeline line)."""

from collections.abc import Iterable

from requests import clock
from requests.followup_models import InboxItem


def inbox_mark_read(*, user, item_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread items read (all of them, or those in `item_ids`); how many changed."""
    items = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    return items.update(read_at=clock.now())

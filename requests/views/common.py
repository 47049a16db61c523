"""What the request views share: small parsers, the page size and a paginator that counts no
further than it must."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
COUNT_BOUND = 10_000  # a list longer than this says "10,000+" instead of counting every row


def parse_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def category_groups(categories) -> list[tuple[object, list]]:
    """Consecutive categories under the same group heading: [(heading or None, [categories])]."""
    groups: list[tuple[object, list]] = []
    for category in categories:
        heading = category.parent if category.parent_id else None
        if groups and (groups[-1][0] is heading or (heading and groups[-1][0] == heading)):
            groups[-1][1].append(category)
        else:
            groups.append((heading, [category]))
    return groups


class BoundedPaginator(Paginator):
    """A paginator that counts at most `bound` rows: COUNT(*) over a LIMIT-ed subquery, so a list of
    a million requests is not counted to the end. Past the bound, `more` is True, `count` is the
    bound and the pages stop there (the list says "10,000+"; a filter narrows it)."""

    def __init__(self, object_list, per_page, *, bound: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.bound = bound or COUNT_BOUND
        self.more = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by().values("pk")[: self.bound + 1].count()
        self.more = found > self.bound
        return min(found, self.bound)

    @property
    def bound_label(self) -> str:
        return f"{self.bound:,}"

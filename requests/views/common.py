"""What the request views share: small parsers and the page size."""

PAGE_SIZE = 25


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

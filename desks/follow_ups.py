"""Which flagged screenings already have a follow-up request, for the screening rows' button.

The follow-up request is a `requests` object, and `desks` never imports `requests` (DESIGN §3):
the `requests` app registers a source in `AppConfig.ready()`:

    from desks.follow_ups import register_follow_up_source
    register_follow_up_source(lambda screening_ids: {...})  # screening id → (reference, its URL)

A source answers in ONE query for a list of screening ids.
"""

from collections.abc import Callable, Iterable

FollowUpSource = Callable[[list[int]], dict[int, tuple[str, str]]]

_sources: list[FollowUpSource] = []


def register_follow_up_source(source: FollowUpSource) -> None:
    if source not in _sources:
        _sources.append(source)


def with_follow_ups(screenings: Iterable) -> list:
    """The screenings, each with `.follow_up`: (reference, URL) of its follow-up request, or None."""
    screenings = list(screenings)
    flagged = [s.pk for s in screenings if s.flagged]
    found: dict[int, tuple[str, str]] = {}
    if flagged:
        for source in _sources:
            found |= source(flagged)
    for screening in screenings:
        screening.follow_up = found.get(screening.pk)
    return screenings

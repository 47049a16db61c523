"""Residents served at a session: who was recorded there, counted once, plus the walk-up tally.

Screenings are counted here. Other apps that record residents at a desk (the `requests` app logs
requests there) add their own source in `AppConfig.ready()`, so `desks` never imports them:

    from desks.served import register_served_source
    register_served_source(lambda session_ids: {...})  # session id → set of resident ids

A source takes a list of session ids and answers in ONE query, so a page of 25 sessions costs the
same as a page of one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

ServedSource = Callable[[list[int]], dict[int, set[int]]]

_sources: list[ServedSource] = []


def register_served_source(source: ServedSource) -> None:
    if source not in _sources:
        _sources.append(source)


def unregister_served_source(source: ServedSource) -> None:
    if source in _sources:
        _sources.remove(source)


def screened_residents(session_ids: list[int]) -> dict[int, set[int]]:
    from desks.models import Screening

    found: dict[int, set[int]] = defaultdict(set)
    rows = Screening.objects.filter(session_id__in=session_ids).values_list("session_id", "resident_id")
    for session_id, resident_id in rows.distinct():
        found[session_id].add(resident_id)
    return found


def served_counts(sessions: Iterable) -> dict[int, dict[str, int]]:
    """Session id → {"recorded": distinct residents recorded, "walk_ups": tally, "total": both}."""
    sessions = list(sessions)
    ids = [s.pk for s in sessions]
    recorded: dict[int, set[int]] = defaultdict(set)
    if ids:
        for source in [screened_residents, *_sources]:
            for session_id, residents in source(ids).items():
                recorded[session_id] |= residents
    counts = {}
    for session in sessions:
        n = len(recorded[session.pk])
        counts[session.pk] = {
            "recorded": n,
            "walk_ups": session.walk_up_count,
            "total": n + session.walk_up_count,
        }
    return counts

"""Beat runs these (CELERY_BEAT_SCHEDULE in config/settings.py): thin tasks that close the sessions
left open after their day and plan every route's sessions for the coming weeks (each night), and
announce tomorrow's sessions to residents by SMS (through the day)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="desks.generate_sessions")
def generate_sessions(weeks: int = 6) -> dict:
    from desks.services import routes_generate_all

    result = routes_generate_all(weeks=weeks, today=timezone.localdate())
    return {
        "created": result.created,
        "updated": result.updated,
        "removed": result.removed,
        # A route that failed is logged and skipped; its id here makes the night's result show it.
        "failed": len(result.failed_routes),
        "failed_routes": result.failed_routes,
    }


@shared_task(name="desks.close_left_open")
def close_left_open() -> dict:
    from desks.services import sessions_close_left_open

    return {"closed": sessions_close_left_open(today=timezone.localdate())}


@shared_task(name="desks.announce_sessions")
def announce_sessions() -> dict:
    """Tomorrow's planned sessions, each announced once however often this runs."""
    from desks.services import sessions_announce

    return sessions_announce(today=timezone.localdate())

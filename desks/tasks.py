"""Beat runs this each night (CELERY_BEAT_SCHEDULE in config/settings.py): a thin task that plans
every route's sessions for the coming weeks."""

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

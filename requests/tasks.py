"""Celery tasks of requests: thin — they call a service (STYLE.md)."""

from celery import shared_task


@shared_task(name="requests.sweep_reminders", bind=True, ignore_result=False)
def sweep_reminders(self) -> dict:
    """Beat's reminder sweep (DESIGN §4.4): every due step fires once. Answers what it did, and
    which worker did it (a short-lived result: tests and operators read it)."""
    from requests.services.sweep import reminders_sweep

    return {**reminders_sweep(), "worker": self.request.hostname}


@shared_task(name="requests.refresh_daily_figures", ignore_result=True)
def refresh_daily_figures() -> None:
    """Beat's daily-summary refresh (every hour, idempotent): the days that ended since the last run
    and the days a change touched are summed again; today is always counted live."""
    from requests.dashboard.summary import refresh

    refresh()

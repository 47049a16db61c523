"""Celery tasks of requests: thin — they call a service (STYLE.md)."""

from celery import shared_task


@shared_task(name="requests.sweep_reminders", bind=True, ignore_result=False)
def sweep_reminders(self) -> dict:
    """Beat's reminder sweep (DESIGN §4.4): every due step fires once. Answers what it did, and
    which worker did it (a short-lived result: tests and operators read it)."""
    from requests.services.sweep import reminders_sweep

    return {**reminders_sweep(), "worker": self.request.hostname}

"""Celery tasks of residents: thin — they take ids and call a service (STYLE.md)."""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from residents.rosters.services import roster_imports_sweep, roster_run
from residents.sms.tasks import deliver_sms, sweep_sms  # noqa: F401  (found by autodiscovery here)


@shared_task(name="residents.import_roster", soft_time_limit=600, time_limit=660)
def import_roster(roster_import_id: int, language: str = "") -> str:
    """Import a confirmed roster; the report is written in the language of the person who confirmed."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return roster_run(roster_import_id=roster_import_id)


@shared_task(name="residents.sweep_roster_imports")
def sweep_roster_imports() -> dict:
    """Beat's sweep: roster imports stuck in queued (sent again) or running (failed)."""
    return roster_imports_sweep()

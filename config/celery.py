"""The Celery app: settings under CELERY_* in config/settings.py, beat's schedule in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("doorstep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="doorstep.ping", ignore_result=False)
def ping():
    """Answers with the database the worker uses, so a test can see it reached the right one."""
    from django.db import connection

    return {"pong": True, "vendor": connection.vendor, "database": str(connection.settings_dict["NAME"])}


@app.task(name="doorstep.heartbeat")
def heartbeat():
    """Beat's proof of life: /healthz reports when it last ran."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.set("doorstep:beat:last", timezone.now().isoformat(), timeout=None)
    return None

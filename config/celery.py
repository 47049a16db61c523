"""The Celery app: settings under CELERY_* in config/settings.py, beat's schedule in code."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.log import get_multiprocessing_logger

from residents.logfilter import MaskPersonalData

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("doorstep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def mask_personal_data(logger, **kwargs):
    """The worker and beat log through handlers of celery's own, not Django's: mask those too (DESIGN §6).

    The signals bring the root logger and the task loggers' parent (which does not propagate);
    the pool's logger has no signal, and celery gives it a handler of its own as well.
    """
    for each in (logger, get_multiprocessing_logger()):
        for handler in each.handlers:
            if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                handler.addFilter(MaskPersonalData())


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

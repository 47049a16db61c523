"""Start-up for every process (web, worker, beat, manage.py): runtime folders and the checks that
need importing app code, which settings cannot do at import time."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class DoorstepConfig(AppConfig):
    name = "config"
    label = "doorstep"
    verbose_name = "Doorstep"

    def ready(self):
        make_runtime_folders()
        check_sms_backend()


def make_runtime_folders() -> None:
    """The folders under var/ the embedded default writes to (settings only name them)."""
    folders = [Path(settings.VAR_DIR)]
    if not settings.PRODUCTION:
        folders.append(Path(settings.STATIC_ROOT))  # whitenoise warns about a missing one
    if settings.CELERY_BROKER_URL == "filesystem://":
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [Path(options[k]) for k in ("data_folder_in", "control_folder", "processed_folder")]
        folders.append(Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


def check_sms_backend() -> None:
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND names a class that cannot be imported: {exc}") from None
    if not callable(getattr(backend, "send", None)):
        raise ImproperlyConfigured(f"SMS_BACKEND {settings.SMS_BACKEND!r} has no send() method")

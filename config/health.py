"""Reachability probes for /healthz, each bounded by settings.HEALTHZ_TIMEOUT."""

import os
from pathlib import Path

import redis
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import connection
from kombu import Connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    timeout = settings.HEALTHZ_TIMEOUT
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            try:
                return bool(client.ping())
            finally:
                client.close()
        if url.startswith("filesystem://"):
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
            return folder.is_dir() and os.access(folder, os.W_OK)
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            return True
    except Exception:
        return False


def static_ok() -> bool:
    """Under the manifest storage (production) every page needs collectstatic's manifest."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return True
    try:
        # The file on disk, and the entries this process loaded (it reads them once, at start-up).
        return staticfiles_storage.exists(staticfiles_storage.manifest_name) and bool(
            staticfiles_storage.hashed_files
        )
    except Exception:
        return False

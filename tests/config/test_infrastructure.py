"""The suite runs on the real parts it says it runs on; no installed package needs PyPI `requests`."""

import importlib.metadata
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from packaging.requirements import Requirement

from tests.conftest import BASE_DIR, CI


def test_the_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    if CI:
        assert url.startswith(("postgres://", "postgresql://")), "CI=true must run on PostgreSQL"
    if url.startswith(("postgres://", "postgresql://")):
        assert connection.vendor == "postgresql"
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert connection.vendor == "sqlite"


def test_the_cache_and_broker_are_redis_when_redis_url_is_set():
    url = os.environ.get("REDIS_URL", "")
    if CI:
        assert url.startswith("redis://"), "CI=true must run on Redis"
    if url:
        assert url == settings.CELERY_BROKER_URL
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        cache.set("infrastructure-probe", "世界", 30)
        assert cache.get("infrastructure-probe") == "世界"
        from redis import Redis

        assert Redis.from_url(url, socket_timeout=2).ping()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_a_task_on_the_test_database(celery_worker):
    from config.celery import ping

    answer = ping.delay().get(timeout=30)
    assert answer["vendor"] == connection.vendor
    assert Path(answer["database"]).name == Path(str(connection.settings_dict["NAME"])).name
    assert celery_worker.process.poll() is None
    assert "doorstep.ping" in celery_worker.log()
    assert settings.RUN_ID in celery_worker.log(), "the worker listens on this run's own queue"


def test_our_requests_app_is_what_import_requests_gives():
    import requests

    assert Path(requests.__file__).resolve().parent == BASE_DIR / "requests"


def test_no_installed_distribution_requires_the_pypi_requests_package():
    needing = []
    for dist in importlib.metadata.distributions():
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.name.lower() != "requests":
                continue
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                needing.append(f"{dist.metadata['Name']} needs {line}")
    assert needing == [], "our requests/ app shadows PyPI requests (DESIGN §9): " + "; ".join(needing)


def test_compiled_translations_are_committed():
    mo = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    po = mo.with_suffix(".po")
    assert mo.exists() and po.exists()
    assert mo.stat().st_size > 1000


def test_every_task_in_beats_schedule_exists():
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"doorstep.heartbeat", "desks.generate_sessions", "desks.close_left_open"} <= scheduled
    assert scheduled <= set(app.tasks)

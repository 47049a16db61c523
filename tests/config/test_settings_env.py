"""Settings come from the environment, strictly: a bad value stops start-up naming the variable."""

import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from tests.conftest import BASE_DIR, subprocess_env


def start_django(**variables) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in subprocess_env().items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(variables)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["maybe", "2", "yess"])
def test_a_boolean_that_is_not_true_or_false_is_refused(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.env_bool("DEBUG", False)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("FALSE", False), ("1", True), ("", False)])
def test_booleans_parse(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)
    assert env.env_bool("DEBUG", False) is expected


def test_numbers_and_times_are_checked(monkeypatch):
    monkeypatch.setenv("SESSION_HOURS", "eight")
    with pytest.raises(ImproperlyConfigured, match="SESSION_HOURS"):
        env.env_int("SESSION_HOURS", 8)
    monkeypatch.setenv("SESSION_HOURS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("SESSION_HOURS", 8, minimum=1)
    monkeypatch.setenv("OFFICE_HOURS_START", "25:00")
    with pytest.raises(ImproperlyConfigured, match="OFFICE_HOURS_START"):
        env.env_hhmm("OFFICE_HOURS_START", "08:30")
    monkeypatch.setenv("OFFICE_HOURS_START", "8:05")
    assert env.env_hhmm("OFFICE_HOURS_START", "08:30") == (8, 5)


def test_a_bad_value_stops_start_up_naming_the_variable():
    result = start_django(SWEEP_INTERVAL_SECONDS="soon")
    assert result.returncode != 0
    assert "SWEEP_INTERVAL_SECONDS" in result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "FIELD_ENCRYPTION_KEY"]
)
def test_production_refuses_to_start_without_its_secrets_and_addresses(missing):
    production = {
        "DOORSTEP_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "doorstep.example.org",
        "PUBLIC_BASE_URL": "https://doorstep.example.org",
        "FIELD_ENCRYPTION_KEY": "ZG9vcnN0ZXAtdGVzdC1rZXktMDAwMDAwMDAwMDAwMDA=",
    }
    assert start_django(**production).returncode == 0
    production[missing] = ""
    result = start_django(**production)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_passes_the_deploy_checks_with_nothing_silenced():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=subprocess_env(
            DOORSTEP_ENV="production",
            SECRET_KEY="k8#Zp2@vQ!7mW$3nR^9tY&5uI*1oP(4aS)6dF-0gH_8jK+2lL=" * 2,
            ALLOWED_HOSTS="doorstep.example.org",
            PUBLIC_BASE_URL="https://doorstep.example.org",
            FIELD_ENCRYPTION_KEY="ZG9vcnN0ZXAtdGVzdC1rZXktMDAwMDAwMDAwMDAwMDA=",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from django.conf import settings

    assert settings.SILENCED_SYSTEM_CHECKS == []


def test_embedded_default_is_sqlite_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "o = s.DATABASES['default']['OPTIONS']; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], o['transaction_mode'], o['init_command'], "
        "o['timeout'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND']]))"
    )
    clean = {k: v for k, v in subprocess_env().items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DOORSTEP_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine, mode, init, timeout, broker, cache = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert mode == "IMMEDIATE"
    assert "journal_mode=WAL" in init
    assert timeout >= 5
    assert broker == "filesystem://"
    assert cache.endswith("DatabaseCache")


def test_requests_are_not_atomic_and_sessions_expire(settings):
    assert settings.ATOMIC_REQUESTS is False
    assert (
        "ATOMIC_REQUESTS" not in settings.DATABASES["default"]
        or not settings.DATABASES["default"]["ATOMIC_REQUESTS"]
    )
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600

"""Settings come from the environment, strictly: a bad value stops start-up naming the variable."""

import json
import os
import runpy
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


KEY = "ZG9vcnN0ZXAtdGVzdC1rZXktMDAwMDAwMDAwMDAwMDA="
STRONG_SECRET = "k8#Zp2@vQ!7mW$3nR^9tY&5uI*1oP(4aS)6dF-0gH_8jK+2lL=" * 2
PRODUCTION = {
    "DOORSTEP_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "doorstep.example.org",
    "PUBLIC_BASE_URL": "https://doorstep.example.org",
    "DATABASE_URL": "postgres://doorstep@127.0.0.1:5432/doorstep",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FIELD_ENCRYPTION_KEY": KEY,
    "ID_NUMBER_HMAC_KEY": "aG1hYy1rZXktaG1hYy1rZXktaG1hYy1rZXktaG1hYy0=",
}


def settings_from(variables: dict[str, str]) -> dict:
    """Run config/settings.py in this process with exactly these variables (of its own): it has no
    side effects, so this costs milliseconds where starting Django in a subprocess costs seconds."""
    saved = dict(os.environ)
    for name in [*PRODUCTION, "SMS_BACKEND", "DEBUG", "DOORSTEP_VAR_DIR"]:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        return runpy.run_path(str(BASE_DIR / "config" / "settings.py"), run_name="settings_under_test")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_production_starts_with_everything_set_and_nothing_reached():
    # Start-up connects to nothing: the addresses above need not answer for this.
    result = start_django(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = settings_from(PRODUCTION)
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["CELERY_BROKER_URL"] == PRODUCTION["REDIS_URL"]
    assert values["FIELD_ENCRYPTION_KEY"] == [KEY]


def test_production_refuses_an_sms_backend_that_cannot_be_imported():
    # Checked at start-up (config/apps.py), once the apps can be imported.
    result = start_django(**PRODUCTION, SMS_BACKEND="no.such.Backend")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SMS_BACKEND" in result.stderr


@pytest.mark.parametrize(
    "value", ["no.such.Backend", "residents.models.NoSuchBackend", "residents.models.Resident"]
)
def test_an_sms_backend_that_cannot_send_is_refused(settings, value):
    from config.apps import check_sms_backend

    settings.SMS_BACKEND = value
    with pytest.raises(ImproperlyConfigured, match="SMS_BACKEND"):
        check_sms_backend()


def test_the_default_sms_backend_exists(settings):
    from config.apps import check_sms_backend

    check_sms_backend()
    assert settings_from({})["SMS_BACKEND"] == settings.SMS_BACKEND


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", ""),
        ("SECRET_KEY", "short"),
        ("SECRET_KEY", "x" * 60),  # long but one character: low entropy
        ("SECRET_KEY", "django-insecure-" + "a1b2c3d4e5" * 5),
        ("ALLOWED_HOSTS", ""),
        ("PUBLIC_BASE_URL", ""),
        ("PUBLIC_BASE_URL", "notaurl"),
        ("PUBLIC_BASE_URL", "ftp://doorstep.example.org"),
        ("DATABASE_URL", ""),
        ("DATABASE_URL", "notaurl"),
        ("DATABASE_URL", "sqlite:////var/lib/doorstep/db.sqlite3"),
        ("DATABASE_URL", "mysql://doorstep@db/doorstep"),
        ("REDIS_URL", ""),
        ("REDIS_URL", "notaurl"),
        ("REDIS_URL", "redis://"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
        ("FIELD_ENCRYPTION_KEY", ""),
        ("FIELD_ENCRYPTION_KEY", "notakey"),
        ("FIELD_ENCRYPTION_KEY", f"{KEY},notakey"),  # every key of the list is checked
        ("ID_NUMBER_HMAC_KEY", ""),
        ("ID_NUMBER_HMAC_KEY", "short"),
    ],
)
def test_production_refuses_what_is_missing_or_malformed_naming_it(variable, value):
    settings_from(PRODUCTION)  # the rest is fine
    with pytest.raises(ImproperlyConfigured, match=variable):
        settings_from({**PRODUCTION, variable: value})


def test_a_malformed_address_or_key_is_refused_in_development_too():
    for variable, value in [
        ("REDIS_URL", "notaurl"),
        ("PUBLIC_BASE_URL", "notaurl"),
        ("FIELD_ENCRYPTION_KEY", "notakey"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=variable):
            settings_from({variable: value})


def test_the_encryption_key_is_a_list_newest_first():
    other = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDA="
    assert settings_from({"FIELD_ENCRYPTION_KEY": f"{other}, {KEY}"})["FIELD_ENCRYPTION_KEY"] == [other, KEY]


def test_production_passes_the_deploy_checks_with_nothing_silenced():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        # Preloading HSTS is the deployer's choice (security.W021 asks for it); the rest as shipped.
        env=subprocess_env(**PRODUCTION, SECURE_HSTS_PRELOAD="true"),
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
    # Start-up (not the settings) made the runtime folders.
    assert (tmp_path / "static").is_dir()
    assert (tmp_path / "celery" / "doorstep" / "queue").is_dir()


def test_requests_are_not_atomic_and_sessions_expire(settings):
    assert settings.ATOMIC_REQUESTS is False
    assert (
        "ATOMIC_REQUESTS" not in settings.DATABASES["default"]
        or not settings.DATABASES["default"]["ATOMIC_REQUESTS"]
    )
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_importing_the_settings_creates_no_folder_and_sets_no_variable(tmp_path):
    code = (
        "import json, os; before = dict(os.environ); import config.settings; "
        "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))"
    )
    var_dir = tmp_path / "var"
    clean = {k: v for k, v in subprocess_env().items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        # DJANGO_SETTINGS_MODULE is set beforehand, as manage.py and celery set it.
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DOORSTEP_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert not var_dir.exists()

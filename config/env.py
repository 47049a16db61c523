"""Strict readers for settings taken from the environment.

A value that cannot be parsed stops start-up with a message naming the variable, instead of
silently falling back to a default (healthchecks' envbool does the same).
"""

import base64
import binascii
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_required(name: str, why: str) -> str:
    value = _raw(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set: {why}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_hhmm(name: str, default: str) -> tuple[int, int]:
    """A clock time such as 08:30, as (hour, minute)."""
    value = _raw(name) or default
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time like 08:30, not {value!r}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name} must be a time like 08:30, not {value!r}")
    return hour, minute


def env_http_url(name: str, default: str) -> str:
    """An absolute http(s) address such as https://doorstep.example.org."""
    value = _raw(name) or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address, not {value!r}")
    return value


def env_redis_url(name: str) -> str | None:
    """redis://host:6379/0, rediss://… or unix:///path/to/socket; None when unset."""
    value = _raw(name)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    well_formed = parts is not None and (
        (parts.scheme in ("redis", "rediss") and bool(parts.hostname))
        or (parts.scheme == "unix" and bool(parts.path))
    )
    if not well_formed:
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0, not {value!r}")
    if parts.scheme != "unix" and parts.path.strip("/") and not parts.path.strip("/").isdigit():
        raise ImproperlyConfigured(f"{name}'s database must be a number (redis://host:6379/0), not {value!r}")
    return value


def _urlsafe_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def env_fernet_keys(name: str, default: list[str]) -> list[str]:
    """Comma-separated Fernet keys (Fernet.generate_key()), newest first."""
    keys = env_list(name, default)
    for position, key in enumerate(keys, start=1):
        raw = _urlsafe_bytes(key)
        if raw is None or len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name} key {position} is not a Fernet key (32 url-safe base64-encoded bytes, "
                "from Fernet.generate_key())"
            )
    return keys


def env_hmac_key(name: str, default: str) -> str:
    """A secret of at least 32 bytes, url-safe base64-encoded (Fernet.generate_key() makes one)."""
    value = _raw(name) or default
    raw = _urlsafe_bytes(value)
    if raw is None or len(raw) < 32:
        raise ImproperlyConfigured(f"{name} must be at least 32 url-safe base64-encoded bytes")
    return value


def env_secret_key(name: str) -> str:
    """Production's secret key: long and varied, as `check --deploy` asks (security.W009)."""
    value = env_required(name, "production needs its own secret key")
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least 50 random characters, for example "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value

"""The public status page's safeguards (DESIGN §4.5): the signed token of the SMS link, and the
rate limit on guessing the last 4 digits of the phone.

The token is an HMAC of the reference made with django.core.signing and its own salt, so a token
opens one request's page and no other, and nobody without SECRET_KEY can make one. It is cut to
TOKEN_LENGTH characters to keep the SMS short (22 base64 characters are 132 bits).

Attempts at the digits are counted in the cache (Redis or the database cache, shared by every
web process) per reference and per client address, in fixed windows.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from residents.client_address import client_address

SALT = "requests.public.status-page"
KEY_SALT = "requests.public.attempts"
TOKEN_LENGTH = 22


def status_token(reference: str) -> str:
    return signing.Signer(salt=SALT).signature(reference)[:TOKEN_LENGTH]


def token_is_valid(reference: str, token: str | None) -> bool:
    if not token or len(token) != TOKEN_LENGTH:
        return False
    return constant_time_compare(status_token(reference), token)


def status_path(reference: str) -> str:
    return reverse("request_status:page", kwargs={"reference": reference})


def status_link(sr) -> str:
    """The link an SMS carries: PUBLIC_BASE_URL + /s/<reference>/?t=<token>."""
    return f"{settings.PUBLIC_BASE_URL}{status_path(sr.reference)}?t={status_token(sr.reference)}"


def phone_matches(sr, digits: str) -> bool:
    """The last 4 digits of the resident's phone; never for an anonymous or anonymised request."""
    resident = sr.resident if sr is not None else None
    if resident is None or resident.anonymised_at or not resident.phone:
        return False
    return len(digits) == 4 and constant_time_compare(resident.phone[-4:], digits)


@dataclass(frozen=True)
class Limits:
    per_reference: int
    per_address: int
    window_seconds: int


def limits() -> Limits:
    return Limits(
        per_reference=settings.STATUS_PAGE_ATTEMPTS_PER_REFERENCE,
        per_address=settings.STATUS_PAGE_ATTEMPTS_PER_ADDRESS,
        window_seconds=settings.STATUS_PAGE_ATTEMPT_WINDOW_SECONDS,
    )


def _count(key: str, window: int) -> int:
    """Add one attempt to `key`'s window and return the attempts so far (this one included)."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def _key(kind: str, value: str) -> str:
    """A short cache key for a reference or an address, free of user input."""
    return f"status-digits:{kind}:" + signing.Signer(salt=KEY_SALT).signature(value)[:22]


def attempt_allowed(request, reference: str) -> bool:
    """Count one attempt at the digits; False once the reference or the address used up its window."""
    rules = limits()
    by_reference = _count(_key("ref", reference.upper()), rules.window_seconds)
    by_address = _count(_key("addr", client_address(request)), rules.window_seconds)
    return by_reference <= rules.per_reference and by_address <= rules.per_address

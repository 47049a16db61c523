"""The pickup code (提取码, DESIGN §4.5): how a resident without a phone opens the status page.

A request logged without a phone to match (anonymous, or a resident who gave none) gets a random
4-digit code, printed on its receipt. The database keeps only an HMAC of the reference and the code
keyed with SECRET_KEY (SECRET_KEY_FALLBACKS still open codes made before a key rotation): 10,000
codes are too few for a plain hash, which anyone holding a copy of the database could reverse.

The code is shown once: the service that makes it hands it to the intake view, which keeps it in
the staff member's session for SHOW_SECONDS so the receipt page and its print views can show it;
after that nobody can read it back, and staff issue a new one (the old one stops working).
The status page checks a code exactly like the last 4 digits of a phone: the same form, the same
neutral answer when wrong, the same rate limit (requests.public.attempt_allowed).
"""

import secrets
import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "requests.pickup.code"
DIGITS = 4
SESSION_KEY = "pickup_codes"
SHOW_SECONDS = 3600


def needs_code(resident) -> bool:
    """A request for nobody, or for a resident without a phone, has no digits to ask for."""
    return resident is None or not resident.phone or bool(resident.anonymised_at)


def new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def code_hash(reference: str, code: str, *, secret=None) -> str:
    return salted_hmac(SALT, f"{reference}:{code}", secret=secret, algorithm="sha256").hexdigest()


def code_matches(sr, code: str) -> bool:
    """The request's pickup code; False for a request without one (and for no request)."""
    stored = getattr(sr, "pickup_code_hash", "") if sr is not None else ""
    if not stored or len(code) != DIGITS or not code.isdigit():
        return False
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(code_hash(sr.reference, code, secret=key), stored) for key in secret_keys
    )


# --- Shown once: the staff member's session holds the code for the receipt ---------------------


def remember(session, reference: str, code: str) -> None:
    codes = {ref: kept for ref, kept in session.get(SESSION_KEY, {}).items() if kept[1] > time.time()}
    codes[reference] = (code, time.time() + SHOW_SECONDS)
    session[SESSION_KEY] = codes


def recall(session, reference: str) -> str | None:
    """The code made in this session for `reference`, while it may still be shown."""
    kept = session.get(SESSION_KEY, {}).get(reference)
    if not kept or kept[1] <= time.time():
        return None
    return kept[0]

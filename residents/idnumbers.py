"""Resident ID numbers (居民身份证号): checked, encrypted at rest, found again by an HMAC."""

import base64
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalize_id_number(raw: str) -> str:
    text = (raw or "").strip().replace(" ", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a last digit or X."), code="format"
        )
    if _CHECK[sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS, strict=True)) % 11] != text[17]:
        raise ValidationError(_("This ID number's check digit is wrong. Check the digits."), code="checksum")
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(_("This ID number holds no valid birth date."), code="birth_date") from None
    return text


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def mask_id_number(id_number: str) -> str:
    return f"{id_number[:3]}{'*' * 11}{id_number[-4:]}" if id_number else ""


class UndecryptableIdNumber(ImproperlyConfigured):
    """A stored ID number that none of FIELD_ENCRYPTION_KEY's keys opens: the keys are wrong.

    Never read as an empty number: an empty value would look like "no ID number on file" and be
    saved back over the real one.
    """


def _keys() -> list[str]:
    keys = settings.FIELD_ENCRYPTION_KEY
    return [keys] if isinstance(keys, str) else list(keys)


def _fernet() -> MultiFernet:
    # The first key encrypts; every key decrypts (MultiFernet), so keys can rotate.
    return MultiFernet([Fernet(key.encode()) for key in _keys()])


def encrypt(id_number: str) -> str:
    return _fernet().encrypt(id_number.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableIdNumber(
            "A stored ID number cannot be decrypted with any key in FIELD_ENCRYPTION_KEY: "
            "the key that encrypted it is missing from the list."
        ) from None


def under_newest_key(token: str) -> bool:
    """Whether the first (newest) key opens this token, i.e. it needs no re-encryption."""
    try:
        Fernet(_keys()[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def fingerprint(id_number: str) -> str:
    """A keyed hash: equal ID numbers give equal fingerprints, and the key never leaves the server.

    Its key is ID_NUMBER_HMAC_KEY, not an encryption key, so that those can rotate. (Before that
    setting existed the key was derived the same way from FIELD_ENCRYPTION_KEY: an installation
    keeps its fingerprints by setting ID_NUMBER_HMAC_KEY to its old FIELD_ENCRYPTION_KEY.)
    """
    key = hashlib.sha256(
        b"doorstep-id-hmac:" + base64.urlsafe_b64decode(settings.ID_NUMBER_HMAC_KEY)
    ).digest()
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()

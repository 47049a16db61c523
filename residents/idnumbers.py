"""Resident ID numbers (居民身份证号): checked, encrypted at rest, found again by an HMAC."""

import base64
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
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


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt(id_number: str) -> str:
    return _fernet().encrypt(id_number.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def fingerprint(id_number: str) -> str:
    """A keyed hash: equal ID numbers give equal fingerprints, and the key never leaves the server."""
    key = hashlib.sha256(
        b"doorstep-id-hmac:" + base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY)
    ).digest()
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()

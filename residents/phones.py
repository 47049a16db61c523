"""Phone numbers: normalised to E.164 with `phonenumbers` (China by default), masked everywhere."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "CN"
_ALLOWED = re.compile(r"^[\d\s\-+().]+$")


def normalize_phone(raw: str) -> str:
    """'138 1234 5678', '+86 138-1234-5678', '0395-1234567' → E.164; a clear error otherwise."""
    text = (raw or "").strip().replace("\u3000", " ")
    text = text.translate(str.maketrans("０１２３４５６７８９＋－（）", "0123456789+-()"))
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if not _ALLOWED.match(text):
        raise ValidationError(
            _("A phone number may only contain digits, spaces, dashes and a leading +."), code="characters"
        )
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        raise ValidationError(_("This phone number is too short."), code="too_short")
    if len(digits) > 15:
        raise ValidationError(_("This phone number is too long."), code="too_long")
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 86 and digits.startswith("1") and len(digits) != 11:
            raise ValidationError(_("A mobile number in China has 11 digits."), code="length")
        if not is_possible(number):
            raise ValidationError(_("This phone number does not exist. Check the digits."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# China's mobile numbers: 11 digits from 13 to 19. Carriers open new ranges (149, 162, 192…) faster
# than phonenumbers' metadata learns them, so such a number is possible even when the metadata does
# not list its range. Landlines (an area code and a number) stay checked by the metadata.
_CHINA_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def is_possible(number: phonenumbers.PhoneNumber) -> bool:
    """Whether the number can exist: valid per the metadata, a China mobile number of a range the
    metadata may not know yet, or, abroad, a number of a possible length for its country."""
    if phonenumbers.is_valid_number(number):
        return True
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 86:
        return bool(_CHINA_MOBILE.match(national))
    return phonenumbers.is_possible_number(number)


def phone_warning(e164: str) -> str:
    """For a number normalize_phone accepted though the metadata does not know its range: what to
    say beside it (it is kept — only impossible numbers are refused). '' for a known number."""
    if not e164 or phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return ""
    return str(unverified_message())


def unverified_message():
    return _(
        "This number's range is not in the phone-number data yet. "
        "It was kept; check the digits with the resident."
    )


def is_mobile(e164: str) -> bool:
    if not e164:
        return False
    number = phonenumbers.parse(e164)
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def national_digits(e164: str) -> str:
    """The number as dialled at home: 13812345678 for +8613812345678."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    prefix = "" if number.country_code == 86 else f"+{number.country_code} "
    return prefix + phonenumbers.national_significant_number(number)


def mask_phone(e164: str) -> str:
    """138****5678: the first three and last four digits, the rest hidden."""
    if not e164:
        return ""
    digits = re.sub(r"\D", "", national_digits(e164).split(" ")[-1])  # without the country code
    prefix = "" if e164.startswith("+86") else national_digits(e164).split(" ")[0] + " "
    if len(digits) <= 7:
        return prefix + digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]

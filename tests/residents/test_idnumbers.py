"""Resident ID numbers: checked (length, check digit, X, birth date), encrypted at rest, found by HMAC."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from residents import idnumbers
from tests.residents.conftest import OTHER_VALID_ID, VALID_ID


def with_check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def test_a_valid_number_is_normalised():
    assert idnumbers.normalize_id_number(VALID_ID) == VALID_ID
    assert idnumbers.normalize_id_number(" 11010519491231002x ") == VALID_ID  # lower-case x
    assert idnumbers.normalize_id_number("110105 19491231 002X") == VALID_ID
    assert idnumbers.normalize_id_number(OTHER_VALID_ID) == OTHER_VALID_ID


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "format"),
        ("1101051949123100", "format"),
        ("11010519491231002XX", "format"),
        ("11010519491231002Y", "format"),
        ("X1010519491231002X", "format"),
        ("110105194912310021", "checksum"),
        ("110105194912310020", "checksum"),
        (with_check_digit("11010519491331002"), "birth_date"),
        (with_check_digit("11010519490230002"), "birth_date"),
    ],
)
def test_bad_numbers_are_refused(typed, code):
    with pytest.raises(ValidationError) as error:
        idnumbers.normalize_id_number(typed)
    assert error.value.code == code


def test_the_check_digit_can_be_x():
    assert VALID_ID.endswith("X")
    assert with_check_digit("11010519491231002") == VALID_ID


def test_birth_date_and_mask():
    assert idnumbers.birth_date(VALID_ID) == date(1949, 12, 31)
    assert idnumbers.birth_date(OTHER_VALID_ID) == date(1980, 1, 1)
    assert idnumbers.mask_id_number(VALID_ID) == "110***********002X"
    assert idnumbers.mask_id_number("") == ""


def test_encrypt_and_decrypt():
    token = idnumbers.encrypt(VALID_ID)
    assert VALID_ID not in token
    assert idnumbers.decrypt(token) == VALID_ID
    assert idnumbers.encrypt(VALID_ID) != token  # Fernet: a fresh IV each time
    assert idnumbers.decrypt("not-a-token") == ""


def test_a_token_made_with_another_key_cannot_be_read(settings):
    token = idnumbers.encrypt(VALID_ID)
    settings.FIELD_ENCRYPTION_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDA="
    assert idnumbers.decrypt(token) == ""


def test_fingerprints_are_equal_for_equal_numbers_and_keyed():
    assert idnumbers.fingerprint(VALID_ID) == idnumbers.fingerprint(VALID_ID)
    assert idnumbers.fingerprint(VALID_ID) != idnumbers.fingerprint(OTHER_VALID_ID)
    assert len(idnumbers.fingerprint(VALID_ID)) == 64
    import hashlib

    assert idnumbers.fingerprint(VALID_ID) != hashlib.sha256(VALID_ID.encode()).hexdigest()


def test_fingerprint_depends_on_the_key(settings):
    before = idnumbers.fingerprint(VALID_ID)
    settings.FIELD_ENCRYPTION_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDA="
    assert idnumbers.fingerprint(VALID_ID) != before


def test_the_resident_model_stores_it_encrypted(db):
    from tests.factories import ResidentFactory

    resident = ResidentFactory(birth_date=None)
    resident.set_id_number(VALID_ID)
    resident.save()
    resident.refresh_from_db()
    assert VALID_ID not in resident.id_number_encrypted
    assert resident.id_number() == VALID_ID
    assert resident.id_number_hmac == idnumbers.fingerprint(VALID_ID)
    assert resident.birth_date == date(1949, 12, 31)
    resident.set_id_number("")
    assert (resident.id_number_encrypted, resident.id_number_hmac, resident.id_number_masked) == ("", "", "")

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


OTHER_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDA="


def test_a_token_no_key_opens_is_a_loud_error_never_an_empty_number(settings):
    token = idnumbers.encrypt(VALID_ID)
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY]
    with pytest.raises(idnumbers.UndecryptableIdNumber, match="FIELD_ENCRYPTION_KEY"):
        idnumbers.decrypt(token)
    with pytest.raises(idnumbers.UndecryptableIdNumber):
        idnumbers.decrypt("not-a-token")


def test_keys_rotate_the_first_encrypts_and_every_one_decrypts(settings):
    old_key = settings.FIELD_ENCRYPTION_KEY[0]
    old_token = idnumbers.encrypt(VALID_ID)
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY, old_key]
    assert idnumbers.decrypt(old_token) == VALID_ID
    assert not idnumbers.under_newest_key(old_token)
    new_token = idnumbers.encrypt(VALID_ID)
    assert idnumbers.under_newest_key(new_token)
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY]  # the old key retired: new tokens still open
    assert idnumbers.decrypt(new_token) == VALID_ID


def test_fingerprints_are_equal_for_equal_numbers_and_keyed():
    assert idnumbers.fingerprint(VALID_ID) == idnumbers.fingerprint(VALID_ID)
    assert idnumbers.fingerprint(VALID_ID) != idnumbers.fingerprint(OTHER_VALID_ID)
    assert len(idnumbers.fingerprint(VALID_ID)) == 64
    import hashlib

    assert idnumbers.fingerprint(VALID_ID) != hashlib.sha256(VALID_ID.encode()).hexdigest()


def test_fingerprint_depends_on_its_own_key_not_on_the_encryption_keys(settings):
    before = idnumbers.fingerprint(VALID_ID)
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY]
    assert idnumbers.fingerprint(VALID_ID) == before
    settings.ID_NUMBER_HMAC_KEY = OTHER_KEY
    assert idnumbers.fingerprint(VALID_ID) != before


def test_development_fingerprints_are_those_derived_from_the_old_encryption_key(settings):
    # Before ID_NUMBER_HMAC_KEY existed the HMAC key came from FIELD_ENCRYPTION_KEY: databases made
    # then must keep finding their duplicates, so development's default gives the same values.
    import base64
    import hashlib
    import hmac

    development_key = "ZG9vcnN0ZXAtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="
    assert development_key == settings.ID_NUMBER_HMAC_KEY
    old_key = hashlib.sha256(b"doorstep-id-hmac:" + base64.urlsafe_b64decode(development_key)).digest()
    assert idnumbers.fingerprint(VALID_ID) == hmac.new(old_key, VALID_ID.encode(), hashlib.sha256).hexdigest()


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


def test_reencrypting_moves_every_number_to_the_newest_key_resumably_and_logs_no_number(db, settings, caplog):
    import logging

    from django.core.management import call_command

    from residents.models import Resident
    from tests.factories import ResidentFactory

    old_key = settings.FIELD_ENCRYPTION_KEY[0]
    residents = []
    for number in (VALID_ID, OTHER_VALID_ID):
        resident = ResidentFactory(birth_date=None)
        resident.set_id_number(number)
        resident.save()
        residents.append(resident)
    ResidentFactory()  # no ID number: left alone
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY, old_key]
    settings.ID_NUMBER_HMAC_KEY = OTHER_KEY

    # Stopped after the first resident: a second run carries on where it left off.
    call_command("reencrypt_id_numbers", "--batch-size=1", f"--after-id={residents[0].pk}")
    first, second = (Resident.objects.get(pk=r.pk) for r in residents)
    assert not idnumbers.under_newest_key(first.id_number_encrypted)
    assert idnumbers.under_newest_key(second.id_number_encrypted)

    caplog.set_level(logging.INFO, logger="residents.keyrotation")
    call_command("reencrypt_id_numbers", "--batch-size=1")
    settings.FIELD_ENCRYPTION_KEY = [OTHER_KEY]  # the old key can now be dropped
    for resident, number in zip(residents, (VALID_ID, OTHER_VALID_ID), strict=True):
        resident.refresh_from_db()
        assert resident.id_number() == number
        assert resident.id_number_hmac == idnumbers.fingerprint(number)
    assert "2 checked, 1 re-encrypted" in caplog.text  # the second was done by the first run
    assert VALID_ID not in caplog.text and OTHER_VALID_ID not in caplog.text
    assert VALID_ID[-4:] not in caplog.text

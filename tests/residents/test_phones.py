"""Phone numbers: every bad form refused with its own message, good ones normalised to E.164, masked."""

import pytest
from django.core.exceptions import ValidationError

from residents.phones import is_mobile, mask_phone, national_digits, normalize_phone


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("abc", "characters"),
        ("138一二三四5678", "characters"),
        ("138@1234#5678", "characters"),
        ("12345", "too_short"),
        ("123456", "too_short"),
        ("1234567890123456", "too_long"),
        ("+86 138 1234 5678 9999", "too_long"),
        ("1381234567", "length"),
        ("138123456789", "length"),
        ("99999999999", "invalid"),
        ("+86 12345678901", "invalid"),
        ("+999 1234567", "invalid"),
    ],
)
def test_every_bad_form_has_its_own_error(typed, code):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)
    assert error.value.code == code
    assert error.value.messages and error.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("(+86) 138 1234 5678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("＋８６　１３８－１２３４－５６７８", "+8613812345678"),
        (" 138.1234.5678 ", "+8613812345678"),
        ("0395-1234567", "+863951234567"),
        ("(0395) 1234567", "+863951234567"),
        ("+1 650 253 0000", "+16502530000"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_good_numbers_are_normalised_to_e164(typed, e164):
    assert normalize_phone(typed) == e164


def test_the_messages_are_translated(settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            normalize_phone("1381234567")
        assert error.value.messages == ["中国大陆手机号为11位。"]
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            normalize_phone("1381234567")
        assert error.value.messages == ["A mobile number in China has 11 digits."]


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("+863951234567", "395***4567"),
        ("+16502530000", "+1 650***0000"),
        ("+442079460958", "+44 207***0958"),
        ("", ""),
    ],
)
def test_mask_phone_hides_the_middle_digits(e164, masked):
    assert mask_phone(e164) == masked


def test_national_digits_and_mobile():
    assert national_digits("+8613812345678") == "13812345678"
    assert national_digits("+16502530000") == "+1 6502530000"
    assert is_mobile("+8613812345678")
    assert not is_mobile("+863951234567")
    assert not is_mobile("")

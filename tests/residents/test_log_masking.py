"""Log files never contain full phones or ID numbers (DESIGN §6)."""

import logging

import pytest

from residents.logfilter import MaskPersonalData, mask_text


def test_phones_and_id_numbers_are_masked_in_text():
    line = "called +8613912345678 and 139 1234 5678 about 11010519491231002X; ref BX-2026-000123"
    assert mask_text(line) == (
        "called +86139****5678 and 139****5678 about 110***********002X; ref BX-2026-000123"
    )


def test_dates_times_and_references_are_left_alone():
    line = "2026-11-28 08:30:00 BX-2026-000001 took 1234567 us"
    assert mask_text(line) == line


def test_the_filter_masks_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "sms to %s failed", ("+8613912345678",), None)
    try:
        raise ValueError("bad number 13912345678")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert MaskPersonalData().filter(record)
    assert record.getMessage() == "sms to +86139****5678 failed"
    assert "13912345678" not in record.exc_text
    assert "139****5678" in record.exc_text


def test_a_line_logged_anywhere_reaches_the_console_masked():
    import io

    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)
    ]
    assert handlers, "the root logger's console handler carries the masking filter"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    try:
        logging.getLogger("requests.sms").warning("resident 13912345678 opted out")
    finally:
        handlers[0].setStream(old)
    assert "139****5678" in stream.getvalue()
    assert "13912345678" not in stream.getvalue()


# --- Every form a phone or an ID number takes, and the numbers that are none -----------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("13912345678", "139****5678"),
        ("139-1234-5678", "139****5678"),
        ("+86 139 1234 5678", "+86 139****5678"),
        ("(+86) 139 1234 5678", "(+86) 139****5678"),
        ("008613912345678", "0086139****5678"),
        ("dialled 013912345678", "dialled 0139****5678"),
        ("１３９１２３４５６７８", "139****5678"),
        ("＋８６　１３９－１２３４－５６７８", "+86 139****5678"),
        ("电话１３９１２３４５６７８，请回电", "电话139****5678，请回电"),
        ("+863951234567", "+86395***4567"),
        ("+861012345678", "+8610****5678"),
        ("+86 10 1234 5678", "+86 10 ****5678"),
        ("0395-1234567", "0395-***4567"),
        ("03951234567", "0395***4567"),
        ("010-12345678", "010-****5678"),
        ("(010) 12345678", "(010) ****5678"),
        ("０３９５－１２３４５６７", "0395-***4567"),
        ("11010519491231002X", "110***********002X"),
        ("id 11010519491231002x.", "id 110***********002x."),
        ("411102198001011230", "411***********1230"),
        ("110105491231002", "110*********002"),
    ],
)
def test_every_form_of_a_phone_or_an_id_number_is_masked(line, masked):
    assert mask_text(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        "request BX-2026-000123 assigned",
        "imported 1234567 of 12345678 rows",
        "2026-11-28 08:30:00,123 INFO took 1234567 us",
        "2026-11-28T08:30:00.123456+08:00",
        "epoch 1732768200, ms 1732768200123, us 1732768200123456",
        '(0.002) SELECT "residents_resident"."id" FROM "residents_resident" '
        'WHERE "residents_resident"."id" = 12345678901 LIMIT 21; args=(12345678901, 21); alias=default',
        "task 3f2a1b0c-0395-4a1b-9c2d-0a0123456789 succeeded",
        "page 2 of 20（共１０户）",
        "sha 0a39512345678f9e",
    ],
)
def test_ordinary_numbers_are_left_alone(line):
    assert mask_text(line) == line

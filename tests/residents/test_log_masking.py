"""Log files never contain full phones or ID numbers (DESIGN §6)."""

import logging

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

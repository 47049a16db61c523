"""A logging filter that masks phone numbers and ID numbers in every log line (DESIGN §6)."""

import logging
import re

# Full-width digits (１３９…) are digits to a reader: match on a half-width copy of the line.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９＋－（）\u3000", "0123456789+-() ")

# ID numbers first, so their digits are not taken for a phone: 18 characters, the last may be X,
# then the old 15-digit ones, which need a yymmdd birth date so that a long count is left alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])", re.ASCII)
_OLD_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([1-8]\d{2})\d{5}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(\d{3})(?![0-9A-Za-z])",
    re.ASCII,
)
# Mobiles: 139 1234 5678, after +86, 0086, 86 or a dialled 0, in groups or not.
_MOBILE = re.compile(r"(?<!\d)((?:\(?(?:\+|00)?86\)?[ -]?|0)?1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)", re.ASCII)
# Landlines need +86 (0086) or a leading 0 before the area code (10, 2x, or three digits),
# which keeps ordinary long numbers out; 7-8 digits follow, all but the last four hidden.
_LANDLINE = re.compile(
    r"(?<![\w+])((?:(?:\+|00)86[ -]?|\(?0)(?:10|2\d|[3-9]\d\d)\)?[ -]?)(\d{3,4})[ -]?(\d{4})(?!\w)", re.ASCII
)


def mask_text(text: str) -> str:
    plain = text.translate(_HALF_WIDTH)
    masked = _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[2]}", plain)
    masked = _OLD_ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 9}{m[2]}", masked)
    masked = _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", masked)
    masked = _LANDLINE.sub(lambda m: f"{m[1]}{'*' * len(m[2])}{m[3]}", masked)
    return text if masked == plain else masked  # a line with nothing to mask is left exactly as it was


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True

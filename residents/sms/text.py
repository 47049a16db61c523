"""What an SMS says and how many segments it costs (DESIGN §4.5).

A text made only of GSM-7 characters costs 160 septets for one segment and 153 per segment beyond
(the basic set's characters one septet each, the extension table's two); anything else goes as UCS-2:
70 UTF-16 code units for one segment, 67 per segment beyond. The community's signature 【…】 is part
of the text and counts.
"""

import math
import string

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def length_units(text: str) -> tuple[str, int]:
    """("gsm7", septets) or ("ucs2", UTF-16 code units)."""
    if is_gsm7(text):
        return "gsm7", sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    encoding, units = length_units(text)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == "gsm7" else (UCS2_SINGLE, UCS2_MULTI)
    if units <= single:
        return 1
    return math.ceil(units / multi)


class _Params(dict):
    """Missing placeholders render empty rather than failing a whole transaction."""

    def __missing__(self, key):
        return ""


def fill(template: str, params: dict) -> str:
    """Fill {name} placeholders; a stray brace in an admin-edited template is printed as it is."""
    try:
        return string.Formatter().vformat(template, (), _Params({k: str(v) for k, v in params.items()}))
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def with_signature(signature: str, body: str) -> str:
    body = body.strip()
    return f"【{signature}】{body}" if signature else body

"""Building, unit and room: one stored form whichever way a file or a person writes them.

A building is stored as its number ("9"), whether written 9, 9号楼, 9栋, 9幢, 9#, 第9栋 or 九号楼; a unit
as "2" for 2, 2单元 or 二单元; a room as "504" for 504, 504室 or 504号. What is not a number (A座, 东配楼,
3-1) is kept as written. `building_text` and friends put the words back for display — the address on
the resident page, in the directory and in a roster preview is made by the same code.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100}
_CHINESE_NUMBER = re.compile(r"^[零〇一二两三四五六七八九十百]+$")
_NUMBER = re.compile(r"^[0-9]+[A-Za-z]?$")  # 9, 12, 9A

_BUILDING = re.compile(r"^第?(?P<n>.+?)(?:号楼|号栋|栋|幢|座楼|楼|号|#楼|#)$")
_UNIT = re.compile(r"^第?(?P<n>.+?)(?:单元|门洞|门)$")
_ROOM = re.compile(r"^(?P<n>.+?)(?:室|号|房)$")


def chinese_number(text: str) -> int | None:
    """九 → 9, 十二 → 12, 二十一 → 21, 一百零一 → 101, 五零四 → 504 (digit by digit); None otherwise."""
    if not text or not _CHINESE_NUMBER.match(text):
        return None
    if not any(c in _UNITS for c in text):  # 五零四: read digit by digit
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    return total + (digit or 0)


def _number(text: str) -> str | None:
    """A number as stored: '09' stays '09' (a room may be written so), 九 → '9', 9A → '9A'."""
    if _NUMBER.match(text):
        return text.upper()
    value = chinese_number(text)
    return None if value is None else str(value)


def _normalise(text, pattern: re.Pattern) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().replace(" ", "")
    if not text:
        return ""
    number = _number(text)
    if number is not None:
        return number
    match = pattern.match(text)
    if match:
        number = _number(match["n"])
        if number is not None:
            return number
    return text


def normalize_building(text) -> str:
    return _normalise(text, _BUILDING)


def normalize_unit(text) -> str:
    return _normalise(text, _UNIT)


def normalize_room(text) -> str:
    return _normalise(text, _ROOM)


NORMALISERS = {"building": normalize_building, "unit": normalize_unit, "room": normalize_room}


def _with_words(value: str, words: str) -> str:
    """'9' → '9号楼' (the words in the reader's language); 'A座' stays 'A座'."""
    if not value:
        return ""
    return words % {"n": value} if _NUMBER.match(value) else value


def address_text(*, compound: str = "", building: str = "", unit: str = "", room: str = "") -> str:
    """冶金厂家属院 9号楼 2单元 504室 (in English: Building 9 Unit 2 Room 504)."""
    parts = [
        compound,
        _with_words(building, _("Building %(n)s")),
        _with_words(unit, _("Unit %(n)s")),
        _with_words(room, _("Room %(n)s")),
    ]
    return " ".join(part for part in parts if part)

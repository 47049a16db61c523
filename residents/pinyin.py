"""Every pinyin reading of a name, so 曾 is found as zeng and ceng, and 王玉枝 as wyz."""

from itertools import islice, product

from pypinyin import Style, pinyin

MAX_READINGS = 32  # a name with many heteronyms would otherwise explode


def name_readings(name: str) -> str:
    """'wangyuzhi wyz' — full readings and initials, lower case, space separated, no duplicates."""
    name = (name or "").strip()
    if not name:
        return ""
    syllables = pinyin(
        name, style=Style.NORMAL, heteronym=True, errors=lambda chars: [c.lower() for c in chars]
    )
    choices = [[s.lower() for s in options if s] or [""] for options in syllables]
    readings: list[str] = []
    for combo in islice(product(*choices), MAX_READINGS):
        for word in ("".join(combo), "".join(part[:1] for part in combo)):
            word = "".join(ch for ch in word if ch.isascii() and ch.isalnum())
            if word and word not in readings:
                readings.append(word)
    return " ".join(readings)

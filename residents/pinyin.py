"""Every pinyin reading of a name, so 曾 is found as zeng and ceng, 王玉枝 as wyz, 曾小明 as zengxm.

The words of a name's readings, space separated, lower case, most common reading first:

- whole syllables: the full reading (zengxiaoming) and the surname's reading alone (zeng);
- abbreviations, marked with a leading ":": the initials (:zxm) and the surname in full with the
  given name's initials (:zengxm), as people often type it.

A search matches any part of any word (LIKE '%…%', served by the trigram index; the marker is not a
letter, so it takes no part in trigrams). The marker lets residents.selectors rank what was typed:
a whole-syllable word first (wang: 王玉枝), then an abbreviation (:wang is 万刚's wan + g), then a
word's prefix (wangang), then the rest — so `wang` lists 王 before 万.

The readings of a name with many heteronyms are cut at MAX_LENGTH characters (the column's size),
whole words only, the most common readings kept.
"""

from itertools import islice, product

from pypinyin import Style, pinyin

MAX_READINGS = 32  # a name with many heteronyms would otherwise explode
MAX_LENGTH = 400  # Resident.name_pinyin's max_length
ABBREVIATION = ":"  # marks initials and surname + initials


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def _clean(word: str) -> str:
    return "".join(ch for ch in word if ch.isascii() and ch.isalnum())


def reading_words(name: str) -> list[str]:
    """The words name_readings joins, without duplicates, in the order they are kept."""
    name = (name or "").strip()
    if not name:
        return []
    # A run of other characters (Latin letters, digits) is one "syllable", lower-cased.
    syllables = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda chars: [chars.lower()])
    choices = [[_clean(s.lower()) for s in options if s] or [""] for options in syllables]
    choices = [options for options in choices if any(options)]
    han = any(_is_han(ch) for ch in name)
    words: list[str] = []
    for combo in islice(product(*choices), MAX_READINGS):
        initials = "".join(part[:1] for part in combo)
        forms = ["".join(combo)]
        if han:
            forms.append(ABBREVIATION + initials)
        if han and len(combo) > 1:
            forms.append(ABBREVIATION + combo[0] + initials[1:])  # :zengxm
            forms.append(combo[0])  # zeng
        for word in forms:
            if word.strip(ABBREVIATION) and word not in words:
                words.append(word)
    return words


def name_readings(name: str) -> str:
    """'wangyuzhi :wyz :wangyz wang' — see the module's docstring; at most MAX_LENGTH characters."""
    kept: list[str] = []
    length = -1
    for word in reading_words(name):
        if length + 1 + len(word) > MAX_LENGTH:
            continue
        kept.append(word)
        length += 1 + len(word)
    return " ".join(kept)

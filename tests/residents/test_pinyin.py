"""Every pinyin reading of a name, full and initials, so desk staff find 曾 as zeng and as ceng."""

from residents.pinyin import MAX_READINGS, name_readings


def readings(name):
    return name_readings(name).split()


def test_full_readings_and_initials_lower_case():
    words = readings("王玉枝")
    assert words[:2] == ["wangyuzhi", "wyz"]
    assert all(word == word.lower() and word.isascii() for word in words)


def test_heteronym_surnames_have_every_reading():
    assert {"zengguoqiang", "cengguoqiang", "zgq", "cgq"} <= set(readings("曾国强"))
    assert {"shanxiuying", "danxiuying", "sxy", "dxy"} <= set(readings("单秀英"))
    assert {"xiexiaodong", "jiexiaodong", "xxd", "jxd"} <= set(readings("解晓东"))


def test_no_duplicates_and_a_bounded_number():
    words = readings("单单单单单单单单")
    assert len(words) == len(set(words))
    assert len(words) <= 2 * MAX_READINGS
    assert len(name_readings("单单单单单单单单")) <= 400  # fits Resident.name_pinyin


def test_latin_letters_digits_and_empty_names():
    assert readings("Anna 李")[0] == "annali"
    assert name_readings("") == ""
    assert name_readings("   ") == ""
    assert name_readings(None) == ""
    assert "·" not in name_readings("阿依古丽·买买提")

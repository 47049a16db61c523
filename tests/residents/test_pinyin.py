"""Every pinyin reading of a name, full and initials, so desk staff find 曾 as zeng and as ceng."""

from residents.pinyin import ABBREVIATION, MAX_READINGS, name_readings


def readings(name):
    """The words, abbreviations without their marker."""
    return [word.lstrip(ABBREVIATION) for word in name_readings(name).split()]


def test_full_readings_and_initials_lower_case():
    words = readings("王玉枝")
    assert words[:4] == ["wangyuzhi", "wyz", "wangyz", "wang"]
    assert all(word == word.lower() and word.isascii() for word in words)


def test_whole_syllables_plain_abbreviations_marked():
    """Initials and surname + initials carry the marker, so a ranking can tell `wang` typed for 王
    (the whole syllable) from `wang` typed for 万刚 (wan + g)."""
    assert name_readings("王玉枝").split()[:4] == ["wangyuzhi", ":wyz", ":wangyz", "wang"]
    assert name_readings("万刚").split()[:4] == ["wangang", ":wg", ":wang", "wan"]
    assert name_readings("王").split()[:2] == ["wang", ":w"]


def test_surname_in_full_and_the_given_names_initials():
    assert {"zengxiaoming", "zengxm", "zxm", "zeng"} <= set(readings("曾小明"))
    assert {"cengxiaoming", "cengxm"} <= set(readings("曾小明"))


def test_heteronym_surnames_have_every_reading():
    assert {"zengguoqiang", "cengguoqiang", "zgq", "cgq"} <= set(readings("曾国强"))
    assert {"shanxiuying", "danxiuying", "sxy", "dxy"} <= set(readings("单秀英"))
    assert {"xiexiaodong", "jiexiaodong", "xxd", "jxd"} <= set(readings("解晓东"))


def test_many_heteronyms_fit_the_column_whole_words_first_readings_kept():
    for name in ("于其恒", "阿依古丽·买买提", "单解曾朴区仇", "长乐朝阳重行"):
        reading = name_readings(name)
        assert len(reading) <= 400
        assert reading.split()[0] == readings(name)[0]  # the most common reading comes first
        assert all(word.lstrip(ABBREVIATION).isalnum() for word in reading.split())


def test_latin_names_have_no_initials():
    assert name_readings("Anna") == "anna"


def test_no_duplicates_and_a_bounded_number():
    words = readings("单单单单单单单单")
    assert len(words) == len(set(words))
    assert len(words) <= 4 * MAX_READINGS
    assert len(name_readings("单单单单单单单单")) <= 400  # fits Resident.name_pinyin


def test_latin_letters_digits_and_empty_names():
    assert readings("Anna 李")[0] == "annali"
    assert name_readings("") == ""
    assert name_readings("   ") == ""
    assert name_readings(None) == ""
    assert "·" not in name_readings("阿依古丽·买买提")

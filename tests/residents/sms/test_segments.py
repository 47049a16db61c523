"""Segments at the boundaries (DESIGN §4.5): 70 / 67 for Chinese, 160 / 153 for GSM-7, signature
included; the extension table's characters cost two septets."""

import pytest

from residents.sms.text import fill, segment_count, with_signature


@pytest.mark.parametrize(
    "length, segments", [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_chinese(length, segments):
    assert segment_count("字" * length) == segments


@pytest.mark.parametrize(
    "length, segments", [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7(length, segments):
    assert segment_count("a" * length) == segments


def test_the_signature_counts():
    assert segment_count(with_signature("滨西社区", "字" * 64)) == 1  # 【滨西社区】 is 6 more: 70
    assert segment_count("字" * 65) == 1
    assert segment_count(with_signature("滨西社区", "字" * 65)) == 2  # 71


def test_extension_characters_cost_two_and_one_non_gsm_character_makes_it_ucs2():
    assert segment_count("a" * 158 + "€") == 1  # 160 septets
    assert segment_count("a" * 159 + "€") == 2
    assert segment_count("a" * 70 + "é") == 1  # é is GSM-7
    assert segment_count("a" * 70 + "，") == 2  # a full-width comma is not: UCS-2, 71 > 70


def test_an_emoji_is_two_code_units():
    assert segment_count("字" * 68 + "😀") == 1
    assert segment_count("字" * 69 + "😀") == 2


def test_fill_tolerates_missing_placeholders_and_stray_braces():
    assert fill("编号{reference}{missing}", {"reference": "BX-1"}) == "编号BX-1"
    assert fill("坏{模板", {"reference": "BX-1"}) == "坏{模板"

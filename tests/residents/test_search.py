"""Search as desk staff type on a phone: digits, part of a name, pinyin, initials, addresses."""

import pytest
from django.utils import timezone

from residents.scoping import places
from residents.selectors import resident_search
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def found(user, q, **filters):
    return [resident.name for resident in resident_search(user=user, q=q, **filters)]


@pytest.mark.parametrize(
    "typed",
    ["5678", "1234", "13912", "39123456", "13912345678", "+86 139 1234 5678", "139-1234-5678", "５６７８"],
)
def test_digits_find_the_phone(alice, people, typed):
    assert found(alice, typed) == ["王玉枝"]


def test_the_last_four_digits_of_each_resident(alice, people):
    assert found(alice, "1111") == ["曾国强"]
    assert found(alice, "2222") == ["单秀英"]
    assert found(alice, "3333") == ["解晓东"]


@pytest.mark.parametrize("typed", ["王玉枝", "王", "玉枝", "玉"])
def test_part_of_the_chinese_name(alice, people, typed):
    assert found(alice, typed) == ["王玉枝"]


@pytest.mark.parametrize("typed", ["wangyuzhi", "wang", "yuzhi", "WangYuZhi", "wyz", "ｗｙｚ"])
def test_pinyin_full_or_initials(alice, people, typed):
    assert found(alice, typed) == ["王玉枝"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("zeng", "曾国强"),
        ("ceng", "曾国强"),
        ("zgq", "曾国强"),
        ("cgq", "曾国强"),
        ("shan", "单秀英"),
        ("dan", "单秀英"),
        ("shanxiuying", "单秀英"),
        ("danxiuying", "单秀英"),
        ("sxy", "单秀英"),
        ("xie", "解晓东"),
        ("jie", "解晓东"),
        ("xiexiaodong", "解晓东"),
        ("jiexiaodong", "解晓东"),
        ("jxd", "解晓东"),
    ],
)
def test_heteronym_surnames_are_found_by_every_reading(alice, people, typed, name):
    assert found(alice, typed) == [name]


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("3-501", ["王玉枝"]),
        ("3-2-501", ["王玉枝"]),
        ("3号楼", ["王玉枝"]),
        ("3栋", ["王玉枝"]),
        ("501室", ["王玉枝"]),
        ("3号楼501", ["王玉枝"]),
        ("3号楼2单元501室", ["王玉枝"]),
        ("501", ["王玉枝"]),
        ("冶金厂家属院", ["王玉枝", "曾国强"]),
        ("冶金厂", ["王玉枝", "曾国强"]),
        ("滨河小区", ["单秀英", "解晓东"]),
        ("冶金厂家属院3号楼", ["王玉枝"]),
        ("滨河小区 7号楼", ["解晓东"]),
        ("冶金厂家属院 zgq", ["曾国强"]),
    ],
)
def test_building_room_and_compound(alice, people, typed, names):
    assert sorted(found(alice, typed)) == sorted(names)


def test_a_building_stored_with_its_suffix_is_found_too(alice, binxi):
    ResidentFactory(community=binxi, name="刘桂兰", building="9号楼", room="302")
    assert found(alice, "9-302") == ["刘桂兰"]
    assert found(alice, "9号楼") == ["刘桂兰"]


def test_a_landline_typed_with_its_trunk_zero(alice, binxi):
    ResidentFactory(community=binxi, name="刘桂兰", phone="+863951234567")
    assert found(alice, "0395-1234567") == ["刘桂兰"]
    assert found(alice, "1234567") == ["刘桂兰"]


def test_nothing_of_another_community_is_found(bob, people):
    for typed in ("wyz", "王玉枝", "5678", "3-501", "冶金厂家属院", ""):
        assert found(bob, typed) == []


def test_anonymised_residents_are_left_out_unless_asked_for(alice, people):
    people.wang.anonymised_at = timezone.now()
    people.wang.save()
    assert found(alice, "5678") == []
    assert "王玉枝" not in found(alice, "")
    assert found(alice, "5678", include_anonymised=True) == ["王玉枝"]


def test_exact_and_prefix_matches_come_first(alice, binxi):
    ResidentFactory(community=binxi, name="李王芳", phone="+8613700005678")
    ResidentFactory(community=binxi, name="王伟", phone="+8613756780000")
    assert found(alice, "王") == ["王伟", "李王芳"]
    # the phone that ends in the digits before the one that only contains them
    assert found(alice, "5678") == ["李王芳", "王伟"]
    ResidentFactory(community=binxi, name="万一", phone="+8613100000001")
    # "wy" is 万一's whole initials; 王伟 ("ww") does not match
    assert found(alice, "wy")[0] == "万一"


def test_a_whole_syllable_ranks_before_letters_that_only_begin_a_reading(alice, binxi):
    """`wang` lists 王 (the syllable wang) before 万刚 (wan + g typed whole), and both before a name
    that only holds the letters (李望, liwang)."""
    ResidentFactory(community=binxi, name="万刚")
    ResidentFactory(community=binxi, name="王伟")
    ResidentFactory(community=binxi, name="李望")
    assert found(alice, "wang") == ["王伟", "万刚", "李望"]
    assert found(alice, "wan") == ["万刚", "王伟", "李望"]


@pytest.mark.parametrize("typed", ["zengxm", "zengxiaom", "zxm", "zengxiaoming", "zeng", "cengxm"])
def test_full_pinyin_initials_and_both_mixed(alice, binxi, typed):
    ResidentFactory(community=binxi, name="曾小明")
    ResidentFactory(community=binxi, name="曾宪民")  # zengxianmin, zxm too
    names = found(alice, typed)
    assert "曾小明" in names
    if typed in ("zengxiaom", "zengxiaoming"):
        assert names == ["曾小明"]


def test_initials_typed_whole_rank_before_a_prefix(alice, binxi):
    ResidentFactory(community=binxi, name="张建国")  # :zjg
    ResidentFactory(community=binxi, name="张佳国栋")  # :zjgd — zjg only begins it
    assert found(alice, "zjg") == ["张建国", "张佳国栋"]


def test_filters_by_grid_compound_flags_and_community(alice, people, binxi):
    assert sorted(found(alice, "", grid_id=people.second_grid.pk)) == ["单秀英", "解晓东"]
    assert sorted(found(alice, "", compound="冶金厂家属院")) == ["曾国强", "王玉枝"]
    assert found(alice, "", flags=["lives_alone"]) == ["王玉枝"]
    assert found(alice, "", flags=["limited_mobility", "lives_alone"]) == []
    assert found(alice, "", flags=["not_a_flag"]) == found(alice, "")
    assert len(found(alice, "", community_id=binxi.pk)) == 4
    assert found(alice, "", community_id=binxi.pk + 1000) == []


def test_every_word_must_match(alice, people):
    assert found(alice, "王 5678") == ["王玉枝"]
    assert found(alice, "王 1111") == []


def test_results_read_grid_and_community_in_one_query(alice, people, django_assert_num_queries):
    places(alice)  # the memberships, read once per request
    with django_assert_num_queries(1):
        rows = list(resident_search(user=alice, q="wang"))
        assert [(r.grid.name, r.community.name) for r in rows] == [("第一网格", "滨西社区")]


def test_latin_names_are_found_in_any_case(alice, binxi):
    ResidentFactory(community=binxi, name="Anna 李")
    assert found(alice, "anna") == ["Anna 李"]
    assert found(alice, "ANNA") == ["Anna 李"]

"""The request list's search by what was typed (requests/selectors/search.py): a reference in any
spelling, its number, a hotline reference, phone digits, a name or pinyin (full, initials, mixed),
descriptions only when asked; and the count that stops at a bound."""

import pytest
from django.urls import reverse

from requests import selectors
from requests.models import ServiceRequest
from requests.selectors import ListFilters
from requests.selectors.search import reference_candidates
from requests.views.common import BoundedPaginator
from tests.factories import ResidentFactory
from tests.requests.conftest import logged
from tests.requests.views_support import EN, as_user

__all__ = ["as_user"]  # fixtures


def found(world, text, user=None, **filters):
    rows = selectors.request_list(user=user or world.supervisor, filters=ListFilters(q=text, **filters))
    return {sr.reference for sr in rows}


@pytest.fixture
def three(world):
    """王玉枝's request, 曾小明's (phone ending 4321) and 张建国's (phone holding 5678 inside)."""
    zeng = ResidentFactory(community=world.binxi, name="曾小明", phone="+8613800004321")
    zhang = ResidentFactory(community=world.binxi, name="张建国", phone="+8613756781111")
    return (
        logged(world, description="楼道灯不亮"),
        logged(world, resident=zeng, description="门前路面积水"),
        logged(world, resident=zhang, description="申请二孩补贴"),
    )


def test_a_reference_in_any_spelling(world, three):
    first = three[0]
    code, year, number = first.reference.split("-")
    for typed in (
        first.reference,
        first.reference.lower(),
        f" {first.reference} ",
        f"{code}{year}{number}",
        f"{code.lower()} {year} {int(number)}",
        f"{code}-{year}-{int(number)}",
        "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in first.reference),  # full width
    ):
        assert found(world, typed) == {first.reference}, typed


def test_a_reference_number_alone_or_with_its_year(world, three):
    first = three[0]
    code, year, number = first.reference.split("-")
    assert found(world, number) == {first.reference}
    assert found(world, str(int(number))) == {first.reference}  # 1 → BX-2026-000001
    assert found(world, f"{year}-{int(number)}") == {first.reference}
    assert found(world, f"{year}{number}") == {first.reference}
    # another community's number is not looked up (the user's codes only)
    assert not {c for c in reference_candidates(user=world.supervisor, text="1") if c.startswith("BD-")}


def test_a_hotline_reference_exactly(world, three):
    ServiceRequest.objects.filter(pk=three[2].pk).update(hotline_reference="12345-20261202-0077")
    assert found(world, "12345-20261202-0077") == {three[2].reference}
    assert found(world, "20261202-0077") == set()


def test_phone_digits_find_the_residents_requests(world, three):
    wang, zeng, zhang = three
    assert found(world, "4321") == {zeng.reference}  # the last 4
    assert found(world, "5678") == {wang.reference, zhang.reference}  # 王玉枝's ends so; 张建国's holds it
    assert found(world, "138 0000 4321") == {zeng.reference}
    assert found(world, "+86 138-0000-4321") == {zeng.reference}
    assert found(world, "432") == set()  # three digits are a reference number, not a phone


def test_digits_that_are_both_a_number_and_phone_digits_find_both(world, three):
    wang, zeng, zhang = three
    number = int(zhang.reference.rsplit("-", 1)[1])
    ResidentFactory(community=world.binxi, name="李四", phone=f"+861380000{number:04d}")
    lee = logged(world, resident=world.binxi.residents.get(name="李四"))
    assert found(world, f"{number:04d}") == {zhang.reference, lee.reference}


def test_names_and_every_kind_of_pinyin(world, three):
    wang, zeng, zhang = three
    assert found(world, "曾小") == {zeng.reference}
    assert found(world, "小明") == {zeng.reference}
    for typed in ("zengxiaoming", "zxm", "zengxm", "ZengXM", "zeng", "cengxm", "xiaoming"):
        assert found(world, typed) == {zeng.reference}, typed
    assert found(world, "wyz") == {wang.reference}
    assert found(world, "张 jg") == {zhang.reference}  # every word must match
    assert found(world, "张 xm") == set()


def test_another_communitys_namesake_is_not_found(world, three):
    stranger = ResidentFactory(community=world.bindong, name="曾小明", phone="+8613800004321")
    theirs = logged(world, actor=world.outsider, community=world.bindong, resident=stranger)
    assert theirs.reference not in found(world, "曾小明")
    assert theirs.reference not in found(world, "4321")
    assert found(world, "曾小明", user=world.outsider) == {theirs.reference}


def test_descriptions_only_when_asked(world, three):
    assert found(world, "积水") == set()
    assert found(world, "积水", descriptions=True) == {three[1].reference}
    assert found(world, "曾小明", descriptions=True) == {three[1].reference}


def test_the_list_page_searches_descriptions_with_the_box_ticked(world, three, as_user):
    client = as_user(world.supervisor)
    page = client.get(reverse("requests:list"), {"q": "二孩", "descriptions": "on"}).content.decode()
    assert three[2].reference in page and three[0].reference not in page
    assert 'name="descriptions" value="on" id="f-descriptions" checked' in page
    assert three[2].reference not in client.get(reverse("requests:list"), {"q": "二孩"}).content.decode()


def test_nonsense_finds_nothing_and_never_fails(world, three):
    for typed in ("%", "_", ":", "'", "bx-", "-", "2026-", "9" * 60, "zz" * 30):
        assert found(world, typed) == set(), typed


def test_the_count_stops_at_its_bound(world, monkeypatch, as_user):
    for n in range(5):
        logged(world, description=f"第{n}件")
    rows = selectors.request_list(user=world.supervisor)
    paginator = BoundedPaginator(rows, 2, bound=3)
    assert paginator.count == 3 and paginator.more and paginator.num_pages == 2
    exact = BoundedPaginator(rows, 2, bound=5)
    assert exact.count == 5 and not exact.more
    monkeypatch.setattr("requests.views.common.COUNT_BOUND", 3)
    html = as_user(world.supervisor).get(reverse("requests:list"), **EN).content.decode()
    assert "3+ requests" in html

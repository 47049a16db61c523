"""The directory and its as-you-type search fragment: masked phones, scoping, paging, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import GridFactory, ResidentFactory, member

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FULL_PHONES = ("+8613912345678", "13912345678", "+8613800001111", "13800001111")


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_masked(html: str) -> None:
    for phone in FULL_PHONES:
        assert phone not in html
    assert "139****5678" in html


def test_the_directory_lists_residents_with_masked_phones(as_user, alice, people):
    html = html_of(as_user(alice).get(reverse("residents:list")))
    assert_masked(html)
    for name in ("王玉枝", "曾国强", "单秀英", "解晓东"):
        assert name in html
    assert "冶金厂家属院 3号楼 2单元 501室" in html
    assert "独居老人" in html  # the flag
    assert 'hx-get="/residents/search/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert reverse("residents:create") in html  # a supervisor may add


def test_the_search_fragment_is_a_fragment_with_masked_phones(as_user, alice, people):
    response = as_user(alice).get(reverse("residents:search"), {"q": "wyz"}, **HTMX)
    html = html_of(response)
    assert "<html" not in html
    assert "王玉枝" in html
    assert "曾国强" not in html
    assert_masked(html)
    assert reverse("residents:detail", args=[people.wang.pk]) in html
    assert f'data-resident-id="{people.wang.pk}"' in html
    assert "HX-Request" in response["Vary"]


def test_the_search_is_a_whole_page_without_htmx(as_user, alice, people):
    html = html_of(as_user(alice).get(reverse("residents:search"), {"q": "5678"}))
    assert "<html" in html
    assert "王玉枝" in html
    assert_masked(html)


def test_an_empty_box_outside_the_directory_gives_a_hint_not_the_register(as_user, alice, people):
    html = html_of(as_user(alice).get(reverse("residents:search"), {"q": ""}, **HTMX))
    assert "王玉枝" not in html
    assert "拼音首字母" in html
    html = html_of(as_user(alice).get(reverse("residents:search"), {"q": "", "browse": "1"}, **HTMX))
    assert "王玉枝" in html and "曾国强" in html


def test_the_directory_searches_and_filters_without_javascript(as_user, alice, people):
    client = as_user(alice)
    html = html_of(client.get(reverse("residents:list"), {"q": "zeng"}))
    assert "曾国强" in html and "王玉枝" not in html
    html = html_of(client.get(reverse("residents:list"), {"grid": people.second_grid.pk}))
    assert "单秀英" in html and "王玉枝" not in html
    html = html_of(client.get(reverse("residents:list"), {"flags": "limited_mobility"}))
    assert "解晓东" in html and "单秀英" not in html
    html = html_of(client.get(reverse("residents:list"), {"compound": "滨河小区"}))
    assert "单秀英" in html and "曾国强" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"grid": "abc"},
        {"community": "-1"},
        {"flags": "nope"},
        {"page": "x"},
        {"page": "999"},
        {"q": "x" * 500},
        {"grid": "99999999999999999999999"},
        {"q": "王\x00"},
        {"compound": "\x00"},
        {"q": "%_\\"},
        {"pick": "\x00", "q": "wyz"},
    ],
)
def test_bad_query_strings_never_break_the_page(as_user, alice, people, query):
    assert as_user(alice).get(reverse("residents:list"), query).status_code == 200
    assert as_user(alice).get(reverse("residents:search"), query, **HTMX).status_code == 200


def test_no_match_offers_to_add_the_resident(as_user, alice, people):
    html = html_of(as_user(alice).get(reverse("residents:search"), {"q": "李大爷"}, **HTMX))
    assert "没有找到与“李大爷”相符的居民" in html
    assert f"{reverse('residents:create')}?q=%E6%9D%8E%E5%A4%A7%E7%88%B7" in html


def test_pick_links_results_to_another_page(as_user, alice, people):
    client = as_user(alice)
    html = html_of(client.get(reverse("residents:search"), {"q": "wyz", "pick": "residents:list"}, **HTMX))
    assert f'href="/residents/?resident={people.wang.pk}"' in html
    html = html_of(
        client.get(reverse("residents:search"), {"q": "wyz", "pick": "/desks/sessions/5/?step=2"}, **HTMX)
    )
    assert f'href="/desks/sessions/5/?step=2&amp;resident={people.wang.pk}"' in html
    for bad in ("https://evil.example/", "//evil.example/x", "no:such_name", "javascript:alert(1)"):
        html = html_of(client.get(reverse("residents:search"), {"q": "wyz", "pick": bad}, **HTMX))
        assert "evil" not in html and "javascript" not in html
        assert reverse("residents:detail", args=[people.wang.pk]) in html


def test_the_directory_pages_by_25(as_user, alice, binxi):
    ResidentFactory.create_batch(30, community=binxi)
    client = as_user(alice)
    html = html_of(client.get(reverse("residents:list")))
    assert html.count("data-resident-id=") == 25
    assert "第 1 页，共 2 页" in html
    assert "?page=2" in html
    html = html_of(client.get(reverse("residents:list"), {"page": 2}))
    assert html.count("data-resident-id=") == 5


def test_bob_sees_nothing_of_binxi(as_user, bob, people):
    client = as_user(bob)
    for url, query, extra in [
        (reverse("residents:list"), {}, {}),
        (reverse("residents:list"), {"q": "wyz"}, {}),
        (reverse("residents:search"), {"q": "wyz"}, HTMX),
        (reverse("residents:search"), {"q": "5678"}, {}),
        (reverse("residents:search"), {"q": "", "browse": "1", "community": people.wang.community_id}, HTMX),
    ]:
        html = html_of(client.get(url, query, **extra))
        assert "王玉枝" not in html and "139****5678" not in html


def test_a_member_of_several_communities_chooses_one(as_user, binxi, bindong, people):
    street = member(binxi, "supervisor", username="street")
    from tests.factories import MembershipFactory

    MembershipFactory(user=street, community=bindong, role="supervisor")
    ResidentFactory(community=bindong, name="赵德柱", grid=GridFactory(community=bindong, name="东一网格"))
    client = as_user(street)
    html = html_of(client.get(reverse("residents:list")))
    assert "我的全部社区" in html
    assert "王玉枝" in html and "赵德柱" in html
    html = html_of(client.get(reverse("residents:list"), {"community": bindong.pk}))
    assert "赵德柱" in html and "王玉枝" not in html


def test_a_volunteer_sees_the_directory_but_cannot_add(as_user, roles, people):
    html = html_of(as_user(roles.volunteer).get(reverse("residents:list")))
    assert "王玉枝" in html
    assert_masked(html)
    assert reverse("residents:create") not in html
    assert reverse("residents:access_log") not in html


def _queries(client, url, query=None, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query or {}, **extra).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url_name", "query", "extra"),
    [
        ("residents:list", {}, {}),
        ("residents:list", {"q": "138"}, {}),
        ("residents:search", {"q": "138"}, HTMX),
        ("residents:search", {"q": "138"}, {}),
        ("residents:search", {"q": "", "browse": "1"}, HTMX),
    ],
)
def test_query_count_is_the_same_at_1_and_25_residents(as_user, alice, binxi, url_name, query, extra):
    grid = GridFactory(community=binxi)
    ResidentFactory(community=binxi, grid=grid, lives_alone=True)
    client = as_user(alice)
    url = reverse(url_name)
    _queries(client, url, query, **extra)  # the first request reads the memberships into the cache
    one = _queries(client, url, query, **extra)
    ResidentFactory.create_batch(24, community=binxi, lives_alone=True)  # each with its own grid
    html = client.get(url, query, **extra).content.decode()
    assert html.count("data-resident-id=") == 25
    assert _queries(client, url, query, **extra) == one


def test_the_search_box_other_pages_include(rf, alice):
    import json
    import re

    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = alice
    html = render_to_string(
        "residents/_search_box.html",
        {"pick": "requests:create", "results_id": "intake-residents", "community": 7},
        request=request,
    )
    assert 'hx-get="/residents/search/"' in html
    assert 'hx-target="#intake-residents"' in html
    assert 'id="intake-residents"' in html
    values = json.loads(re.search(r"hx-vals='([^']*)'", html).group(1))
    assert values == {"pick": "requests:create", "community": "7"}
    html = render_to_string("residents/_search_box.html", {}, request=request)
    assert json.loads(re.search(r"hx-vals='([^']*)'", html).group(1)) == {"pick": "", "community": ""}
    assert 'id="resident-search-results"' in html

"""Walk every URL pattern as users of two communities (DESIGN §8).

Fails on a page that answers another community's object, shows a full phone number, or errors,
and on an object URL that its own community's member cannot reach (then bob's 404 proves nothing).
A new URL that takes an object must be added to OBJECT_URLS (tests/url_walk_objects.py), so no
view escapes the walk.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.url_walk_objects import OBJECT_URLS, PUBLIC_URLS, REVEALING_URLS, World

SKIPPED_NAMESPACES = {"admin"}  # Django admin: staff only, checked in tests/residents/test_admin.py


def walk(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            regex_groups = re.compile(str(entry.pattern.regex.pattern)).groupindex
            yield f"{namespace}{entry.name}", sorted(set(converters) | set(regex_groups))


ALL_URLS = sorted({(name, tuple(params)) for name, params in walk()})


def test_every_url_that_takes_an_object_is_in_the_walk():
    missing = [
        name for name, params in ALL_URLS if params and name not in OBJECT_URLS and name not in PUBLIC_URLS
    ]
    assert missing == [], f"add these to tests/url_walk_objects.py OBJECT_URLS: {missing}"


@pytest.fixture
def world(alice, bob, binxi, bindong):
    return World.build(alice=alice, bob=bob, binxi=binxi, bindong=bindong)


def full_phones_in(html: str, world: "World") -> list[str]:
    return [phone for phone in world.full_phones() if phone in html]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params"), ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_url_answers_only_its_own_community(client, world, name, params, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where the walk's objects keep their files
    if params and name in PUBLIC_URLS:
        kwargs = PUBLIC_URLS[name](world)
    elif params:
        kwargs = OBJECT_URLS[name](world)
    else:
        kwargs = {}
    url = reverse(name, kwargs=kwargs)

    client.force_login(world.alice)
    own = client.get(url)
    assert own.status_code < 500, f"{url} errors for a member: {own.status_code}"
    if (
        params and name not in PUBLIC_URLS
    ):  # the object is there for its own community: bob's 404 means something
        if own.status_code == 405:  # an action: an empty POST answers with a message or a form error
            own = client.post(url)
            assert own.status_code < 500, f"POST {url} errors for a member: {own.status_code}"
        assert own.status_code != 404, f"{url} is 404 for its own community's member"
    if (
        own.status_code == 200
        and name not in REVEALING_URLS
        and own.get("Content-Type", "").startswith("text/")
    ):
        html = own.content.decode(errors="replace")
        assert full_phones_in(html, world) == [], f"{url} shows a full phone number"

    client.force_login(world.bob)
    for method in ("get", "post"):
        other = getattr(client, method)(url)
        assert other.status_code < 500, f"{method.upper()} {url} errors for another community"
        if params and name not in PUBLIC_URLS:
            assert other.status_code in (404, 405), (
                f"{method.upper()} {url} answers {other.status_code} to a user of another community"
            )
        if other.status_code == 200 and other.get("Content-Type", "").startswith("text/"):
            html = other.content.decode(errors="replace")
            assert full_phones_in(html, world) == [], f"{url} shows a full phone number to bob"
            assert world.binxi_resident.name not in html, f"{url} shows 滨西's resident to bob"

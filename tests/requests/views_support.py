"""What the request page tests share (imported by tests/requests/test_views_*.py and the others):
an open desk session of 滨西, a logged-in client per person, the intake form's token, HTML helpers.

The `world` fixture (tests/requests/conftest.py) gives 滨西's staff per role, 王玉枝 and categories.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.desks.factories import DeskSessionFactory, StopFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def session(world):
    """An open desk session of 滨西 at 冶金厂家属院, today."""
    stop = StopFactory(community=world.binxi, name="冶金厂家属院")
    return DeskSessionFactory(community=world.binxi, stop=stop, status="open", team=[world.desk_staff])


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def db_cache(db, settings):
    """The database cache needs its table (created by `make run`; absent in a test database)."""
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", verbosity=0)


def token_from(html: str) -> str:
    match = re.search(r'name="idempotency_token" value="([^"]+)"', html)
    assert match, "the intake form carries an idempotency token"
    return match.group(1)


def intake_data(world, client, *, url=None, **fields) -> dict:
    """A valid intake POST for 王玉枝 with the token of a freshly shown form; `fields` override."""
    page = client.get(url or f"{reverse('requests:create')}?community={world.binxi.pk}")
    assert page.status_code == 200, page.status_code
    data = {
        "idempotency_token": token_from(page.content.decode()),
        "community": world.binxi.pk,
        "resident": world.wang.pk,
        "category": world.other.pk,
        "description": "楼道灯不亮",
        "source": "desk",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def errors_next_to(html: str, field: str) -> list[str]:
    """The error messages crispy or the templates put right after the field named `field`."""
    pattern = re.compile(
        r'name="'
        + re.escape(field)
        + r'"[^>]*>(?:(?!name=").)*?invalid-feedback[^>]*>(?:\s|<[^>]+>)*([^<]+)',
        re.S,
    )
    return [m.strip() for m in pattern.findall(html)]


def count_queries(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)

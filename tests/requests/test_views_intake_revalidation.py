"""The intake form asked for again by a browser that has it: 304 while nothing it shows changed,
drawn again (with a new ETag) as soon as anything did — and never for a browser without
JavaScript, whose token must be new each time."""

import datetime as dt

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desks.services.sessions import sessions_close_left_open
from requests.notifications import notify_staff
from requests.services.inbox import inbox_mark_read
from requests.views.intake_revalidation import JS_COOKIE
from residents import versioned_cache
from tests.conftest import require
from tests.desks.factories import DeskSessionFactory, StopFactory
from tests.factories import PASSWORD, ResidentFactory
from tests.requests.conftest import logged
from tests.requests.views_support import as_user, intake_data, token_from

__all__ = ["as_user"]  # fixtures

CREATE = reverse("requests:create")


@pytest.fixture
def browser(world, as_user):
    """Desk staff's phone with JavaScript (doorstep.js's cookie), the form's URL and its ETag."""
    require(
        "A cache server", versioned_cache.enabled(), "the form's ETag is made of cache versions (REDIS_URL)"
    )
    client = as_user(world.desk_staff)
    client.cookies[JS_COOKIE] = "1"
    client.get(reverse("home"))  # the CSRF cookie, which every page's forms are made from
    return client


def _url(world) -> str:
    return f"{CREATE}?community={world.binxi.pk}"


def _etag(client, url: str, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] in ("private, no-cache", "no-cache, private")
    return response["ETag"]


def _again(client, url: str, etag: str, **extra):
    return client.get(url, HTTP_IF_NONE_MATCH=etag, **extra)


def test_an_unchanged_form_is_answered_not_modified_for_the_cost_of_the_login(world, browser):
    url = _url(world)
    etag = _etag(browser, url)
    with CaptureQueriesContext(connection) as queries:
        response = _again(browser, url, etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    ours = [q["sql"] for q in queries.captured_queries if "_cache" not in q["sql"]]
    assert len(ours) == 1 and '"auth_user"' in ours[0], ours  # the login's user; versions are one MGET


def test_a_browser_without_javascript_gets_a_new_form_and_token_each_time(world, as_user):
    client = as_user(world.desk_staff)
    first = client.get(_url(world))
    assert first.status_code == 200 and not first.has_header("ETag")
    second = client.get(_url(world), HTTP_IF_NONE_MATCH='"anything"')
    assert second.status_code == 200
    assert token_from(first.content.decode()) != token_from(second.content.decode())


def test_without_a_cache_server_the_form_is_drawn_each_time(world, browser, monkeypatch):
    monkeypatch.setattr(versioned_cache, "enabled", lambda: False)
    response = browser.get(_url(world))
    assert response.status_code == 200 and not response.has_header("ETag")


def _rename_category(world):
    world.repair.name_zh = "维修（水电）"
    world.repair.save()


def _take_the_role(world):
    world.desk_staff.memberships.update(role="volunteer")  # a bulk update: no signal


def _open_a_session(world):
    DeskSessionFactory(community=world.binxi, stop=StopFactory(community=world.binxi), status="open")


def _rename_a_handler(world):
    world.handler.first_name = "新名"
    world.handler.save()


def _an_inbox_item(world):
    notify_staff([world.desk_staff], logged(world), "escalation")


@pytest.mark.parametrize(
    "change",
    [_rename_category, _take_the_role, _open_a_session, _rename_a_handler, _an_inbox_item],
)
def test_a_change_the_form_shows_draws_it_again(world, browser, change):
    url = _url(world)
    etag = _etag(browser, url)
    change(world)
    response = _again(browser, url, etag)
    assert response.status_code in (200, 403)  # 403: the role taken away may not log requests
    if response.status_code == 200:
        assert response["ETag"] != etag


def test_the_nights_closing_of_sessions_left_open_draws_it_again(world, browser):
    """One UPDATE of many sessions sends no signal: the queryset bumps the version itself."""
    DeskSessionFactory(
        community=world.binxi,
        stop=StopFactory(community=world.binxi),
        status="open",
        date=dt.date(2026, 3, 2),
    )
    url = _url(world)
    etag = _etag(browser, url)
    assert _again(browser, url, etag).status_code == 304
    assert sessions_close_left_open(today=dt.date(2026, 3, 3)) == 1
    assert _again(browser, url, etag).status_code == 200


def test_reading_the_inbox_changes_the_badge_and_the_form(world, browser):
    item = notify_staff([world.desk_staff], logged(world), "escalation")[0]
    url = _url(world)
    etag = _etag(browser, url)
    assert _again(browser, url, etag).status_code == 304
    assert inbox_mark_read(user=world.desk_staff, item_ids=[item.pk]) == 1
    assert _again(browser, url, etag).status_code == 200


def test_a_login_elsewhere_does_not_outdate_it_but_a_new_login_here_does(world, browser, client):
    url = _url(world)
    etag = _etag(browser, url)
    world.handler.last_login = world.handler.date_joined  # what each login saves
    world.handler.save(update_fields=["last_login"])
    assert _again(browser, url, etag).status_code == 304
    login = browser.post(reverse("login"), {"username": "deskstaff", "password": PASSWORD})
    assert login.status_code == 302  # a new session and a new CSRF secret
    assert _again(browser, url, etag).status_code == 200


def test_the_language_the_date_and_the_page_name_it(world, browser, settings):
    url = _url(world)
    etag = _etag(browser, url)
    assert _again(browser, url, etag, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert _again(browser, f"{url}&session=", etag).status_code == 200


def test_a_pending_message_or_a_link_naming_more_draws_it_each_time(world, browser):
    url = _url(world)
    etag = _etag(browser, url)
    browser.cookies[CookieStorage.cookie_name] = "pending"
    assert _again(browser, url, etag).status_code == 200
    del browser.cookies[CookieStorage.cookie_name]
    resident = ResidentFactory(community=world.binxi)
    for more in (f"&category={world.repair.pk}", f"&resident={resident.pk}"):
        response = browser.get(f"{url}{more}")
        assert response.status_code == 200 and not response.has_header("ETag")


def test_another_communitys_supervisor_gets_404_with_the_etag_too(world, browser, client):
    url = _url(world)
    etag = _etag(browser, url)
    client.force_login(world.outsider)
    client.cookies[JS_COOKIE] = "1"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_a_deploy_that_changes_a_file_changes_the_stamp(tmp_path, settings):
    from residents.code_stamp import code_stamp

    settings.BASE_DIR = tmp_path
    settings.DEBUG = True  # read at each call, as under runserver
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "intake.html"
    page.write_text("<p>登记诉求</p>")
    before = code_stamp()
    assert code_stamp() == before  # the same files: the same stamp in every worker
    page.write_text("<p>登记诉求（新）</p>")
    assert code_stamp() != before


def test_a_proxy_that_compresses_the_page_weakens_the_etag_and_it_still_matches(world, browser):
    url = _url(world)
    etag = _etag(browser, url)
    assert _again(browser, url, f"W/{etag}").status_code == 304


def test_a_browser_without_the_csrf_cookie_gets_the_form_drawn(world, browser):
    url = _url(world)
    etag = _etag(browser, url)
    del browser.cookies["csrftoken"]
    response = _again(browser, url, etag)
    assert response.status_code == 200 and not response.has_header("ETag")


def test_logging_a_request_leaves_the_form_unchanged(world, browser):
    """The desk's rhythm: open the form, log, read the reference out, open the form again —
    answered from the browser's copy."""
    url = _url(world)
    etag = _etag(browser, url)
    logged = browser.post(CREATE, intake_data(world, browser))
    assert logged.status_code == 302
    browser.get(logged["Location"])  # shows the message, and deletes its cookie
    assert browser.cookies[CookieStorage.cookie_name]["max-age"] == 0
    del browser.cookies[CookieStorage.cookie_name]  # as a browser does; the test client keeps it
    assert _again(browser, url, etag).status_code == 304

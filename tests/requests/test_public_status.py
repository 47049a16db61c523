"""The public status page /s/<reference>/: the SMS link's signed token, the last-4-digits form, what
it shows (never a name, a phone or a member of staff), and the rate limit on guessing."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from requests import public
from tests.requests.conftest import in_state, logged
from tests.requests.views_support import EN, db_cache

__all__ = ["db_cache"]  # fixtures


@pytest.fixture(autouse=True)
def fresh_counters(db_cache, monkeypatch):
    """Each test counts attempts in keys of its own (the cache may be a Redis shared by the run)."""
    monkeypatch.setattr(public, "KEY_SALT", f"test-{uuid.uuid4().hex}")


@pytest.fixture
def resident_client():
    return Client(enforce_csrf_checks=True)


def page(sr_or_reference) -> str:
    reference = getattr(sr_or_reference, "reference", sr_or_reference)
    return reverse("request_status:page", args=[reference])


def post_digits(client, reference, digits, **extra):
    """Show the form (for its CSRF token), then send the digits, as a phone would."""
    form = client.get(page(reference), **extra).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return client.post(page(reference), {"digits": digits, "csrfmiddlewaretoken": csrf}, **extra)


def without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def assert_private(html: str, world) -> None:
    for secret in (
        "王玉枝",
        world.wang.phone,
        "13912345678",
        world.wang.masked_phone,
        world.wang.phone[-4:],
        world.handler.username,
        world.handler.last_name + world.handler.first_name,
        world.desk_staff.username,
        world.desk_staff.last_name + world.desk_staff.first_name,
        world.supervisor.last_name + world.supervisor.first_name,
        "楼道灯不亮",  # the description
        "已更换灯泡",  # the result (a note)
        world.wang.compound,
    ):
        assert secret not in html, f"the public page shows {secret!r}"


def test_the_sms_link_shows_the_status_at_once_and_nothing_private(world, resident_client, settings):
    settings.PUBLIC_BASE_URL = "https://doorstep.example.cn"
    sr = in_state(world, "resolved")
    link = public.status_link(sr)
    assert link.startswith(f"https://doorstep.example.cn/s/{sr.reference}/?t=")
    response = resident_client.get(link.removeprefix("https://doorstep.example.cn"), **EN)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="public-status"' in html
    assert sr.reference in html and world.other.name_en in html and "Resolved" in html
    assert re.findall(r"<li class=\"list-group-item d-flex[^>]*><span>([^<]+)</span>", html) == [
        "Logged",
        "Accepted",
        "Resolved",
    ]
    assert_private(html, world)
    assert response["Referrer-Policy"] == "same-origin" and "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_the_due_date_is_shown_while_open(world, resident_client):
    from django.utils import timezone

    sr = in_state(world, "in_progress")
    html = resident_client.get(f"{page(sr)}?t={public.status_token(sr.reference)}").content.decode()
    assert f'id="public-due">{timezone.localtime(sr.resolve_due_at):%Y-%m-%d}<' in html
    assert_private(html, world)


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "A" * public.TOKEN_LENGTH,
        "for-another-reference",  # replaced below by a real token of another request
        "",
    ],
)
def test_a_wrong_token_asks_for_the_digits(world, resident_client, token):
    sr = logged(world)
    if token == "for-another-reference":
        other = logged(world, description="别的")
        token = public.status_token(other.reference)
        assert public.token_is_valid(other.reference, token)
    html = resident_client.get(f"{page(sr)}?t={token}").content.decode()
    assert 'id="public-status"' not in html and 'name="digits"' in html
    assert_private(html, world)


def test_a_token_is_bound_to_its_reference_and_the_secret_key(world, settings):
    sr = logged(world)
    token = public.status_token(sr.reference)
    assert public.token_is_valid(sr.reference, token)
    assert not public.token_is_valid(sr.reference.replace("000001", "000002"), token)
    settings.SECRET_KEY = "another-deployment-another-key-0123456789"
    assert not public.token_is_valid(sr.reference, token)


def test_the_last_4_digits_show_the_status(world, resident_client):
    sr = logged(world)
    response = post_digits(resident_client, sr.reference, "5678")  # 王玉枝: +8613912345678
    html = response.content.decode()
    assert response.status_code == 200 and 'id="public-status"' in html
    assert_private(html, world)


def test_wrong_digits_answer_exactly_like_an_unknown_reference(world, resident_client):
    sr = logged(world)
    wrong = post_digits(resident_client, sr.reference, "1111")
    unknown_reference = sr.reference.replace("000001", "099999")
    unknown = post_digits(resident_client, unknown_reference, "1111")
    assert wrong.status_code == unknown.status_code == 200
    same_reference = without_csrf(unknown.content.decode()).replace(unknown_reference, sr.reference)
    assert without_csrf(wrong.content.decode()) == same_reference
    assert 'id="public-status"' not in wrong.content.decode()
    # no token and no digits yet: the same page too
    first_look = without_csrf(resident_client.get(page(sr)).content.decode())
    assert first_look == without_csrf(resident_client.get(page(unknown_reference)).content.decode()).replace(
        unknown_reference, sr.reference
    )


def test_an_anonymous_request_opens_only_with_its_token(world, resident_client):
    sr = logged(world, resident=None)
    assert 'id="public-status"' not in post_digits(resident_client, sr.reference, "5678").content.decode()
    html = resident_client.get(f"{page(sr)}?t={public.status_token(sr.reference)}").content.decode()
    assert 'id="public-status"' in html


def test_attempts_are_limited_per_reference(world, settings):
    settings.STATUS_PAGE_ATTEMPTS_PER_REFERENCE = 3
    sr = logged(world)
    for n in range(3):  # from three different addresses
        response = post_digits(Client(REMOTE_ADDR=f"10.0.0.{n}"), sr.reference, "0000")
        assert response.status_code == 200
    blocked = post_digits(Client(REMOTE_ADDR="10.0.0.9"), sr.reference, "5678")  # even the right digits
    assert blocked.status_code == 429 and 'id="public-status"' not in blocked.content.decode()
    assert "Too many attempts" in post_digits(Client(), sr.reference, "5678", **EN).content.decode()
    # the token of the SMS link still works
    html = Client().get(f"{page(sr)}?t={public.status_token(sr.reference)}").content.decode()
    assert 'id="public-status"' in html


def test_attempts_are_limited_per_client_address(world, settings):
    settings.STATUS_PAGE_ATTEMPTS_PER_ADDRESS = 4
    requests_ = [logged(world, description=f"第{n}件") for n in range(6)]
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    answers = [post_digits(guesser, sr.reference, "0000").status_code for sr in requests_[:4]]
    assert answers == [200, 200, 200, 200]
    assert post_digits(guesser, requests_[4].reference, "5678").status_code == 429
    assert post_digits(Client(REMOTE_ADDR="203.0.113.8"), requests_[5].reference, "5678").status_code == 200


def test_the_address_behind_a_trusted_proxy_is_the_client(world, settings):
    settings.STATUS_PAGE_ATTEMPTS_PER_ADDRESS = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    made = [logged(world, description=f"第{n}件") for n in range(4)]
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    second = {"HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert post_digits(proxy, made[0].reference, "0000", **first).status_code == 200
    assert post_digits(proxy, made[1].reference, "0000", **first).status_code == 200
    assert post_digits(proxy, made[2].reference, "5678", **first).status_code == 429
    assert post_digits(proxy, made[3].reference, "5678", **second).status_code == 200  # another resident
    # an untrusted sender cannot pick its address with the header
    settings.TRUSTED_PROXIES = []
    spoofer = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(2):
        post_digits(spoofer, made[n].reference, "0000", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert post_digits(spoofer, made[3].reference, "5678", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_the_limit_fails_closed_when_the_cache_is_down(world, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(public, "_count", broken)
    sr = logged(world)
    response = post_digits(Client(), sr.reference, "5678")
    assert response.status_code == 429 and 'id="public-status"' not in response.content.decode()


def test_bad_digits_are_a_form_error_not_an_attempt(world, settings):
    settings.STATUS_PAGE_ATTEMPTS_PER_REFERENCE = 1
    sr = logged(world)
    client = Client()
    for digits in ("12", "abcd", "123456", ""):
        response = post_digits(client, sr.reference, digits, **EN)
        assert response.status_code == 200 and "Enter 4 digits." in response.content.decode()
    assert 'id="public-status"' in post_digits(client, sr.reference, "5678").content.decode()


def test_no_login_is_needed(world):
    sr = logged(world)
    response = Client().get(page(sr))
    assert response.status_code == 200 and "/accounts/login/" not in response.get("Location", "")

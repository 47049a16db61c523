"""Every page needs a login but the open few; failed logins lock out; sessions expire; Chinese first."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_sends_a_stranger_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_speaks_chinese_first(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "登录流动办公桌" in html
    assert "用户名" in html


def test_the_language_switch_turns_the_login_page_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert "Log in to the mobile desk" in html


def test_a_user_logs_in_and_sees_the_home_page(client):
    user = UserFactory(first_name="玉枝", last_name="王")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert "您好" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
        assert response.status_code in (200, 429)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_session_ends_with_the_browser(client):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("username", ["x" * 20_000, "ab\x00cd"])
def test_a_hostile_username_is_refused_by_the_form_not_with_a_500(client, username):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert response.status_code == 200  # the form's error, not a 500 from the attempt log
    for attempt in AccessAttempt.objects.all():  # a long one is counted, cut to a username's length
        assert len(attempt.username) <= 150 and "\x00" not in attempt.username

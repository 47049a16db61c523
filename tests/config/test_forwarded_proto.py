"""X-Forwarded-Proto is believed only from TRUSTED_PROXIES, like X-Forwarded-For."""

import pytest

PROXY = "10.0.0.2"


@pytest.fixture
def behind_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.mark.django_db
def test_https_claimed_by_the_trusted_proxy_is_believed(client, behind_a_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY)
    assert response.status_code == 200
    assert response.wsgi_request.is_secure()


@pytest.mark.django_db
def test_https_claimed_by_anyone_else_is_ignored(client, behind_a_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.7")
    # Plain http after all: redirected to https, as any plain-http request is.
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


@pytest.mark.django_db
def test_plain_http_through_the_trusted_proxy_is_redirected(client, behind_a_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http", REMOTE_ADDR=PROXY)
    assert response.status_code == 301

"""The pages staff see when something is refused or breaks: translated, styled, never Django's
bare English ones."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory


@pytest.mark.django_db
def test_a_role_without_the_right_gets_a_translated_403(client):
    volunteer = MembershipFactory(role="volunteer").user
    client.force_login(volunteer)
    response = client.get(reverse("residents:create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        "<title>无权操作 · Doorstep</title>" in html and "请联系本社区的主管" in html
    )  # the role's name, as the staff list says it


@pytest.mark.django_db
def test_an_expired_form_says_so_instead_of_a_csrf_error():
    member = MembershipFactory(role="desk_staff").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("residents:create"), {"name": "王玉枝"})  # no CSRF token
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单已过期" in html and "CSRF verification failed" not in html  # not Django's page


def test_the_500_page_needs_no_request_and_is_chinese(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "出错了" in response.content.decode()

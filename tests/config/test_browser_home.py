"""A staff member on a 360-px phone logs in and sees the Chinese home page, without scrolling sideways."""

import pytest

from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_log_in_on_a_phone_and_see_the_chinese_home_page(live_server, phone_page):
    UserFactory(username="wangyuzhi", first_name="玉枝", last_name="王")

    phone_page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in phone_page.url
    assert phone_page.get_by_role("heading", name="登录流动办公桌").is_visible()
    assert_no_horizontal_scroll(phone_page)

    browser_login(phone_page, live_server, "wangyuzhi", PASSWORD)

    assert phone_page.url == f"{live_server.url}/"
    assert phone_page.get_by_role("heading", name="您好，王玉枝").is_visible()
    assert phone_page.evaluate("document.documentElement.lang") == "zh-CN"
    assert_no_horizontal_scroll(phone_page)

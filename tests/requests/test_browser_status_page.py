"""A resident opens the status page on a phone, without the SMS link: wrong digits are refused,
the last 4 digits of her phone show the status, and the language switch works there too."""

import pytest

from requests import public
from tests.conftest import assert_no_horizontal_scroll
from tests.requests.conftest import logged
from tests.requests.views_support import db_cache

__all__ = ["db_cache"]  # fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_her_request_by_the_last_four_digits(live_server, phone_page, world, db_cache):
    sr = logged(world)
    page = phone_page
    page.goto(f"{live_server.url}{public.status_path(sr.reference)}")
    assert_no_horizontal_scroll(page)

    page.fill("input[name=digits]", "1234")
    page.get_by_role("button", name="查看进度").click()
    page.get_by_text("未找到").wait_for()
    assert "#public-status" not in page.content() and "王玉枝" not in page.content()

    page.fill("input[name=digits]", "5678")  # 王玉枝's phone ends in 5678
    page.get_by_role("button", name="查看进度").click()
    page.locator("#public-status").wait_for()
    assert page.locator("#reference").inner_text() == sr.reference
    assert "王玉枝" not in page.content() and "5678" not in page.locator("#public-status").inner_text()
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}{public.status_path(sr.reference)}")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Show the status").wait_for()

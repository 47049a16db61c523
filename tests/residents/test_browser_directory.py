"""On a 360-px phone: type pinyin initials into the directory and the resident appears; reveal a phone."""

import pytest

from residents.models import AccessLog
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, GridFactory, ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_initials_and_find_the_resident_without_scrolling_sideways(
    live_server, phone_page, alice, binxi
):
    grid = GridFactory(community=binxi, name="第一网格")
    wang = ResidentFactory(
        community=binxi,
        grid=grid,
        name="王玉枝",
        phone="+8613912345678",
        compound="冶金厂家属院",
        building="3",
        unit="2",
        room="501",
        lives_alone=True,
    )
    for index in range(30):  # more than a page, and long addresses
        ResidentFactory(
            community=binxi, grid=grid, name=f"李{'国强秀英'[index % 4]}{index}", limited_mobility=True
        )
    browser_login(phone_page, live_server, "alice", PASSWORD)

    phone_page.goto(f"{live_server.url}/residents/")
    assert phone_page.get_by_role("heading", name="居民").is_visible()
    assert_no_horizontal_scroll(phone_page)
    results = phone_page.locator("#resident-results")
    assert results.locator("[data-resident-id]").count() == 25

    phone_page.locator("#resident-q").press_sequentially("wyz", delay=60)
    item = results.locator(f'[data-resident-id="{wang.pk}"]')
    item.wait_for(state="visible")
    phone_page.wait_for_function(
        "() => document.querySelectorAll('#resident-results [data-resident-id]').length === 1"
    )
    assert "139****5678" in item.inner_text()
    assert "13912345678" not in phone_page.content()
    assert phone_page.url == f"{live_server.url}/residents/"  # no full reload
    assert_no_horizontal_scroll(phone_page)

    item.locator("a").click()
    phone_page.wait_for_url(f"{live_server.url}/residents/{wang.pk}/")
    assert phone_page.get_by_role("heading", name="王玉枝").is_visible()
    assert_no_horizontal_scroll(phone_page)

    phone_page.locator("#reveal-phone").click()
    phone_page.locator("#revealed-phone").wait_for(state="visible")
    assert phone_page.locator("#revealed-phone").inner_text() == "13912345678"
    assert phone_page.url == f"{live_server.url}/residents/{wang.pk}/"
    assert AccessLog.objects.filter(actor=alice, resident=wang, action="reveal_phone").count() == 1
    assert_no_horizontal_scroll(phone_page)


def test_the_resident_form_fits_a_phone(live_server, phone_page, alice, binxi):
    GridFactory(community=binxi, name="第一网格")
    browser_login(phone_page, live_server, "alice", PASSWORD)
    phone_page.goto(f"{live_server.url}/residents/new/")
    phone_page.fill("#id_name", "刘桂兰")
    phone_page.fill("#id_phone", "138 1234 567")
    phone_page.click("button[type=submit].btn-primary")
    phone_page.locator("#div_id_phone .invalid-feedback").wait_for(state="visible")
    assert "中国大陆手机号为11位" in phone_page.locator("#div_id_phone").inner_text()
    assert_no_horizontal_scroll(phone_page)
    phone_page.fill("#id_phone", "138 1234 5678")
    phone_page.click("button[type=submit].btn-primary")
    phone_page.get_by_role("heading", name="刘桂兰").wait_for(state="visible")
    assert "138****5678" in phone_page.locator("#resident-phone").inner_text()
    assert_no_horizontal_scroll(phone_page)

"""The supervisor's dashboard in Chromium: at desktop width and on a 360-px phone the charts draw
with their numbers beside them, nothing scrolls sideways, and the monthly report downloads."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _requests_of_this_month(world):
    from tests.requests.conftest import in_state

    in_state(world, "closed")  # rated 满意 at its return visit
    in_state(world, "in_progress")
    in_state(world, "logged")


def test_the_dashboard_on_a_desktop_shows_the_rates_and_downloads_the_report(
    live_server, desktop_page, world
):
    _requests_of_this_month(world)
    page = desktop_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, live_server, "alice", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#figure-logged").inner_text() == "3"
    assert page.locator("#rate-satisfaction [data-rate]").inner_text() == "100.0%"
    # Chart.js drew on the canvas (it sets the canvas size) and the table beside it holds the numbers.
    page.wait_for_function("() => document.getElementById('chart-status').width > 0")
    status_table = page.locator("#table-status tbody tr")
    rows = {
        r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in status_table.all()
    }
    assert rows["办理中"] == "1" and rows["已登记"] == "1"
    with page.expect_download() as download:
        page.locator("#report-xlsx").click()
    # the download is saved without a suffix, and openpyxl goes by the suffix: hand it the bytes
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["滨西社区"]
    assert book["滨西社区"]["B3"].value == 3
    page.locator("#figure-logged").click()
    page.wait_for_url("**/requests/?**")
    assert "3" in page.locator("#request-count").inner_text()
    assert errors == []


def test_the_dashboard_fits_a_phone(live_server, phone_page, world):
    _requests_of_this_month(world)
    page = phone_page
    browser_login(page, live_server, "alice", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_function("() => document.getElementById('chart-per-day').width > 0")
    assert_no_horizontal_scroll(page)
    # The charts stack: each one as wide as the screen allows, one under the other.
    boxes = [page.locator(f"#{name}").bounding_box() for name in ("chart-per-day", "chart-status")]
    assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1

"""English pages on a 360-px phone (issue 12): the resident search's hint fits in its box, a roster's
file name keeps its own case in the page's heading, and status names start with a capital."""

import pytest

from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.residents.roster_files import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The text width of the placeholder in the input's own font, against the room inside its padding.
PLACEHOLDER_FITS = """(input) => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: context.measureText(input.placeholder).width, room: room};
}"""


@pytest.fixture
def english_phone(browser):
    context = browser.new_context(
        locale="en-US", viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_resident_search_hint_fits_a_phone(live_server, english_phone, alice):
    browser_login(english_phone, live_server, "alice", PASSWORD)
    english_phone.goto(f"{live_server.url}/residents/")  # the same hint as the desk's and intake's box
    search = english_phone.locator("#resident-q")
    assert search.get_attribute("placeholder").startswith("Name")
    width = search.evaluate(PLACEHOLDER_FITS)
    assert width["text"] <= width["room"], f"the hint is {width['text']:.0f}px in {width['room']:.0f}px"


def test_a_file_name_keeps_its_case_in_the_heading(live_server, english_phone, alice, binxi, tmp_path):
    roster = tmp_path / "binxi-roster.csv"
    roster.write_bytes(csv_bytes([{"姓名": "王玉枝", "手机号": "13812345678"}], encoding="utf-8-sig"))
    browser_login(english_phone, live_server, "alice", PASSWORD)
    english_phone.goto(f"{live_server.url}/residents/rosters/import/")
    english_phone.set_input_files("input[type=file]", str(roster))
    english_phone.locator("form:has(input[type=file]) button[type=submit]").click()
    english_phone.wait_for_url("**/rosters/import/*/")
    heading = english_phone.locator("h1")
    assert heading.inner_text() == "binxi-roster.csv"  # innerText applies text-transform


def test_status_names_start_with_a_capital(live_server, english_phone, alice):
    browser_login(english_phone, live_server, "alice", PASSWORD)
    english_phone.goto(f"{live_server.url}/requests/")
    options = english_phone.locator("select[name=status] option")
    statuses = options.evaluate_all("os => os.map(o => o.textContent.trim())")
    assert {"Logged", "In progress", "Resolved"} <= set(statuses), statuses

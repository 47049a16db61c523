"""On a 360-px phone: the handler sees the inbox badge, opens the inbox, follows the reminder to the
request and accepts it — and the home page's "to accept" count drops."""

import pytest

from requests.models import InboxItem
from requests.services.sweep import reminders_sweep
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD
from tests.requests.conftest import logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_handler_follows_a_reminder_and_accepts(live_server, phone_page, world):
    sr = logged(world, handler=world.handler)
    logged(world, handler=world.handler)  # a second one still waits afterwards
    assert reminders_sweep()["fired"] == 2

    page = phone_page
    browser_login(page, live_server, "handler", PASSWORD)
    page.goto(f"{live_server.url}/")
    badge = page.locator("#inbox-badge")
    assert badge.is_visible() and badge.inner_text() == "2"  # beside the menu, not inside it
    box = page.locator("#nav-inbox").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360
    assert page.locator('[data-count="to_accept"] [data-n]').inner_text() == "2"
    assert_no_horizontal_scroll(page)

    page.locator("#nav-inbox").click()
    page.wait_for_url("**/requests/inbox/")
    item = page.locator(f'.inbox-item[data-reference="{sr.reference}"]')
    assert "签收" in item.inner_text() and item.locator(".badge").inner_text() == "新"
    assert_no_horizontal_scroll(page)

    item.locator("a").click()
    page.wait_for_url(f"**/requests/{sr.reference}/")
    assert page.locator("#inbox-badge").inner_text() == "1"  # read once opened
    assert InboxItem.objects.get(user=world.handler, request=sr).read_at is not None
    page.locator('form[data-action="accept"] button').click()
    page.wait_for_load_state()
    sr.refresh_from_db()
    assert sr.status == "in_progress"

    page.goto(f"{live_server.url}/")
    assert page.locator('[data-count="to_accept"] [data-n]').inner_text() == "1"
    assert_no_horizontal_scroll(page)

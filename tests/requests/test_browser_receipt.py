"""At the desk on a 360-px phone: an anonymous request is logged and its receipt shows the QR code
and the pickup code; the receipt prints on one page of each size; the resident's phone opens the
QR code's link and sees the status without typing anything, and opens it again on the status
page with the pickup code alone."""

import re

import pytest

from requests import pickup, public
from requests.models import ServiceRequest
from tests.config.test_browser_csp import watch
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD
from tests.requests.views_support import db_cache

__all__ = ["db_cache"]  # fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# PDF page sizes in points (1 mm = 72 / 25.4 pt), as Chromium writes them with the CSS page size.
PAGE_SIZES = {"slip": (80, 200), "a6": (105, 148), "a4": (210, 297)}


def resident_phone(browser):
    """Another phone: the resident's, never logged in."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_an_anonymous_request_leaves_with_a_receipt(
    live_server, browser, phone_page, world, settings, db_cache
):
    settings.PUBLIC_BASE_URL = live_server.url  # the QR code's link points at this server
    page = phone_page
    violations = watch(page)
    browser_login(page, live_server, "deskstaff", PASSWORD)
    page.goto(f"{live_server.url}/requests/new/?community={world.binxi.pk}")
    page.locator("input[name=anonymous]").check()
    page.locator(f'label[for="category-{world.other.pk}"]').click()
    page.fill("textarea[name=description]", "小区东门路灯不亮")
    page.locator("#log-request").click()

    # The receipt on the staff member's phone: the reference, the QR code, the pickup code
    page.wait_for_url("**/logged/")
    sr = ServiceRequest.objects.get()
    assert sr.resident is None and page.locator("#receipt-reference").inner_text() == sr.reference
    assert page.get_by_role("heading", level=1).inner_text() == sr.reference  # the page's heading
    reference_lines = page.locator("#receipt-reference").evaluate(
        "e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))"
    )
    assert reference_lines == 1, "the reference reads on one line, not broken across two"
    qr = page.locator("#receipt-qr svg.qr-code")
    qr.wait_for(state="visible")
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1  # large enough to scan
    code = page.locator("#pickup-code").inner_text()
    assert re.fullmatch(r"\d{4}", code) and pickup.code_matches(sr, code)
    assert code not in ServiceRequest.objects.get(pk=sr.pk).pickup_code_hash
    assert_no_horizontal_scroll(page)
    link = page.locator("#receipt-qr").get_attribute("href")
    assert link == public.status_link(sr)

    # The printed receipt: each size on one page of its own size, the navigation left out
    for size, (width_mm, height_mm) in PAGE_SIZES.items():
        page.goto(f"{live_server.url}/requests/{sr.reference}/receipt/{size}/")
        page.locator("#receipt-print-button").wait_for(state="visible")
        assert_no_horizontal_scroll(page)
        page.emulate_media(media="print")
        assert not page.locator("nav.navbar").is_visible()
        assert not page.locator("#receipt-print-button").is_visible()
        assert (
            page.locator("#receipt-qr svg").is_visible() and page.locator("#pickup-code").inner_text() == code
        )
        pages = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
        expected = (width_mm * 72 / 25.4, height_mm * 72 / 25.4)
        assert len(pages) == 1, (size, pages)
        assert abs(pages[0][0] - expected[0]) < 2 and abs(pages[0][1] - expected[1]) < 2, (size, pages)
        page.emulate_media(media="screen")
    assert violations == [], violations

    # The resident's phone opens the QR code's link: the status, without typing digits
    context, resident = resident_phone(browser)
    try:
        resident.goto(link)
        resident.locator("#public-status").wait_for(state="visible")
        assert resident.locator("#reference").inner_text() == sr.reference
        assert "小区东门路灯不亮" not in resident.content()
        assert_no_horizontal_scroll(resident)

        # Later, without the link: the reference and the pickup code on the slip
        resident.goto(f"{live_server.url}{public.status_path(sr.reference)}")
        resident.fill("input[name=digits]", f"{(int(code) + 1) % 10000:04d}")
        resident.get_by_role("button", name="查看进度").click()
        resident.get_by_text("未找到").wait_for()
        assert resident.locator("#public-status").count() == 0
        resident.fill("input[name=digits]", code)
        resident.get_by_role("button", name="查看进度").click()
        resident.locator("#public-status").wait_for(state="visible")
        assert resident.locator("#reference").inner_text() == sr.reference
        assert_no_horizontal_scroll(resident)
    finally:
        context.close()

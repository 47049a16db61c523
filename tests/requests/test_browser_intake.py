"""On a 360-px phone at an open desk: find 王玉枝 by her initials, log a repair for her, read the
reference out — and see it on the session's hub."""

import re

import pytest

from requests.models import ServiceRequest
from requests.views import intake_revalidation
from residents import versioned_cache
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_request_for_wang_yuzhi_from_an_open_session(live_server, phone_page, world):
    from tests.desks.factories import DeskSessionFactory, StopFactory

    session = DeskSessionFactory(
        community=world.binxi,
        stop=StopFactory(community=world.binxi, name="冶金厂家属院"),
        status="open",
        team=[world.desk_staff],
    )
    page = phone_page
    browser_login(page, live_server, "deskstaff", PASSWORD)
    page.goto(f"{live_server.url}/requests/new/?session={session.pk}")
    assert page.get_by_role("heading", name="登记诉求").is_visible()
    assert_no_horizontal_scroll(page)

    page.locator("#intake-residents-q").press_sequentially("wyz", delay=60)
    row = page.locator(f'#intake-residents [data-resident-id="{world.wang.pk}"]')
    row.wait_for(state="visible")
    assert "139****5678" in row.inner_text()
    row.locator("a").click()
    page.locator("#picked-name").wait_for(state="visible")
    assert page.locator("#picked-name").inner_text() == "王玉枝"
    assert page.locator("#picked-phone").inner_text() == "139****5678"
    assert "13912345678" not in page.content()
    assert "/logged/" not in page.url and f"session={session.pk}" in page.url  # picked in place

    page.locator(f'label[for="category-{world.repair.pk}"]').click()  # 维修: the grid worker's by the rule
    page.wait_for_function(
        f"() => document.querySelector('#handler-box select') && "
        f"document.querySelector('#handler-box select').value === '{world.grid_worker.pk}'"
    )
    page.fill("textarea[name=description]", "3号楼2单元楼道灯不亮")
    assert_no_horizontal_scroll(page)
    page.locator("#log-request").click()

    page.wait_for_url("**/logged/")
    reference = page.locator("#reference").inner_text()
    sr = ServiceRequest.objects.get()
    assert reference == sr.reference and reference.startswith("BX-")
    assert (sr.resident, sr.desk_session, sr.handler) == (world.wang, session, world.grid_worker)
    assert sr.description == "3号楼2单元楼道灯不亮" and sr.status == "assigned"
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/desks/sessions/{session.pk}/")
    page.locator(f'#session-requests [data-reference="{reference}"]').wait_for(state="visible")
    assert_no_horizontal_scroll(page)


def test_the_lists_and_the_request_page_fit_a_phone(live_server, phone_page, world):
    from tests.requests.conftest import in_state

    sr = in_state(world, "in_progress")
    page = phone_page
    browser_login(page, live_server, "handler", PASSWORD)
    for path in ("/requests/", "/requests/mine/", f"/requests/{sr.reference}/"):
        page.goto(f"{live_server.url}{path}")
        page.locator(f'[data-reference="{sr.reference}"], #reference').first.wait_for(state="visible")
        assert_no_horizontal_scroll(page)
    page.locator('[data-action="resolve"] summary').click()
    page.fill("textarea[name=resolve-result]", "已更换灯泡")
    page.locator('[data-action="resolve"] button[type=submit]').click()
    page.locator(".alert-success").wait_for(state="visible")
    assert ServiceRequest.objects.get(pk=sr.pk).status == "resolved"
    assert_no_horizontal_scroll(page)


def test_back_after_logging_and_submitting_again_gives_the_same_request(
    live_server, phone_page, world, monkeypatch
):
    """A double tap, a retry or the back button produce one request; "log another" is a new one —
    with a token of its own although the server answered "not modified" and the browser showed
    its copy of the form."""
    not_modified = []
    real = intake_revalidation.HttpResponseNotModified
    monkeypatch.setattr(
        intake_revalidation, "HttpResponseNotModified", lambda: not_modified.append(1) or real()
    )
    page = phone_page
    browser_login(page, live_server, "deskstaff", PASSWORD)
    page.goto(f"{live_server.url}/requests/new/?community={world.binxi.pk}")
    page.locator("#intake-residents-q").press_sequentially("wyz", delay=60)
    row = page.locator(f'#intake-residents [data-resident-id="{world.wang.pk}"]')
    row.wait_for(state="visible")
    row.locator("a").click()
    page.locator("#picked-name").wait_for(state="visible")
    first_token = page.locator("input[name=idempotency_token]").input_value()
    page.locator(f'label[for="category-{world.repair.pk}"]').click()
    page.fill("textarea[name=description]", "3号楼2单元楼道灯不亮")
    page.locator("#log-request").click()
    page.wait_for_url("**/logged/")
    reference = page.locator("#reference").inner_text()
    assert ServiceRequest.objects.count() == 1

    page.go_back()
    page.wait_for_url("**/requests/new/**")
    page.locator("#log-request").wait_for(state="visible")
    page.wait_for_load_state("load")
    category = page.locator(f"#category-{world.repair.pk}")
    restored = (category.is_checked(), page.locator("input[name=idempotency_token]").input_value())
    # What a desk worker does with the form shown again: re-pick what looks empty, submit.
    if not category.is_checked():
        page.locator(f'label[for="category-{world.repair.pk}"]').click()
    if not page.locator("textarea[name=description]").input_value():
        page.fill("textarea[name=description]", "3号楼2单元楼道灯不亮")
    if page.locator("#picked-name").is_hidden():
        page.locator("#intake-residents-q").press_sequentially("wyz", delay=60)
        row.wait_for(state="visible")
        row.locator("a").click()
    page.locator("#log-request").click()
    page.wait_for_url("**/logged/")
    assert ServiceRequest.objects.count() == 1, "Back and submit again made a second request"
    assert page.locator("#reference").inner_text() == reference
    assert restored == (True, first_token)  # the form shown again is the form first shown
    assert page.locator("#picked-name").count() == 0  # on the logged page
    assert_no_horizontal_scroll(page)

    assert not_modified == []  # Back showed the browser's copy without asking
    page.locator("#log-another").click()
    page.wait_for_url("**/requests/new/**")
    page.locator("#log-request").wait_for(state="visible")
    page.wait_for_load_state("load")
    if versioned_cache.enabled():  # the same form, unchanged: the browser asked, the server said 304
        assert not_modified == [1]
    second_token = page.locator("input[name=idempotency_token]").input_value()
    assert second_token != first_token and UUID.fullmatch(second_token)  # made by intake.js, not the copy's
    assert not page.locator(f"#category-{world.repair.pk}").is_checked()
    page.locator("#intake-residents-q").press_sequentially("wyz", delay=60)
    row.wait_for(state="visible")
    row.locator("a").click()
    page.locator(f'label[for="category-{world.other.pk}"]').click()
    page.fill("textarea[name=description]", "想问一下补贴怎么申请")
    page.locator("#log-request").click()
    page.wait_for_url("**/logged/")
    assert ServiceRequest.objects.count() == 2
    assert page.locator("#reference").inner_text() != reference

"""At the desk on a 360-px phone: open the session, find the resident, record a screening, count a walk-up."""

import pytest
from django.urls import reverse

from desks.models import DeskSession, Screening
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.desks.factories import DeskSessionFactory
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_open_find_screen_on_a_phone(live_server, phone_page, binxi, staff, desk):
    session = DeskSessionFactory(
        community=binxi,
        stop=desk.yejin,
        team=[staff.health_desk_staff, staff.volunteer],
        partners="老街社区卫生服务站",
    )
    page = phone_page
    browser_login(page, live_server, "healthdesk", PASSWORD)

    # Today's session is on the home page.
    assert page.locator("#todays-sessions").get_by_text("冶金厂家属院").is_visible()
    assert_no_horizontal_scroll(page)
    page.locator("#todays-sessions a[data-session-id]").click()
    page.wait_for_url(f"**{reverse('desks:session_detail', args=[session.pk])}")
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="开始服务").click()
    page.wait_for_load_state()
    assert page.locator("[data-status=open]").is_visible()
    assert DeskSession.objects.get(pk=session.pk).status == "open"

    # Find the resident with the directory's search box, as desk staff type it.
    page.fill("#hub-residents-q", "王玉")
    result = page.locator('#hub-residents li[data-resident-name="王玉枝"] a')
    result.wait_for()
    assert_no_horizontal_scroll(page)
    result.click()
    page.wait_for_selector("#resident-name")
    assert page.locator("#resident-name").inner_text() == "王玉枝"
    assert_no_horizontal_scroll(page)

    page.locator("#record-screening").click()
    page.wait_for_selector("#screening-form")
    assert_no_horizontal_scroll(page)
    # A slip first: the form says what is wrong, in Chinese, next to the field.
    page.fill("input[name=systolic]", "400")
    page.fill("input[name=diastolic]", "92")
    page.locator("#save-screening").click()
    page.wait_for_selector("#screening-form .invalid-feedback")
    assert "不是合理的收缩压" in page.locator("#screening-form").inner_text()
    assert not Screening.objects.exists()
    assert_no_horizontal_scroll(page)

    page.fill("input[name=systolic]", "150")
    page.fill("input[name=glucose]", "6.1")
    page.locator("input[name=glucose_kind][value=fasting]").check()
    page.locator("#save-screening").click()
    page.wait_for_selector("#screening-list")
    row = page.locator("#screening-list li[data-screening-id]")
    assert "150/92" in row.inner_text() and "血压偏高" in row.inner_text()
    assert_no_horizontal_scroll(page)
    screening = Screening.objects.get()
    assert (screening.systolic, screening.diastolic, screening.bp_flagged) == (150, 92, True)

    # A walk-up who only asked a question: +1 through htmx, no reload.
    page.locator("#walk-up-add").click()
    page.wait_for_function("() => document.querySelector('#served-total').textContent.trim() === '2'")
    assert DeskSession.objects.get(pk=session.pk).walk_up_count == 1
    assert_no_horizontal_scroll(page)

    # Closing asks first: a stray tap changes nothing; a confirmed one closes the desk.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#close-session").click()
    page.wait_for_timeout(300)
    assert DeskSession.objects.get(pk=session.pk).status == "open"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#close-session").click()
    page.wait_for_selector("#close-session", state="detached")
    assert DeskSession.objects.get(pk=session.pk).status == "closed"

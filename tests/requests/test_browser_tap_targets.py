"""On a 360-px phone: back links and small action links are at least 44 px tall, and a health
worker follows up a flagged screening with one tap from the resident's screenings."""

import pytest

from desks.models import Screening
from requests.models import ServiceRequest
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_TAP = 44


def heights(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(el => el.getBoundingClientRect().height)")


def test_back_links_are_tall_enough_to_tap(live_server, phone_page, world):
    from tests.desks.factories import DeskSessionFactory, StopFactory
    from tests.requests.conftest import in_state

    sr = in_state(world, "logged")
    session = DeskSessionFactory(
        community=world.binxi, stop=StopFactory(community=world.binxi, name="冶金厂家属院"), status="open"
    )
    Screening.objects.create(
        community=world.binxi, resident=world.wang, recorded_by=world.supervisor, systolic=150, diastolic=95
    )
    page = phone_page
    browser_login(page, live_server, "nurse", PASSWORD)
    for path, back in (
        (f"/requests/{sr.reference}/", "‹ 诉求"),
        (f"/requests/new/?session={session.pk}", "‹ 冶金厂家属院"),
        (f"/desks/residents/{world.wang.pk}/screenings/", "‹ 王玉枝"),
        (f"/desks/sessions/{session.pk}/screenings/new/?resident={world.wang.pk}", "‹ 冶金厂家属院"),
        (f"/desks/sessions/{session.pk}/", "‹ 日程"),  # the desk's hub
    ):
        page.goto(f"{live_server.url}{path}")
        link = page.get_by_role("link", name=back, exact=True).first
        link.wait_for(state="visible")
        assert link.bounding_box()["height"] >= MIN_TAP, f"{back} on {path}"
        assert_no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/requests/new/?session={session.pk}")
    shown = [height for height in heights(page, "#change-resident, #add-resident summary") if height]
    assert shown and min(shown) >= MIN_TAP, shown


def test_a_nurse_follows_up_a_flagged_screening_with_one_tap(live_server, phone_page, world):
    Screening.objects.create(
        community=world.binxi,
        resident=world.wang,
        recorded_by=world.health_staff,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )
    page = phone_page
    browser_login(page, live_server, "nurse", PASSWORD)
    page.goto(f"{live_server.url}/desks/residents/{world.wang.pk}/screenings/")
    button = page.locator(".screening-follow-up button")
    button.wait_for(state="visible")
    assert button.bounding_box()["height"] >= MIN_TAP
    assert_no_horizontal_scroll(page)
    button.click()
    page.wait_for_url("**/logged/")
    sr = ServiceRequest.objects.get()
    assert page.locator("#reference").inner_text() == sr.reference
    assert sr.category.code == "health_follow_up"
    assert_no_horizontal_scroll(page)


def test_the_small_links_and_buttons_a_supervisor_uses_are_tall_enough(live_server, phone_page, world):
    from tests.requests.conftest import in_state

    world.wang.set_id_number("11010119900307002X")
    world.wang.save()
    sr = in_state(world, "logged")
    page = phone_page
    browser_login(page, live_server, "alice", PASSWORD)
    checks = (
        ("/", "#todays-sessions a.small"),  # 本周
        ("/residents/", "#roster-links a"),  # import, export, access log
        ("/residents/", "details summary"),  # filters
        ("/requests/", "details summary"),
        (f"/residents/{world.wang.pk}/", "#reveal-phone, #show-id-number"),
        (f"/requests/{sr.reference}/", "#resident-link"),
    )
    for path, selector in checks:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        shown = [height for height in heights(page, selector) if height]
        assert shown and min(shown) >= MIN_TAP, (path, selector, shown)
        assert_no_horizontal_scroll(page)

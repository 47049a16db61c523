"""Accessibility, checked by axe-core in Chromium (tests/axe.py, the vendored tests/assets/axe.min.js):
the pages desk staff and grid workers use on a 360-px phone, the supervisor's dashboard and monthly
report on a desktop, and the resident's public status page have no serious or critical violation.

Each page's result is printed (`-s` shows it): the rules axe checked it against and what it found."""

import pytest
from django.urls import reverse

from requests import public
from requests.services import request_accept, request_resolve
from tests.axe import BLOCKING, axe_all, axe_violations, describe
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.requests.conftest import logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, url: str, results: dict, name: str) -> None:
    response = page.goto(url)
    assert response.status == 200, (name, response.status)
    page.wait_for_load_state("networkidle")  # htmx fragments too
    results[name] = axe_all(page)


def report(results: dict) -> None:
    print()
    for name, violations in results.items():
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        others = ", ".join(f"{v['impact']} {v['id']}" for v in violations if v["impact"] not in BLOCKING)
        print(f"axe {name}: {len(blocking)} serious/critical" + (f" (also {others})" if others else ""))
    failing = {n: [v for v in vs if v["impact"] in BLOCKING] for n, vs in results.items()}
    failing = {n: vs for n, vs in failing.items() if vs}
    assert not failing, "\n".join(f"{name}:\n{describe(v)}" for name, v in failing.items())


def test_the_staff_pages_on_a_phone_have_no_serious_violations(live_server, phone_page, world, db_cache):
    from tests.desks.factories import DeskSessionFactory, StopFactory

    session = DeskSessionFactory(
        community=world.binxi,
        stop=StopFactory(community=world.binxi, name="冶金厂家属院"),
        status="open",
        team=[world.desk_staff, world.grid_worker],
    )
    sr = logged(world, category=world.repair, handler=world.grid_worker, desk_session=session)
    from requests.services.sweep import reminders_sweep

    reminders_sweep()  # an accept reminder in the grid worker's inbox
    url = live_server.url
    results: dict = {}
    page = phone_page
    check(page, f"{url}{reverse('login')}", results, "login")
    browser_login(page, live_server, "gridworker", PASSWORD)
    pages = {
        "home": reverse("home"),
        "intake": f"{reverse('requests:create')}?session={session.pk}",
        "receipt": reverse("requests:logged", kwargs={"reference": sr.reference}),
        "request list": reverse("requests:list"),
        "my requests": reverse("requests:mine"),
        "inbox": reverse("requests:inbox"),
        "request": reverse("requests:detail", kwargs={"reference": sr.reference}),
        "residents": reverse("residents:list"),
        "resident": reverse("residents:detail", kwargs={"pk": world.wang.pk}),
        "desk calendar": reverse("desks:calendar"),
        "desk session": reverse("desks:session_detail", kwargs={"pk": session.pk}),
    }
    for name, path in pages.items():
        check(page, f"{url}{path}", results, name)
    # the intake with a resident picked (the form below the search) and refused input shown
    page.goto(f"{url}{reverse('requests:create')}?session={session.pk}")
    page.locator("#intake-residents-q").press_sequentially("wyz", delay=40)
    page.locator(f'#intake-residents [data-resident-id="{world.wang.pk}"] a').click()
    page.locator("#picked-name").wait_for(state="visible")
    page.locator("#log-request").click()
    page.wait_for_load_state("networkidle")
    results["intake, refused"] = axe_all(page)
    page.goto(f"{url}/")
    page.locator(".navbar-toggler").click()  # the menu, opened as on a phone
    page.locator("#main-nav.show").wait_for()
    results["home, menu open"] = axe_all(page)
    report(results)


def test_the_health_and_volunteer_pages_on_a_phone_have_no_serious_violations(
    live_server, browser, world, db_cache
):
    """A nurse at the desk (screening form, refused and saved) and a volunteer's households and hours."""
    from residents.models import Membership
    from tests.desks.factories import DeskSessionFactory

    Membership.objects.filter(user=world.volunteer).update(health_permission=True)
    world.wang.health_consent = True
    world.wang.save(update_fields=["health_consent"])
    session = DeskSessionFactory(
        community=world.binxi, status="open", team=[world.health_staff, world.volunteer]
    )
    url = live_server.url
    results: dict = {}
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        browser_login(page, live_server, "nurse", PASSWORD)
        serve = reverse("desks:session_serve", kwargs={"pk": session.pk})
        check(page, f"{url}{serve}?resident={world.wang.pk}", results, "serving a resident")
        form = reverse("desks:screening_create", kwargs={"pk": session.pk})
        check(page, f"{url}{form}?resident={world.wang.pk}", results, "screening form")
        page.fill("input[name=systolic]", "400")
        page.locator("#save-screening").click()
        page.locator("#screening-form .invalid-feedback").first.wait_for()
        results["screening form, refused"] = axe_all(page)
        check(
            page,
            f"{url}{reverse('desks:resident_screenings', kwargs={'pk': world.wang.pk})}",
            results,
            "resident's screenings",
        )
        page.context.clear_cookies()
        browser_login(page, live_server, "volunteer", PASSWORD)
        check(page, f"{url}{reverse('desks:households')}", results, "volunteer's households")
        check(page, f"{url}{reverse('desks:hours')}", results, "volunteer hours")
    finally:
        context.close()
    report(results)


def test_the_dashboard_and_report_on_a_desktop_have_no_serious_violations(
    live_server, desktop_page, world, db_cache
):
    from tests.requests.conftest import in_state

    in_state(world, "closed")
    in_state(world, "in_progress")
    results: dict = {}
    page = desktop_page
    browser_login(page, live_server, "alice", PASSWORD)
    check(page, f"{live_server.url}{reverse('dashboard:index')}", results, "dashboard")
    page.wait_for_function("() => document.getElementById('chart-status').width > 0")
    results["dashboard"] = axe_all(page)  # again, with the charts drawn
    check(page, f"{live_server.url}{reverse('dashboard:report')}", results, "monthly report")
    report(results)


def test_the_dashboard_on_a_phone_has_no_serious_violations(live_server, phone_page, world, db_cache):
    from tests.requests.conftest import in_state

    in_state(world, "closed")
    results: dict = {}
    browser_login(phone_page, live_server, "alice", PASSWORD)
    check(phone_page, f"{live_server.url}{reverse('dashboard:index')}", results, "dashboard at 360 px")
    report(results)


def test_the_public_status_page_has_no_serious_violations(live_server, phone_page, world, db_cache):
    sr = logged(world, handler=world.handler)
    request_accept(actor=world.handler, request_id=sr.pk)
    request_resolve(actor=world.handler, request_id=sr.pk, result="已更换灯泡")
    results: dict = {}
    page = phone_page
    check(page, f"{live_server.url}{public.status_path(sr.reference)}", results, "status page, asking")
    page.fill("input[name=digits]", "1234")
    page.get_by_role("button", name="查看进度").click()
    page.get_by_text("未找到").wait_for()
    results["status page, wrong digits"] = axe_all(page)
    link = f"{live_server.url}{public.status_path(sr.reference)}?t={public.status_token(sr.reference)}"
    check(page, link, results, "status page, by the SMS link")
    report(results)


def test_the_check_sees_a_violation(live_server, phone_page, world, db_cache):
    """The watch works: a field without a label, added to a clean page, is reported as critical."""
    page = phone_page
    page.goto(f"{live_server.url}{reverse('login')}")
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelector('form').append(document.createElement('select'))")
    assert [v["id"] for v in axe_violations(page)] == ["select-name"]

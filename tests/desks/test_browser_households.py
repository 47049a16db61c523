"""党员联户 on a 360-px phone: a volunteer opens her households, records a visit that also logs a
request, and sees the household's last visit become today."""

import datetime as dt

import pytest
from django.utils import timezone

from desks.services.households import link_create
from requests.models import ServiceRequest
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, ResidentFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def categories(db):
    from importlib import import_module

    from django.apps import apps

    import_module("requests.migrations.0003_categories").load(apps, None)


def test_a_volunteer_records_a_visit_with_a_request_on_her_phone(
    live_server, phone_page, binxi, alice, categories
):
    volunteer = member(binxi, "volunteer", username="chenjing", last_name="陈", first_name="静")
    wang = ResidentFactory(
        community=binxi, name="王玉枝", compound="冶金厂家属院", building="3", unit="2", room="501"
    )
    link_create(
        by=alice,
        community=binxi,
        member=volunteer,
        kind="building",
        compound="冶金厂家属院",
        building="3",
        starts_on=timezone.localdate() - dt.timedelta(days=60),
    )
    page = phone_page
    browser_login(page, live_server, "chenjing", PASSWORD)
    page.goto(f"{live_server.url}/desks/households/")
    household = page.locator("[data-household]", has_text="王玉枝")
    assert "从未" in household.locator("[data-last-visit]").inner_text() or "never" in household.inner_text()
    assert_no_horizontal_scroll(page)
    household.get_by_role("link", name="记录走访").click()
    page.get_by_label("电话").check()
    page.get_by_label("分钟").fill("25")
    page.get_by_label("同时登记诉求的类别").select_option(label="维修")
    page.get_by_label("居民反映的问题").fill("厨房水管漏水")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_url("**/logged/")
    sr = ServiceRequest.objects.get()
    assert sr.resident_id == wang.pk and sr.source == "household_visit"
    page.goto(f"{live_server.url}/desks/households/")
    last = page.locator("[data-household]", has_text="王玉枝").locator("[data-last-visit]").inner_text()
    assert timezone.localdate().isoformat() in last

"""The whole story of issue 17 in Chromium (zh-CN): a request logged at the desk, sent to the resident
by SMS through a fake provider at the network edge, handled on a phone, rated by an SMS reply,
closed; a reminder and an escalation; a dissatisfied rating reviewed and reopened; a flagged health
screening followed up; the supervisor's dashboard and monthly report. Desk staff, the grid worker,
the handler and the volunteer work on a 360 × 740 phone, the supervisor on a desktop.

Real parts: the live server on PostgreSQL; a real Celery worker and a real `celery beat` on Redis,
under a run id of their own (their queue and key prefix; this process publishes the on-commit SMS
deliveries there too, so the suite's session worker never takes them), beat sweeping every 2 seconds;
the worker sends through a fake provider that speaks Twilio's Messages API and posts residents'
replies, signed, to the inbound webhook. The reminder clock: beat's sweep fires what is due now;
the overdue days after it are reached by moving the clock forward in this process
(requests.clock.frozen) and calling the sweep as beat's task does.

Screenshots for the README tour are saved as it goes (DOORSTEP_SCREENSHOTS names the folder; else a
temporary one, printed at the end)."""

import io
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from requests import clock
from requests.models import Category, CategoryHandler, InboxItem, ReminderStep, ServiceRequest
from requests.services import request_accept, request_log, request_resolve
from requests.services.sweep import reminders_sweep
from residents.models import Membership
from tests.conftest import assert_no_horizontal_scroll, browser_login, require
from tests.factories import PASSWORD, ResidentFactory
from tests.requests.conftest import PNG
from tests.residents.sms.fake_provider import FakeProvider
from tests.residents.sms.workers import beat, keyspace, settle, sms_queue, sms_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1280, "height": 900}}


class Story:
    """The browsers, the fake provider and what the story has seen, with a timer per step."""

    def __init__(self, browser, live_server, provider, shots: Path):
        self.browser, self.url, self.provider, self.shots = browser, live_server.url, provider, shots
        self.contexts = []
        self.started = time.monotonic()
        self.times: list[tuple[str, float]] = []
        self.waiting: list[str] = []  # story assertions that wait for work not on main yet

    def page(self, username: str | None = None, *, desktop: bool = False):
        context = self.browser.new_context(**(DESKTOP if desktop else PHONE))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        if username:
            browser_login(page, _Server(self.url), username, PASSWORD)
        return page

    def shot(self, page, name: str) -> None:
        """A screenshot at CSS pixels (360 px wide for a phone): small enough for the README."""
        page.screenshot(path=str(self.shots / f"{name}.png"), scale="css", animations="disabled")

    def step(self, name: str) -> None:
        self.times.append((name, time.monotonic() - self.started))

    def sms(self, *needles: str, timeout: float = 60) -> dict:
        found = settle(lambda: self.provider.find(*needles), timeout=timeout)
        assert found, (
            f"no SMS with {needles} reached the provider: {[m['body'] for m in self.provider.messages]}"
        )
        return self.provider.find(*needles)[-1]

    def reply(self, sender: str, body: str) -> None:
        answer = self.provider.reply(f"{self.url}{reverse('sms:twilio_inbound')}", sender=sender, body=body)
        assert answer.status_code == 200, (answer.status_code, answer.text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


class _Server:
    def __init__(self, url):
        self.url = url


def status_link_in(body: str, reference: str, base: str) -> str:
    match = re.search(rf"{re.escape(base)}/s/{re.escape(reference)}/\?t=[A-Za-z0-9_-]+", body)
    assert match, f"no tokenised status link for {reference} in {body!r}"
    return match.group(0)


def local_today_start() -> datetime:
    return clock.local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)


def working_days_ago(days: int) -> datetime:
    day = clock.local(clock.now()).date()
    for _ in range(days):
        day = clock.previous_workday(day)
    return clock.office_opens(day) + timedelta(minutes=30)


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    named = os.environ.get("DOORSTEP_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def story_world(world, media):
    """The story's people and places on top of the request tests' world."""
    from tests.desks.factories import DeskSessionFactory, StopFactory

    Membership.objects.filter(user=world.volunteer, community=world.binxi).update(health_permission=True)
    CategoryHandler.objects.create(
        category=Category.objects.get(code="health_follow_up"), community=world.binxi, user=world.health_staff
    )
    world.zhang = ResidentFactory(
        community=world.binxi, grid=world.grid, name="张秀英", phone="+8613700001111", building="5"
    )
    world.liu = ResidentFactory(
        community=world.binxi,
        grid=world.grid,
        name="刘桂兰",
        phone="+8613600002222",
        building="3",
        health_consent=True,
        health_consent_at=clock.now(),
    )
    world.session = DeskSessionFactory(
        community=world.binxi,
        stop=StopFactory(community=world.binxi, name="冶金厂家属院"),
        team=[world.desk_staff, world.grid_worker, world.volunteer],
        partners="老街社区卫生服务站",
        services=["policy_advice", "request_intake", "health_screening"],
    )
    return world


def test_the_whole_story(live_server, browser, story_world, db_cache, settings, shots, tmp_path):
    require("PostgreSQL", connection.vendor == "postgresql", "the story runs on the production database")
    w = story_world
    with FakeProvider() as provider:
        run_id = sms_queue()  # the worker's and beat's run id: their queue and key prefix
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        settings.PUBLIC_BASE_URL = live_server.url
        settings.SMS_QUEUE = run_id
        settings.SMS_QUIET_START = settings.SMS_QUIET_END = (0, 0)
        both = {"DOORSTEP_RUN_ID": run_id, "PUBLIC_BASE_URL": live_server.url}
        with (
            keyspace(run_id),
            sms_worker(
                broker_url=settings.REDIS_URL,
                queue=run_id,
                provider=provider,
                log_path=tmp_path / "worker.log",
                **both,
            ) as worker,
            beat(run_id=run_id, folder=tmp_path, interval=2, **both),
        ):
            story = Story(browser, live_server, provider, shots)
            try:
                _play(story, w)
            except BaseException:
                print(worker.log()[-4000:])
                print((tmp_path / "beat.log").read_text(errors="replace")[-2000:])
                raise
            finally:
                story.close()
    print(f"\nscreenshots: {shots}")
    for name, at in story.times:
        print(f"story {at:6.1f}s  {name}")
    for line in story.waiting:
        print(f"waits: {line}")


def _play(story: Story, w) -> None:
    url = story.url

    # The supervisor's dashboard before anything happened: the figures the story must change.
    boss = story.page("alice", desktop=True)
    boss.goto(f"{url}/dashboard/")
    logged_before = int(boss.locator("#figure-logged").inner_text())
    satisfaction_before = boss.locator("#rate-satisfaction [data-rate]").inner_text()

    # 1. Desk staff open today's session at 冶金厂家属院, find 王玉枝 by "wyz", log a repair.
    desk = story.page("deskstaff")
    desk.goto(f"{url}/")
    desk.locator(f'#todays-sessions a[data-session-id="{w.session.pk}"]').click()
    desk.locator("#open-session").click()
    desk.locator("[data-status=open]").wait_for()
    desk.locator("#hub-residents-q").press_sequentially("wyz", delay=50)
    desk.locator('#hub-residents li[data-resident-name="王玉枝"] a').click()
    assert desk.locator("#resident-name").inner_text() == "王玉枝"
    desk.get_by_role("link", name="登记诉求").click()
    desk.locator("#picked-name").wait_for(state="visible")
    assert desk.locator("#picked-name").inner_text() == "王玉枝"
    desk.locator(f'label[for="category-{w.repair.pk}"]').click()
    desk.wait_for_function(
        f"() => document.querySelector('#handler-box select')?.value === '{w.grid_worker.pk}'"
    )
    desk.fill("textarea[name=description]", "楼道的灯不亮了")
    assert_no_horizontal_scroll(desk)
    story.shot(desk, "intake-phone")
    desk.locator("#log-request").click()
    desk.wait_for_url("**/logged/")
    reference = desk.locator("#reference").inner_text()
    first = ServiceRequest.objects.get(reference=reference)
    assert (first.resident, first.handler, first.desk_session) == (w.wang, w.grid_worker, w.session)
    assert first.description == "楼道的灯不亮了" and first.category == w.repair
    assert_no_horizontal_scroll(desk)
    qr = desk.locator("#receipt-qr")
    if qr.count():
        assert qr.locator("svg, img").count() == 1, "the receipt's QR code is drawn"
        qr_link = qr.get_attribute("href")
        assert f"/s/{reference}/?t=" in qr_link
    else:
        qr_link = None
        story.waiting.append("step 1: the receipt's QR code (#receipt-qr) is not on the logged page yet")
    if qr_link:
        desk.locator("#receipt").evaluate(
            "(receipt) => receipt.scrollIntoView({behavior: 'instant'})"
        )  # the slip, its code
    story.shot(desk, "receipt-phone")
    story.step("1. logged at the desk")

    # 2. The acknowledgement reaches the provider with the reference and a tokenised link; the
    #    resident taps it and sees the request without typing any digits.
    ack = story.sms(reference, "已登记")
    assert ack["to"] == w.wang.phone
    link = status_link_in(ack["body"], reference, url)
    resident = story.page()
    resident.goto(link)
    resident.locator("#public-status").wait_for()
    assert resident.locator("#reference").inner_text() == reference
    assert resident.locator("input[name=digits]").count() == 0
    assert "王玉枝" not in resident.content()
    if qr_link:
        resident.goto(qr_link)  # the receipt's code opens the same page
        assert resident.locator("#reference").inner_text() == reference
    story.step("2. acknowledgement SMS, status by link")

    # 3. The grid worker sees it first on the home page, accepts, resolves with a photo.
    grid = story.page("gridworker")
    grid.goto(f"{url}/")
    assert grid.locator('[data-count="to_accept"] [data-n]').inner_text() == "1"
    assert_no_horizontal_scroll(grid)
    grid.locator('a[data-count="to_accept"]').click()
    grid.locator(f'#section-to_accept [data-reference="{reference}"] a').click()
    grid.wait_for_url(f"**/requests/{reference}/")
    grid.locator('form[data-action="accept"] button').click()
    grid.locator('[data-action="resolve"] summary').wait_for()
    assert ServiceRequest.objects.get(pk=first.pk).status == "in_progress"
    story.sms(reference, "已受理")
    grid.locator('[data-action="resolve"] summary').click()
    grid.fill("textarea[name=resolve-result]", "已更换灯泡")
    for_resident = grid.locator("textarea[name=resolve-resident_result]")
    if for_resident.count():
        for_resident.fill("已更换灯泡")
    grid.set_input_files(
        "input[name=resolve-photos]", files=[{"name": "bulb.png", "mimeType": "image/png", "buffer": PNG}]
    )
    grid.locator('[data-action="resolve"] button[type=submit]').click()
    grid.locator(".alert-success").wait_for()
    first.refresh_from_db()
    assert first.status == "resolved" and first.result == "已更换灯泡"
    assert first.attachments.filter(kind="after").count() == 1
    assert_no_horizontal_scroll(grid)
    resolved = story.sms(reference, "已办结", "满意回复1")
    assert "已更换灯泡" in resolved["body"]
    story.step("3. accepted and resolved on a phone")

    # 4. The resident replies "1": closed, and the status page says so with the result.
    story.reply(w.wang.phone, "1")
    first.refresh_from_db()
    assert (first.status, first.outcome, first.rating, first.rating_source) == (
        "closed",
        "resolved",
        "satisfied",
        "sms",
    )
    resident.goto(link)
    assert resident.locator("#public-state").inner_text() == first.state_label
    assert resident.locator("#public-state").inner_text().startswith("已结束")
    if resident.locator("#public-result").count():
        assert "已更换灯泡" in resident.locator("#public-result").inner_text()
    else:
        story.waiting.append("step 4: the status page's result (#public-result) is not on main yet")
    assert_no_horizontal_scroll(resident)
    story.shot(resident, "status-page-phone")
    story.step("4. rated 1 by SMS, closed")

    # 5. A second request, left unaccepted past its accept deadline: beat's sweep, run by the worker,
    #    puts a reminder in the handler's inbox.
    with clock.frozen(working_days_ago(3)):
        second = request_log(
            actor=w.desk_staff,
            community=w.binxi,
            category=w.other,
            description="小区门口的路灯坏了",
            resident=w.wang,
            handler=w.handler,
        )
    assert second.accept_due_at < clock.now()
    reminded = InboxItem.objects.filter(user=w.handler, request=second, kind="accept")
    assert settle(reminded.exists, timeout=30), "beat's sweep put no reminder in the handler's inbox"
    handler = story.page("handler")
    handler.goto(f"{url}/")
    assert handler.locator("#inbox-badge").inner_text() == "1"
    handler.locator("#nav-inbox").click()
    handler.wait_for_url("**/requests/inbox/")
    item = handler.locator(f'.inbox-item[data-reference="{second.reference}"]')
    assert "签收" in item.inner_text()
    assert_no_horizontal_scroll(handler)
    story.shot(handler, "inbox-phone")
    item.locator("a").click()
    handler.locator('form[data-action="accept"] button').click()
    handler.locator('[data-action="resolve"] summary').wait_for()
    second.refresh_from_db()
    assert second.status == "in_progress"
    # It is not resolved in time. Move the clock past its deadline, a working day at a time, and
    # sweep as beat would: the overdue reminder, then on the second overdue day the escalation.
    overdue_days = 0
    for _ in range(8):
        pending = ReminderStep.objects.filter(request=second, status="pending").order_by("due_at").first()
        assert pending is not None
        with clock.frozen(pending.due_at + timedelta(minutes=1)):
            reminders_sweep()
        overdue_days = ReminderStep.objects.filter(request=second, step="overdue", status="done").count()
        if InboxItem.objects.filter(user=w.supervisor, request=second, kind="escalation").exists():
            break
    assert overdue_days == 2, overdue_days
    assert InboxItem.objects.filter(user=w.handler, request=second, kind="overdue").count() == 2
    second.refresh_from_db()
    assert second.escalated_at is not None
    boss.goto(f"{url}/requests/inbox/")
    escalation = boss.locator(f'.inbox-item[data-reference="{second.reference}"]')
    assert "督办" in escalation.first.inner_text()
    story.step("5. reminder by beat's sweep, escalation on overdue day 2")

    # 6. A third request, rated "3" by SMS, lands in the supervisor's review; she reopens it.
    third = request_log(
        actor=w.desk_staff,
        community=w.binxi,
        category=w.repair,
        description="5号楼下水道堵了",
        resident=w.zhang,
        desk_session=w.session,
    )
    assert third.handler == w.grid_worker
    request_accept(actor=w.grid_worker, request_id=third.pk)
    request_resolve(actor=w.grid_worker, request_id=third.pk, result="已疏通")
    story.sms(third.reference, "满意回复1")
    story.reply(w.zhang.phone, "3")
    third.refresh_from_db()
    assert (third.status, third.review_pending, third.rating) == ("resolved", True, "dissatisfied")
    boss.goto(f"{url}/")
    assert boss.locator('[data-count="reviews"] [data-n]').inner_text() == "1"
    boss.goto(f"{url}/requests/{third.reference}/")
    boss.locator('[data-action="review"] summary').click()
    boss.fill("textarea[name=review-reason]", "居民反映仍有异味，重新处理")
    boss.locator('[data-action="review"] button[value="1"]').click()
    boss.locator(".alert-success").wait_for()
    third.refresh_from_db()
    assert (third.status, third.review_pending) == ("in_progress", False)
    story.sms(third.reference, "重新办理")
    story.step("6. rated 3 by SMS, reviewed and reopened")

    # 7. The volunteer records a screening for 刘桂兰 (who agreed to health data being kept); the
    #    flagged reading becomes a follow-up request with the community's named handler.
    volunteer = story.page("volunteer")
    volunteer.goto(f"{url}/desks/sessions/{w.session.pk}/")
    volunteer.locator("#hub-residents-q").press_sequentially("lgl", delay=50)
    volunteer.locator('#hub-residents li[data-resident-name="刘桂兰"] a').click()
    volunteer.locator("#record-screening").click()
    volunteer.fill("input[name=systolic]", "168")
    volunteer.fill("input[name=diastolic]", "98")
    volunteer.fill("input[name=glucose]", "12.6")
    volunteer.locator("input[name=glucose_kind][value=after_meal]").check()
    assert_no_horizontal_scroll(volunteer)
    volunteer.locator("#save-screening").click()
    row = volunteer.locator("#screening-list li[data-screening-id]").first
    row.wait_for()
    assert "168/98" in row.inner_text() and "血压偏高" in row.inner_text() and "血糖偏高" in row.inner_text()
    row.locator(".screening-follow-up button").click()
    volunteer.wait_for_url("**/logged/")
    follow_up = ServiceRequest.objects.get(reference=volunteer.locator("#reference").inner_text())
    assert (follow_up.category.code, follow_up.resident, follow_up.handler) == (
        "health_follow_up",
        w.liu,
        w.health_staff,
    )
    assert follow_up.status == "assigned"
    assert "168" not in follow_up.description  # the reading stays with the screening
    assert_no_horizontal_scroll(volunteer)
    story.step("7. screening flagged, follow-up with a handler")

    # 8. The supervisor's dashboard has moved; the monthly report downloads.
    boss.goto(f"{url}/dashboard/")
    this_month = local_today_start().replace(day=1)
    logged_now = ServiceRequest.objects.filter(community=w.binxi, logged_at__gte=this_month).count()
    assert int(boss.locator("#figure-logged").inner_text()) == logged_now > logged_before
    satisfaction = boss.locator("#rate-satisfaction [data-rate]").inner_text()
    assert satisfaction != satisfaction_before and satisfaction.endswith("%"), (
        satisfaction_before,
        satisfaction,
    )
    boss.wait_for_function("() => document.getElementById('chart-status').width > 0")
    story.shot(boss, "dashboard-desktop")
    with boss.expect_download() as download:
        boss.locator("#report-xlsx").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["滨西社区"]
    story.step("8. dashboard moved, monthly report downloaded")

    # The language switch: English, then back to Chinese.
    boss.get_by_role("button", name="English").click()
    boss.wait_for_load_state()
    assert boss.locator("html").get_attribute("lang") == "en"
    assert boss.get_by_role("link", name="Mobile desk").is_visible()
    boss.get_by_role("button", name="中文").click()
    boss.wait_for_load_state()
    assert boss.locator("html").get_attribute("lang").lower().startswith("zh")
    assert boss.get_by_role("link", name="流动办公桌").is_visible()
    story.step("language switch to English and back")

    # The intake refuses bad input with visible messages, then is done with the keyboard alone.
    desk.goto(f"{url}/requests/new/?session={w.session.pk}")
    desk.locator("#log-request").click()
    desk.locator("#resident-error").wait_for()
    # Each refusal sits next to its field, in Chinese: the resident, the category, the description.
    assert "请选择居民" in desk.locator("#resident-error").inner_text()
    assert desk.locator("#category-choices .invalid-feedback").is_visible()
    description_error = desk.locator("#div_id_description .invalid-feedback, #error_1_id_description")
    assert "这个字段是必填项" in description_error.first.inner_text()
    assert ServiceRequest.objects.filter(description="").count() == 0
    assert_no_horizontal_scroll(desk)
    story.shot(desk, "intake-refused-phone")
    before = ServiceRequest.objects.count()
    _keyboard_intake(desk, w)
    desk.wait_for_url("**/logged/")
    typed = ServiceRequest.objects.get(reference=desk.locator("#reference").inner_text())
    assert ServiceRequest.objects.count() == before + 1
    assert (typed.resident, typed.category, typed.description) == (w.wang, w.subsidy, "二孩补贴怎么申请")
    story.step("refused input, then a keyboard-only intake")

    # A user of 滨东社区 gets 404 on the request's URL (and on its status page without a token,
    # nothing of it shows).
    outsider = story.page("bob", desktop=True)
    response = outsider.goto(f"{url}/requests/{reference}/")
    assert response.status == 404
    assert "楼道的灯不亮了" not in outsider.content()
    story.step("滨东社区 gets 404")

    for page in (boss, desk, resident, grid, handler, volunteer):
        assert page.errors == [], page.errors
    total = story.times[-1][1]
    assert total < 300, f"the story took {total:.0f}s"


def _tab_to(page, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or `key`) until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never got the focus with {key}")


def _keyboard_intake(page, w) -> None:
    """Log a childcare-subsidy question for 王玉枝 with the keyboard alone (no click, no tap)."""
    page.goto(page.url.split("#")[0])
    page.locator("body").focus()
    _tab_to(page, "#intake-residents-q")
    page.keyboard.type("wyz", delay=50)
    page.locator(f'#intake-residents [data-resident-id="{w.wang.pk}"] a').wait_for()
    _tab_to(page, f'#intake-residents [data-resident-id="{w.wang.pk}"] a')
    page.keyboard.press("Enter")
    page.locator("#picked-name").wait_for(state="visible")
    _tab_to(page, "input[name=category]")
    _tab_to(page, f"#category-{w.subsidy.pk}", key="ArrowRight")
    page.keyboard.press("Space")
    assert page.locator(f"#category-{w.subsidy.pk}").is_checked()
    _tab_to(page, "textarea[name=description]")
    page.keyboard.type("二孩补贴怎么申请")
    _tab_to(page, "#log-request")
    page.keyboard.press("Enter")

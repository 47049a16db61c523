"""The reminder sweep (DESIGN §4.4): whose each step is, when it repeats, the working-day clock
across a holiday and a 调休 Saturday, escalation from the second overdue day, catching up after
downtime, and nothing for a closed request."""

from datetime import timedelta

import pytest

from requests import clock
from requests.models import InboxItem, ReminderStep, RequestEvent, ServiceRequest
from requests.services import request_accept, request_assign, request_withdraw
from requests.services import sweep as sweep_module
from requests.services.sweep import next_working_day, reminders_sweep
from tests.factories import member
from tests.requests.conftest import in_state, logged, shanghai

# A Wednesday before the National Day week of 2026: 10-01 … 10-07 rest, Saturday 10-10 works (调休).
WED = shanghai(2026, 9, 30, 10, 0)


def sweep_at(moment):
    with clock.frozen(moment):
        return reminders_sweep()


def pending(sr, step=None):
    rows = ReminderStep.objects.filter(request=sr, status="pending")
    return list(rows.filter(step=step) if step else rows)


def inbox_of(user, kind=None):
    rows = InboxItem.objects.filter(user=user)
    return list(rows.filter(kind=kind) if kind else rows)


def reminders(sr):
    return list(RequestEvent.objects.filter(request=sr, action="remind").order_by("id"))


def test_the_next_working_day_skips_the_holiday_and_counts_the_adjusted_saturday(db):
    assert next_working_day(WED) == shanghai(2026, 10, 8, 10, 0)  # Thursday after the golden week
    assert next_working_day(shanghai(2026, 10, 9, 10, 0)) == shanghai(2026, 10, 10, 10, 0)  # 调休 Saturday
    assert next_working_day(shanghai(2026, 10, 10, 10, 0)) == shanghai(2026, 10, 12, 10, 0)  # Sunday rests
    # Outside office hours: the next working day's opening.
    assert next_working_day(shanghai(2026, 9, 30, 20, 0)) == shanghai(2026, 10, 8, 8, 30)
    assert next_working_day(shanghai(2026, 10, 3, 11, 0)) == shanghai(2026, 10, 8, 11, 0)


def test_an_accept_step_goes_to_the_handler_then_comes_back_at_the_deadline(world):
    with clock.frozen(WED):
        sr = logged(world, handler=world.handler)
    assert sr.status == "assigned"
    assert sweep_at(WED + timedelta(minutes=1))["fired"] == 1
    assert [i.kind for i in inbox_of(world.handler)] == ["accept"]
    assert InboxItem.objects.count() == 1  # nobody else
    event = reminders(sr)[0]
    assert (event.data["step"], event.data["sequence"]) == ("accept", 1)
    assert (event.by, event.actor) == ("system", None)
    (again,) = pending(sr, "accept")
    assert (again.sequence, again.due_at) == (2, sr.accept_due_at)
    # A second sweep in the same minute finds nothing.
    assert sweep_at(WED + timedelta(minutes=2))["fired"] == 0
    assert len(inbox_of(world.handler)) == 1


def test_assign_goes_to_the_supervisors_and_repeats_each_working_day(world):
    second = member(world.binxi, "supervisor", username="second")
    with clock.frozen(WED):
        sr = logged(world)  # the "other" category names no handler
    assert sr.status == "logged"
    sweep_at(WED)
    assert {i.user for i in InboxItem.objects.filter(kind="assign")} == {world.supervisor, second}
    assert not inbox_of(world.outsider)  # bob supervises 滨东社区
    (again,) = pending(sr, "assign")
    assert again.due_at == shanghai(2026, 10, 8, 10, 0)


def test_return_visit_steps_never_go_to_the_handler(world):
    with clock.frozen(WED):
        sr = in_state(world, "resolved")
    (step,) = pending(sr, "return_visit")
    sweep_at(step.due_at)
    users = set(InboxItem.objects.filter(kind="return_visit").values_list("user__username", flat=True))
    assert "handler" not in users
    # Staff who may make return visits: desk staff, grid workers, supervisors — not volunteers or admins.
    assert users == {"alice", "deskstaff", "gridworker", "other", "nurse"}
    assert not InboxItem.objects.filter(kind="return_visit", user=world.handler).exists()


def test_overdue_repeats_each_working_day_and_escalates_from_the_second_day(world):
    with clock.frozen(shanghai(2026, 9, 28, 9, 0)):
        sr = in_state(world, "in_progress")
    ServiceRequest.objects.filter(pk=sr.pk).update(resolve_due_at=shanghai(2026, 9, 29, 10, 0))
    ReminderStep.objects.filter(request=sr, status="pending").delete()
    ReminderStep.objects.create(request=sr, step="overdue", sequence=1, due_at=WED)

    sweep_at(WED)  # first overdue day: the handler only
    assert [i.kind for i in inbox_of(world.handler)] == ["overdue"]
    assert not InboxItem.objects.filter(kind="escalation").exists()
    sr.refresh_from_db()
    assert sr.escalated_at is None
    (day2,) = pending(sr, "overdue")
    assert day2.due_at == shanghai(2026, 10, 8, 10, 0)  # not during the National Day week

    assert sweep_at(shanghai(2026, 10, 5, 10, 0))["fired"] == 0  # a holiday: nothing is due
    sweep_at(day2.due_at)  # second overdue day: the handler again, and 督办 to the supervisors
    assert [i.kind for i in inbox_of(world.handler)] == ["overdue", "overdue"]
    assert [i.kind for i in inbox_of(world.supervisor)] == ["escalation"]
    sr.refresh_from_db()
    assert sr.escalated_at == day2.due_at
    escalation = RequestEvent.objects.get(request=sr, action="escalate")
    assert (escalation.actor, escalation.by, escalation.data) == (None, "system", {"overdue_day": 2})

    (day3,) = pending(sr, "overdue")
    assert day3.due_at == shanghai(2026, 10, 9, 10, 0)
    sweep_at(day3.due_at)
    (day4,) = pending(sr, "overdue")
    assert day4.due_at == shanghai(2026, 10, 10, 10, 0)  # the 调休 Saturday is a working day
    sweep_at(day4.due_at)
    (day5,) = pending(sr, "overdue")
    assert day5.due_at == shanghai(2026, 10, 12, 10, 0)
    assert [e.data["sequence"] for e in reminders(sr) if e.data["step"] == "overdue"] == [1, 2, 3, 4]


def test_after_downtime_each_due_step_fires_once(world):
    """Beat was down for the whole National Day week: one sweep fires each due step once, and the
    next one is counted from now — not once per missed day."""
    with clock.frozen(shanghai(2026, 9, 28, 9, 0)):
        srs = [in_state(world, "in_progress") for _ in range(3)]
    for sr in srs:
        ServiceRequest.objects.filter(pk=sr.pk).update(resolve_due_at=shanghai(2026, 9, 29, 10, 0))
        ReminderStep.objects.filter(request=sr, status="pending").delete()
        ReminderStep.objects.create(request=sr, step="overdue", sequence=1, due_at=WED)
    back = shanghai(2026, 10, 8, 9, 0)
    result = sweep_at(back)
    assert result["fired"] == 3
    assert sweep_at(back + timedelta(minutes=1))["fired"] == 0
    for sr in srs:
        assert [e.data["sequence"] for e in reminders(sr)] == [1]
        (following,) = pending(sr, "overdue")
        assert following.due_at == shanghai(2026, 10, 9, 9, 0)
    assert len(inbox_of(world.handler)) == 3


def test_a_closed_request_gets_nothing_more(world):
    with clock.frozen(WED):
        sr = logged(world, handler=world.handler)
        request_withdraw(actor=world.supervisor, request_id=sr.pk, reason="居民撤回")
    assert pending(sr) == []
    assert sweep_at(WED + timedelta(days=30))["fired"] == 0
    assert reminders(sr) == [] and InboxItem.objects.count() == 0


def test_a_step_the_request_no_longer_waits_for_is_cancelled_not_sent(world):
    with clock.frozen(WED):
        sr = in_state(world, "in_progress")
    ReminderStep.objects.create(request=sr, step="assign", sequence=9, due_at=WED)  # stale
    result = sweep_at(WED)
    assert result["cancelled"] == 1
    assert ReminderStep.objects.get(request=sr, step="assign", sequence=9).status == "cancelled"
    assert not InboxItem.objects.filter(kind="assign").exists()


def test_reassigning_restarts_the_accept_clock_for_the_new_handler(world):
    with clock.frozen(WED):
        sr = logged(world, handler=world.handler)
    first_deadline = sr.accept_due_at
    later = shanghai(2026, 10, 8, 15, 0)
    with clock.frozen(later):
        reminders_sweep()
        sr = request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.other_handler)
    assert sr.accept_due_at > first_deadline
    assert sr.accept_due_at == clock.add_working_days(later, world.other.accept_within)
    (step,) = pending(sr)
    assert (step.step, step.due_at) == ("accept", later)
    sweep_at(later + timedelta(minutes=1))
    assert len(inbox_of(world.handler)) == 1  # only the first reminder, from before
    assert [i.kind for i in inbox_of(world.other_handler)] == ["accept"]
    event = RequestEvent.objects.get(request=sr, action="reassign")
    assert event.data["previous_handler"] == world.handler.pk
    assert event.data["accept_due"] == clock.local(sr.accept_due_at).strftime("%Y-%m-%d %H:%M")
    request_accept(actor=world.other_handler, request_id=sr.pk)
    assert {s.step for s in pending(sr)} == {"due_soon", "due", "overdue"}


@pytest.mark.parametrize(
    ("moment", "texted"),
    [
        (shanghai(2026, 9, 30, 10, 0), True),
        (shanghai(2026, 9, 30, 20, 0), False),  # after office hours
        (shanghai(2026, 10, 3, 10, 0), False),  # a holiday
    ],
)
def test_staff_sms_only_to_those_who_asked_and_in_office_hours(world, monkeypatch, moment, texted):
    world.handler.memberships.update(wants_sms_reminders=True)
    sent = []
    monkeypatch.setattr(sweep_module, "queue_staff_sms", lambda users, sr, kind: sent.append((users, kind)))
    with clock.frozen(moment):
        logged(world, handler=world.handler)
        logged(world, handler=world.other_handler)  # did not ask
        reminders_sweep()
    assert InboxItem.objects.count() == 2  # the inbox gets them at any hour
    assert sent == ([([world.handler.pk], "accept")] if texted else [])


def test_an_idle_sweep_is_one_query(world, django_assert_num_queries):
    with clock.frozen(WED):
        in_state(world, "in_progress")
        with django_assert_num_queries(1):
            assert reminders_sweep()["fired"] == 0


def test_a_batch_costs_the_same_queries_for_one_step_or_many(world, django_assert_max_num_queries):
    with clock.frozen(WED):
        for _ in range(20):
            logged(world, handler=world.handler)
    on_sqlite_per_step = 20  # the conditional UPDATE that must change one row, one per step
    with clock.frozen(WED), django_assert_max_num_queries(12 + on_sqlite_per_step):
        assert reminders_sweep()["fired"] == 20

"""What each action leaves behind: the timeline, the resident's SMS notices, the reminder steps."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from requests import clock
from requests.errors import NotAllowed, TransitionError
from requests.models import Attachment, InboxItem, Outcome, ReminderStep, RequestEvent, ServiceRequest
from requests.services import (
    request_accept,
    request_answer_on_the_spot,
    request_assign,
    request_escalate,
    request_extension_decide,
    request_extension_request,
    request_rate_by_sms,
    request_refer,
    request_reject,
    request_reopen,
    request_resolve,
    request_return,
    request_return_visit,
    request_review,
    request_withdraw,
)
from residents.sms.models import SmsMessage
from tests.requests.conftest import in_state, logged, png, shanghai

pytestmark = pytest.mark.django_db


def pending(sr) -> list[tuple[str, int]]:
    return sorted(ReminderStep.objects.filter(request=sr, status="pending").values_list("step", "sequence"))


def notices(sr) -> list[str]:
    return list(SmsMessage.objects.filter(subject=sr.reference).order_by("id").values_list("kind", flat=True))


def timeline(sr) -> list[str]:
    return list(RequestEvent.objects.filter(request=sr).order_by("id").values_list("action", flat=True))


def test_wang_yuzhis_corridor_light(world, media):
    """Logged at the desk, fixed within half an hour, rated 满意 by SMS."""
    with clock.frozen(shanghai(2026, 11, 24, 9, 40)):
        sr = logged(world, category=world.urgent, description="3号楼2单元楼道灯不亮", photos=[png()])
    assert (sr.status, sr.handler) == ("assigned", world.grid_worker)  # the grid's worker, by rule
    with clock.frozen(shanghai(2026, 11, 24, 9, 45)):
        sr = request_accept(actor=world.grid_worker, request_id=sr.pk)
    with clock.frozen(shanghai(2026, 11, 24, 10, 10)):
        sr = request_resolve(
            actor=world.grid_worker,
            request_id=sr.pk,
            result="物业电工张师傅更换灯泡，材料费物业承担",  # for staff
            resident_result="已更换灯泡",  # what 王玉枝 is told
            photos=[png("after.png")],
        )
    assert sr.resolved_at - sr.logged_at == timedelta(minutes=30)
    assert pending(sr) == [("return_visit", 1)]
    with clock.frozen(shanghai(2026, 11, 24, 10, 30)):
        sr = request_rate_by_sms(request_id=sr.pk, reply=" 1 ")
    assert (sr.status, sr.outcome, sr.rating, sr.rating_source) == ("closed", "resolved", "satisfied", "sms")
    assert timeline(sr) == ["log", "accept", "resolve", "rate_by_sms"]
    assert RequestEvent.objects.filter(request=sr).last().by == "resident"
    assert notices(sr) == ["acknowledgement", "accepted", "resolved", "closed"]
    # the SMS carries the result written for the resident, never the staff's
    assert SmsMessage.objects.get(subject=sr.reference, kind="resolved").params["result"] == "已更换灯泡"
    assert pending(sr) == []  # closing stops them all
    assert sorted(Attachment.objects.filter(request=sr).values_list("kind", flat=True)) == ["after", "before"]


def test_accept_schedules_due_soon_due_and_overdue(world):
    with clock.frozen(shanghai(2026, 11, 23, 10, 0)):
        sr = logged(world)  # other: 5 working days → Mon 30 Nov 10:00
        sr = request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.handler)
        sr = request_accept(actor=world.handler, request_id=sr.pk)
    steps = dict(ReminderStep.objects.filter(request=sr, status="pending").values_list("step", "due_at"))
    assert steps == {
        "due_soon": shanghai(2026, 11, 27, 14, 30),  # a working half-day before
        "due": shanghai(2026, 11, 30, 10, 0),
        "overdue": shanghai(2026, 12, 1, 10, 0),
    }
    assert SmsMessage.objects.get(subject=sr.reference, kind="accepted").params["due"] == "2026-11-30 10:00"
    assert ReminderStep.objects.filter(request=sr, status="cancelled").count() == 2  # assign, accept


def test_return_and_reassign(world):
    sr = in_state(world, "in_progress")
    sr = request_return(actor=world.handler, request_id=sr.pk, reason="不是我的网格")
    assert (sr.status, sr.handler) == ("logged", None)
    assert pending(sr) == [("assign", 2)]
    sr = request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.other_handler)
    assert pending(sr) == [("accept", 2)]
    sr = request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.handler)
    assert timeline(sr)[-3:] == ["return", "assign", "reassign"]
    assert RequestEvent.objects.filter(request=sr).last().data["previous_handler"] == world.other_handler.pk
    with pytest.raises(ValidationError):
        request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.handler)  # already theirs


def test_refer_keeps_the_request_with_the_handler(world):
    sr = in_state(world, "in_progress")
    before = pending(sr)
    sr = request_refer(actor=world.handler, request_id=sr.pk, unit="滨河物业", unit_reference="WY-2026-118")
    assert (sr.status, sr.referred_to, sr.referred_reference) == ("in_progress", "滨河物业", "WY-2026-118")
    assert pending(sr) == before
    with pytest.raises(ValidationError):
        request_refer(actor=world.handler, request_id=sr.pk, unit="城管", unit_reference="")


def test_an_approved_extension_moves_the_deadline(world):
    sr = in_state(world, "in_progress")
    first_due = sr.resolve_due_at
    with pytest.raises(ValidationError):
        request_extension_request(
            actor=world.handler, request_id=sr.pk, new_due_at=first_due - timedelta(hours=1), reason="x"
        )
    new_due = first_due + timedelta(days=7)
    sr = request_extension_request(actor=world.handler, request_id=sr.pk, new_due_at=new_due, reason="等配件")
    assert sr.extension_pending and ("approve_extension", 1) in pending(sr)
    with pytest.raises(TransitionError):
        request_extension_request(actor=world.handler, request_id=sr.pk, new_due_at=new_due, reason="again")
    sr = request_extension_decide(actor=world.supervisor, request_id=sr.pk, approve=True)
    assert (sr.resolve_due_at, sr.original_resolve_due_at, sr.extension_pending) == (
        new_due,
        first_due,
        False,
    )
    assert pending(sr) == [("due", 2), ("due_soon", 2), ("overdue", 2)]  # rescheduled
    assert SmsMessage.objects.get(subject=sr.reference, kind="extended").params["reason"] == "等配件"


def test_a_denied_extension_changes_nothing_else(world):
    sr = in_state(world, "in_progress", extension=True)
    due, steps = sr.resolve_due_at, pending(sr)
    sr = request_extension_decide(actor=world.supervisor, request_id=sr.pk, approve=False, note="按期完成")
    assert (sr.resolve_due_at, sr.extension_pending, sr.extension_due_at) == (due, False, None)
    assert pending(sr) == [s for s in steps if s[0] != "approve_extension"]
    assert "extended" not in notices(sr)
    assert timeline(sr)[-1] == "deny_extension"


def test_the_sweep_escalates_and_the_handler_hears_of_it(world):
    sr = in_state(world, "in_progress")
    with pytest.raises(TransitionError):  # not overdue yet
        request_escalate(actor=None, request_id=sr.pk, note="已超期两天")
    with clock.frozen(sr.resolve_due_at + timedelta(days=2)):
        sr = request_escalate(actor=None, request_id=sr.pk, note="已超期两天")
    event = RequestEvent.objects.filter(request=sr).last()
    assert (event.action, event.by, event.actor) == ("escalate", "system", None)
    assert sr.escalated_at is not None
    item = InboxItem.objects.get()
    assert (item.user, item.kind, item.text) == (world.handler, "escalation", "已超期两天")


def test_return_visit_unreachable_only_after_three_tries(world):
    sr = in_state(world, "resolved")
    with pytest.raises(NotAllowed):
        request_return_visit(actor=world.handler, request_id=sr.pk, rating="satisfied")  # not their own
    with pytest.raises(TransitionError):
        request_return_visit(actor=world.desk_staff, request_id=sr.pk, rating="unreachable")
    for _ in range(3):
        sr = request_return_visit(actor=world.desk_staff, request_id=sr.pk, rating=None, note="无人接听")
        assert sr.status == "resolved"
    assert sr.return_visit_tries == 3 and pending(sr) == [("return_visit", 4)]
    sr = request_return_visit(actor=world.desk_staff, request_id=sr.pk, rating="unreachable")
    assert (sr.status, sr.rating, sr.rating_source) == ("closed", "unreachable", "return_visit")
    assert timeline(sr)[-4:] == ["return_visit_no_answer"] * 3 + ["return_visit"]
    assert pending(sr) == []


def test_dissatisfied_by_sms_goes_to_review_then_reopens(world):
    sr = in_state(world, "resolved")
    with clock.frozen(shanghai(2026, 11, 25, 11, 0)):
        sr = request_rate_by_sms(request_id=sr.pk, reply="3")
    assert (sr.status, sr.review_pending, sr.rating) == ("resolved", True, "dissatisfied")
    assert pending(sr) == [("review", 1)]
    assert notices(sr)[-1] == "resolved"  # no SMS for a 3
    with pytest.raises(TransitionError):
        request_return_visit(actor=world.desk_staff, request_id=sr.pk, rating="satisfied")
    with pytest.raises(TransitionError):
        request_rate_by_sms(request_id=sr.pk, reply="1")
    with clock.frozen(shanghai(2026, 11, 25, 14, 0)):
        sr = request_review(actor=world.supervisor, request_id=sr.pk, reopen=True, reason="灯又不亮了")
    assert (sr.status, sr.review_pending, sr.rating, sr.reopened_at) == (
        "in_progress",
        False,
        "",
        shanghai(2026, 11, 25, 14, 0),
    )
    assert clock.local(sr.resolve_due_at) == shanghai(2026, 12, 2, 14, 0)  # 5 working days anew
    assert [s for s, _n in pending(sr)] == ["due", "due_soon", "overdue"]
    assert notices(sr)[-1] == "reopened"


def test_review_may_close(world):
    sr = in_state(world, "resolved", review=True)
    sr = request_review(actor=world.supervisor, request_id=sr.pk, reopen=False, reason="已向居民解释政策")
    assert (sr.status, sr.outcome, sr.rating, sr.review_pending) == (
        "closed",
        "resolved",
        "dissatisfied",
        False,
    )
    assert pending(sr) == [] and notices(sr)[-1] == "closed"


def test_reopen_within_thirty_days(world):
    with clock.frozen(shanghai(2026, 10, 9, 10, 0)):
        sr = in_state(world, "closed")
    with clock.frozen(shanghai(2026, 11, 9, 10, 0)), pytest.raises(TransitionError):
        request_reopen(actor=world.supervisor, request_id=sr.pk, reason="又坏了")
    with clock.frozen(shanghai(2026, 11, 6, 10, 0)):
        sr = request_reopen(actor=world.supervisor, request_id=sr.pk, reason="又坏了")
    assert (sr.status, sr.outcome, sr.closed_at, sr.handler) == ("in_progress", "", None, world.handler)


def test_reopening_a_request_without_handler_names_one(world):
    sr = request_answer_on_the_spot(
        actor=world.desk_staff, community=world.binxi, category=world.subsidy, description="?", answer="!"
    )
    with pytest.raises(ValidationError):
        request_reopen(actor=world.supervisor, request_id=sr.pk, reason="没说清楚")
    sr = request_reopen(actor=world.supervisor, request_id=sr.pk, reason="没说清楚", handler=world.handler)
    assert (sr.status, sr.handler) == ("in_progress", world.handler)


def test_withdraw_and_reject_close_and_stop_everything(world):
    sr = in_state(world, "in_progress")
    sr = request_withdraw(actor=world.desk_staff, request_id=sr.pk, reason="居民自行解决")
    assert (sr.status, sr.outcome) == ("closed", "withdrawn") and pending(sr) == []
    closed = SmsMessage.objects.filter(subject=sr.reference).order_by("id").last()
    assert closed.kind == "closed" and closed.params["outcome"] == str(Outcome.WITHDRAWN.label)
    with pytest.raises(NotAllowed):
        request_withdraw(actor=world.volunteer, request_id=logged(world).pk, reason="x")
    other = request_reject(actor=world.supervisor, request_id=logged(world).pk, reason="属于法院受理范围")
    assert (other.status, other.outcome) == ("closed", "rejected") and pending(other) == []
    rejected = SmsMessage.objects.filter(subject=other.reference).order_by("id").last()
    assert rejected.params["outcome"] == str(Outcome.REJECTED.label) and "属于法院受理范围" in rejected.text


def test_a_refused_action_changes_nothing(world, media):
    sr = in_state(world, "in_progress")
    events, steps = timeline(sr), pending(sr)
    with pytest.raises(ValidationError):
        request_resolve(
            actor=world.handler,
            request_id=sr.pk,
            result="done",
            photos=[SimpleUploadedFile("a.gif", b"GIF89a")],
        )
    with pytest.raises(ValidationError):
        request_resolve(actor=world.handler, request_id=sr.pk, result=" ")
    row = ServiceRequest.objects.get(pk=sr.pk)
    assert (row.status, row.result, timeline(sr), pending(sr)) == ("in_progress", "", events, steps)
    assert not Attachment.objects.exists()


def test_a_deactivated_handler_can_no_longer_act(world):
    from residents.models import Membership

    sr = in_state(world, "assigned")
    Membership.objects.filter(user=world.handler).update(is_active=False)
    world.handler.__dict__.pop("_doorstep_places", None)
    with pytest.raises(NotAllowed):
        request_accept(actor=world.handler, request_id=sr.pk)


def test_a_closed_request_never_reads_like_one_waiting_for_its_return_visit(world):
    from django.utils import translation

    resolved, closed = in_state(world, "resolved"), in_state(world, "closed")
    with translation.override("zh-hans"):
        assert (resolved.state_label, closed.state_label) == ("已办结", "已结束 · 已办结")
    with translation.override("en"):
        assert closed.state_label == "Closed · Resolved"

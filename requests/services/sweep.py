"""The reminder sweep (DESIGN §4.4): every due ReminderStep fires once, until the request is closed.

Beat runs `reminders_sweep()` every SWEEP_INTERVAL_SECONDS (requests/tasks.py); any number of sweeps
may run at once, in any number of worker processes. A batch is one transaction:

1. Whether any step is due (the partial index on pending steps: an idle sweep reads nothing else).
2. Lock up to BATCH requests with due steps FIRST — `select_for_update(skip_locked=True)`: a request
   that a transition (or another sweep) holds is skipped, never waited on, so two sweeps take
   different requests — then claim their due steps: on PostgreSQL
   `select_for_update(skip_locked=True)` of the pending rows and one UPDATE; on SQLite (one writer,
   IMMEDIATE transactions, no row locks) a conditional UPDATE per step that must change exactly one
   row. DESIGN §4.1: anything that locks several rows locks the request first, so a sweep and a
   transition that cancels the steps of the request it holds never deadlock.
3. For each claimed step: a timeline line, an inbox item for each person who must act, a staff SMS
   for those who asked (office hours only; see `_staff_sms`), and the next step of a repeating kind.
   The overdue step repeats each working day and, from the second overdue day, also escalates
   (督办) to the community's supervisors.

Catching up: the next step is counted from the moment the step fires, not from when it was due, so
after beat or the workers were down each due step fires once, not once per missed interval. A
transition cancels the steps it ends (requests/reminders.replace_steps): a cancelled step never
fires, and closing cancels them all.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max

from requests import clock
from requests.followup_models import STEP_TO_HANDLER, STEP_TO_SUPERVISORS, InboxItem, ReminderStep, Step
from requests.notifications import queue_staff_sms
from requests.request_models import EventAction, EventBy, RequestEvent, ServiceRequest, Status
from residents.members import memberships_with
from residents.roles import Can, role_can

BATCH = 200
# Each step kind repeats (each working day) while the request still waits for it; due soon and due
# fire once (the overdue step after them is already scheduled).
REPEATS = frozenset(
    {Step.ASSIGN, Step.ACCEPT, Step.OVERDUE, Step.APPROVE_EXTENSION, Step.REVIEW, Step.RETURN_VISIT}
)
ESCALATE_FROM_OVERDUE_DAY = 2


@dataclass
class SweepResult:
    fired: int = 0
    cancelled: int = 0
    escalated: int = 0
    inbox_items: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return {
            "fired": self.fired,
            "cancelled": self.cancelled,
            "escalated": self.escalated,
            "inbox_items": self.inbox_items,
            "batches": self.batches,
        }


@dataclass(frozen=True)
class _Member:
    user_id: int
    role: str
    wants_sms: bool


def _members_by_community(community_ids) -> dict[int, list[_Member]]:
    """The active members of each community who may do anything a step asks (one query):
    residents' `memberships_with`, read once per batch, filtered per step by `_with`."""
    found: dict[int, list[_Member]] = defaultdict(list)
    rows = (
        memberships_with(list(community_ids), Can.LOG_REQUESTS)
        .filter(user__is_active=True)
        .values_list("community_id", "user_id", "role", "wants_sms_reminders")
    )
    for community_id, user_id, role, wants_sms in rows:
        found[community_id].append(_Member(user_id, role, wants_sms))
    return found


def _with(members: list[_Member], capability: Can) -> list[_Member]:
    return [m for m in members if role_can(m.role, capability)]


def recipients(step: str, sr: ServiceRequest, members: list[_Member]) -> list[_Member]:
    """Whose the step is (DESIGN §4.2): supervisors for assign / approve extension / review; the
    handler for accept / due soon / due / overdue; for a return visit, the staff who may visit,
    the handler excepted."""
    if step in STEP_TO_SUPERVISORS:
        return _with(members, Can.SUPERVISE)
    if step in STEP_TO_HANDLER:
        if sr.handler_id is None:
            return []
        found = [m for m in members if m.user_id == sr.handler_id]
        return found or [_Member(sr.handler_id, "", False)]
    assert step == Step.RETURN_VISIT
    return [m for m in _with(members, Can.RETURN_VISIT) if m.user_id != sr.handler_id]


def still_waiting(step: str, sr: ServiceRequest) -> bool:
    """Whether the request still waits for what the step reminds of (else the step is cancelled).
    Transitions cancel the steps they end; this guards a step a transition forgot."""
    return {
        Step.ASSIGN: sr.status == Status.LOGGED,
        Step.ACCEPT: sr.status == Status.ASSIGNED,
        Step.DUE_SOON: sr.status == Status.IN_PROGRESS,
        Step.DUE: sr.status == Status.IN_PROGRESS,
        Step.OVERDUE: sr.status == Status.IN_PROGRESS,
        Step.APPROVE_EXTENSION: sr.status == Status.IN_PROGRESS and sr.extension_pending,
        Step.REVIEW: sr.status == Status.RESOLVED and sr.review_pending,
        Step.RETURN_VISIT: sr.status == Status.RESOLVED and not sr.review_pending,
    }.get(step, False)


def next_working_day(at: datetime) -> datetime:
    """The same time of day on the next working day (the official calendar, 调休 included), moved to
    the office's opening when that time is outside office hours."""
    moment = clock.local(at)
    day = clock.next_workday(moment.date())
    candidate = datetime.combine(day, moment.time().replace(tzinfo=None), tzinfo=clock.zone())
    if not clock.office_opens(day) <= candidate < clock.office_closes(day):
        return clock.office_opens(day)
    return candidate


def next_due(step: str, sr: ServiceRequest, at: datetime) -> datetime | None:
    """When the step fires again (None: it does not repeat). Counted from now, so a sweep after
    downtime schedules one next step, not one per missed day. The accept reminder (first due at
    assignment) comes back at the accept deadline, then each working day."""
    if step not in REPEATS:
        return None
    if step == Step.ACCEPT and sr.accept_due_at and sr.accept_due_at > at:
        return sr.accept_due_at
    return next_working_day(at)


def reminders_sweep(*, batch: int = BATCH) -> dict:
    """Fire every due step once; returns what it did. Safe to run in several processes at once."""
    result = SweepResult()
    while True:
        at = clock.now()
        due = ReminderStep.objects.filter(status=ReminderStep.State.PENDING, due_at__lte=at)
        # The idle sweep: this one query. Ordered by due_at so PostgreSQL reads the partial index
        # of pending steps (a bare EXISTS estimated "many due" and scanned the table: 255 ms at
        # 400,000 steps, against 0.02 ms on the index).
        if not due.order_by("due_at").values_list("pk", flat=True)[:1]:
            return result.as_dict()
        if not _fire_batch(due, at, batch, result):
            return result.as_dict()  # what is left is in other hands (a transition, another sweep)
        result.batches += 1


@transaction.atomic
def _fire_batch(due, at: datetime, batch: int, result: SweepResult) -> bool:
    """One transaction: lock up to `batch` requests with due steps (skipping those another
    transaction holds), claim their due steps, write what each step owes. False: nothing to lock."""
    locked = {
        sr.pk: sr
        for sr in ServiceRequest.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk__in=due.values("request_id")
        )[:batch]
    }
    if not locked:
        return False
    steps = _claim(due.filter(request_id__in=list(locked)), at)
    if not steps:
        return True
    members = _members_by_community({locked[s.request_id].community_id for s in steps})
    last_sequence = _last_sequences(steps)
    events: list[RequestEvent] = []
    items: list[InboxItem] = []
    next_steps: list[ReminderStep] = []
    cancelled: list[int] = []
    escalated: list[int] = []
    for step in steps:
        sr = locked[step.request_id]
        if not still_waiting(step.step, sr):
            cancelled.append(step.pk)
            continue
        community = members.get(sr.community_id, [])
        to = recipients(step.step, sr, community)
        data = {"step": step.step, "sequence": step.sequence, "to": len(to)}
        events.append(_event(sr, EventAction.REMIND, at, data))
        items += [InboxItem(user_id=m.user_id, request=sr, kind=step.step, created_at=at) for m in to]
        _staff_sms(to, sr, step.step, at)
        if step.step == Step.OVERDUE and step.sequence >= ESCALATE_FROM_OVERDUE_DAY:
            supervisors = _with(community, Can.SUPERVISE)
            escalated.append(sr.pk)
            events.append(_event(sr, EventAction.ESCALATE, at, {"overdue_day": step.sequence}))
            items += [
                InboxItem(user_id=m.user_id, request=sr, kind=InboxItem.Kind.ESCALATION, created_at=at)
                for m in supervisors
            ]
            _staff_sms(supervisors, sr, InboxItem.Kind.ESCALATION, at)
        if (due_at := next_due(step.step, sr, at)) is not None:
            sequence = last_sequence[(sr.pk, step.step)] + 1
            last_sequence[(sr.pk, step.step)] = sequence
            next_steps.append(
                ReminderStep(request=sr, step=step.step, sequence=sequence, due_at=due_at, created_at=at)
            )
    if cancelled:
        ReminderStep.objects.filter(pk__in=cancelled).update(status=ReminderStep.State.CANCELLED)
    if escalated:
        ServiceRequest.objects.filter(pk__in=escalated).update(escalated_at=at, updated_at=at)
    RequestEvent.objects.bulk_create(events)
    InboxItem.objects.bulk_create(items)
    ReminderStep.objects.bulk_create(next_steps)
    result.fired += len(steps) - len(cancelled)
    result.cancelled += len(cancelled)
    result.escalated += len(escalated)
    result.inbox_items += len(items)
    return True


def _claim(pending, at: datetime) -> list[ReminderStep]:
    """Claim the due steps of the requests this transaction holds: each still pending, marked done
    here, once. PostgreSQL: lock them (skip_locked) and one UPDATE; SQLite (one writer, no row
    locks): a conditional UPDATE per step that must change exactly one row."""
    pending = pending.order_by("due_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        steps = list(pending.select_for_update(skip_locked=True))
        ReminderStep.objects.filter(pk__in=[s.pk for s in steps]).update(
            status=ReminderStep.State.DONE, done_at=at
        )
        return steps
    claimed = []
    for step in pending:
        changed = ReminderStep.objects.filter(
            pk=step.pk, status=ReminderStep.State.PENDING, due_at__lte=at
        ).update(status=ReminderStep.State.DONE, done_at=at)
        if changed == 1:
            claimed.append(step)
    return claimed


def _last_sequences(steps: list[ReminderStep]) -> dict[tuple[int, str], int]:
    rows = (
        ReminderStep.objects.filter(
            request_id__in={s.request_id for s in steps}, step__in={s.step for s in steps}
        )
        .values("request_id", "step")
        .annotate(last=Max("sequence"))
        .values_list("request_id", "step", "last")
    )
    return defaultdict(int, {(request_id, step): last for request_id, step, last in rows})


def _event(sr: ServiceRequest, action: str, at: datetime, data: dict) -> RequestEvent:
    return RequestEvent(
        request=sr,
        actor=None,
        by=EventBy.SYSTEM,
        action=action,
        from_status=sr.status,
        to_status=sr.status,
        data=data,
        created_at=at,
    )


def _staff_sms(to: list[_Member], sr: ServiceRequest, kind: str, at: datetime) -> None:
    """A text for the members who asked for SMS reminders, in office hours only."""
    wanting = [m.user_id for m in to if m.wants_sms]
    if wanting and clock.in_office_hours(at):
        queue_staff_sms(wanting, sr, kind)

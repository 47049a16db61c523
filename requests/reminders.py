"""Reminder steps (DESIGN §4.4): what the services schedule and cancel; the sweep sends them.

Each action replaces the request's pending steps as the §4.1 table's last column says, with one
UPDATE (cancel), at most one SELECT (the next sequence numbers) and one INSERT.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max

from requests import clock
from requests.category_models import DeadlineUnit
from requests.followup_models import ReminderStep, Step
from requests.request_models import ServiceRequest

ALL = tuple(Step)
DUE_STEPS = (Step.DUE_SOON, Step.DUE, Step.OVERDUE)


def due_steps(sr: ServiceRequest, at: datetime) -> list[tuple[str, datetime]]:
    """Due soon (a working half-day before), due, and the first overdue (a working day after)."""
    due = sr.resolve_due_at
    unit = DeadlineUnit.WORKING_DAYS if sr.hotline_reference else sr.category.resolve_unit
    return [
        (Step.DUE_SOON, clock.due_soon_at(due, unit, not_before=at)),
        (Step.DUE, due),
        (Step.OVERDUE, clock.add_working_days(due, 1)),
    ]


def replace_steps(
    sr: ServiceRequest,
    *,
    cancel: Iterable[str] = (),
    add: Iterable[tuple[str, datetime]] = (),
    at: datetime,
    new_request: bool = False,
) -> list[ReminderStep]:
    """Cancel the request's pending steps of the kinds in `cancel`, then add `add` (step, due_at)."""
    cancel, add = list(cancel), list(add)
    if cancel and not new_request:
        ReminderStep.objects.filter(request=sr, status=ReminderStep.State.PENDING, step__in=cancel).update(
            status=ReminderStep.State.CANCELLED, done_at=at
        )
    if not add:
        return []
    last: dict[str, int] = {}
    if not new_request:
        last = dict(
            ReminderStep.objects.filter(request=sr, step__in=[step for step, _due in add])
            .values("step")
            .annotate(last=Max("sequence"))
            .values_list("step", "last")
        )
    rows = [
        ReminderStep(request=sr, step=step, sequence=last.get(step, 0) + 1, due_at=due, created_at=at)
        for step, due in add
    ]
    return ReminderStep.objects.bulk_create(rows)

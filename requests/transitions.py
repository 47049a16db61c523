"""DESIGN §4.1 as data: which action may move a request from which status, and who may take it.

Every service in requests/services/ calls `check()` with its action before it changes anything,
and the pages ask `allowed()` which buttons to show — both read the one TRANSITIONS table below.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from requests.errors import NotAllowed, TransitionError
from requests.request_models import UNRESOLVED_STATUSES, ServiceRequest, Status
from residents.roles import Can, Role
from residents.scoping import can, places

REOPEN_WITHIN = timedelta(days=30)
UNREACHABLE_AFTER_TRIES = 3


class Action(models.TextChoices):
    """The rows of DESIGN §4.1 (plus adding a photo, which changes no state); the label fills
    "Cannot %(action)s" and "You are not allowed to %(action)s on this request"."""

    LOG = "log", _("log")
    ANSWER = "answer", _("answer on the spot")
    ASSIGN = "assign", _("assign")
    ACCEPT = "accept", _("accept")
    RETURN = "return", _("return")
    REFER = "refer", _("refer")
    REQUEST_EXTENSION = "request_extension", _("request an extension")
    DECIDE_EXTENSION = "decide_extension", _("approve or deny the extension")
    ESCALATE = "escalate", _("escalate")
    RESOLVE = "resolve", _("resolve")
    RETURN_VISIT = "return_visit", _("make the return visit")
    RATE_BY_SMS = "rate_by_sms", _("rate")
    REVIEW = "review", _("review")
    REOPEN = "reopen", _("reopen")
    WITHDRAW = "withdraw", _("withdraw")
    REJECT = "reject", _("reject")
    ADD_PHOTO = "add_photo", _("add a photo")


class Who(StrEnum):
    INTAKE = "intake"  # Can.LOG_REQUESTS: volunteers, desk staff, grid workers, supervisors
    DESK_OR_SUPERVISOR = "desk_or_supervisor"  # desk staff or Can.SUPERVISE: withdraw, handler at intake
    SUPERVISOR = "supervisor"  # Can.SUPERVISE
    SUPERVISOR_OR_SWEEP = "supervisor_or_sweep"  # ... or the reminder sweep (no user)
    HANDLER = "handler"  # the request's handler, while they may still be one
    HANDLER_OR_SUPERVISOR = "handler_or_supervisor"
    VISITOR = "visitor"  # Can.RETURN_VISIT, and not the request's handler
    RESIDENT = "resident"  # a reply by SMS (no user)


def is_desk_staff(user, community_id: int) -> bool:
    # §4.1 names the desk role itself (withdraw, assign at intake): no capability of §4.2 says it.
    place = places(user).get(community_id)
    return place is not None and place.role == Role.DESK_STAFF


def permits(who: Who, user, community_id: int, handler_id: int | None) -> bool:
    if user is None:
        return who in (Who.RESIDENT, Who.SUPERVISOR_OR_SWEEP)
    is_handler = handler_id is not None and user.pk == handler_id and can(user, community_id, Can.BE_HANDLER)
    supervises = can(user, community_id, Can.SUPERVISE)
    return {
        Who.INTAKE: lambda: can(user, community_id, Can.LOG_REQUESTS),
        Who.DESK_OR_SUPERVISOR: lambda: supervises or is_desk_staff(user, community_id),
        Who.SUPERVISOR: lambda: supervises,
        Who.SUPERVISOR_OR_SWEEP: lambda: supervises,
        Who.HANDLER: lambda: is_handler,
        Who.HANDLER_OR_SUPERVISOR: lambda: is_handler or supervises,
        Who.VISITOR: lambda: can(user, community_id, Can.RETURN_VISIT) and user.pk != handler_id,
        Who.RESIDENT: lambda: False,
    }[who]()


# A guard returns why a request in an allowed status still cannot take the action, or None.
Guard = Callable[[ServiceRequest, datetime], object | None]


def _extension_not_pending(sr, at):
    return _("An extension is already waiting for approval.") if sr.extension_pending else None


def _extension_pending(sr, at):
    return None if sr.extension_pending else _("No extension is waiting for approval.")


def _review_pending(sr, at):
    return None if sr.review_pending else _("There is no dissatisfaction to review.")


def _no_review_pending(sr, at):
    return _("The resident is dissatisfied: a supervisor reviews it first.") if sr.review_pending else None


def _closed_recently(sr, at):
    if sr.closed_at is None or at - sr.closed_at > REOPEN_WITHIN:
        return _("Only a request closed within the last 30 days can be reopened.")
    return None


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]  # the statuses it starts from; empty: it creates the request
    targets: tuple[str, ...]
    who: Who
    sms: tuple[str, ...] = ()  # the SMS kinds it may write (residents.sms.models.Kind)
    steps: str = ""  # the table's reminder column, for the reader
    guard: Guard | None = None


S = Status
_UNRESOLVED = frozenset(UNRESOLVED_STATUSES)

TRANSITIONS: dict[str, Rule] = {
    Action.LOG: Rule(
        frozenset(), (S.LOGGED, S.ASSIGNED), Who.INTAKE, ("acknowledgement",), "assign or accept"
    ),
    Action.ANSWER: Rule(frozenset(), (S.CLOSED,), Who.INTAKE, ("answered",), "none"),
    Action.ASSIGN: Rule(_UNRESOLVED, (S.ASSIGNED,), Who.SUPERVISOR, (), "accept"),
    Action.ACCEPT: Rule(
        frozenset({S.ASSIGNED}), (S.IN_PROGRESS,), Who.HANDLER, ("accepted",), "due soon, due, overdue"
    ),
    Action.RETURN: Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), (S.LOGGED,), Who.HANDLER, (), "assign"),
    Action.REFER: Rule(frozenset({S.IN_PROGRESS}), (S.IN_PROGRESS,), Who.HANDLER, (), "unchanged"),
    Action.REQUEST_EXTENSION: Rule(
        frozenset({S.IN_PROGRESS}),
        (S.IN_PROGRESS,),
        Who.HANDLER,
        (),
        "approve extension",
        _extension_not_pending,
    ),
    Action.DECIDE_EXTENSION: Rule(
        frozenset({S.IN_PROGRESS}),
        (S.IN_PROGRESS,),
        Who.SUPERVISOR,
        ("extended",),
        "rescheduled",
        _extension_pending,
    ),
    Action.ESCALATE: Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS}),
        (S.ASSIGNED, S.IN_PROGRESS),
        Who.SUPERVISOR_OR_SWEEP,
        (),
        "handler notified",
    ),
    Action.RESOLVE: Rule(
        frozenset({S.IN_PROGRESS}), (S.RESOLVED,), Who.HANDLER, ("resolved",), "return visit"
    ),
    Action.RETURN_VISIT: Rule(
        frozenset({S.RESOLVED}), (S.CLOSED, S.RESOLVED), Who.VISITOR, ("closed",), "stop", _no_review_pending
    ),
    Action.RATE_BY_SMS: Rule(
        frozenset({S.RESOLVED}),
        (S.CLOSED, S.RESOLVED),
        Who.RESIDENT,
        ("closed",),
        "stop or review",
        _no_review_pending,
    ),
    Action.REVIEW: Rule(
        frozenset({S.RESOLVED}),
        (S.IN_PROGRESS, S.CLOSED),
        Who.SUPERVISOR,
        ("reopened", "closed"),
        "due or stop",
        _review_pending,
    ),
    Action.REOPEN: Rule(
        frozenset({S.CLOSED}),
        (S.IN_PROGRESS,),
        Who.SUPERVISOR,
        ("reopened",),
        "due steps anew",
        _closed_recently,
    ),
    Action.WITHDRAW: Rule(_UNRESOLVED, (S.CLOSED,), Who.DESK_OR_SUPERVISOR, ("closed",), "stop"),
    Action.REJECT: Rule(frozenset({S.LOGGED, S.ASSIGNED}), (S.CLOSED,), Who.SUPERVISOR, ("closed",), "stop"),
    # Not a row of DESIGN §4.1: a photo changes no state.
    Action.ADD_PHOTO: Rule(_UNRESOLVED | {S.RESOLVED}, (), Who.HANDLER_OR_SUPERVISOR),
}


def check(action: str, *, actor, sr: ServiceRequest | None, community_id: int, at: datetime) -> None:
    """Raise TransitionError if the request's state does not allow `action`, NotAllowed if the actor
    may not take it; `sr` is None for the actions that create a request."""
    rule = TRANSITIONS[action]
    label = Action(action).label
    if sr is not None:
        if sr.status not in rule.sources:
            raise TransitionError(
                _("Cannot %(action)s: the request is “%(state)s”.")
                % {"action": label, "state": sr.state_label}
            )
        if rule.guard and (reason := rule.guard(sr, at)):
            raise TransitionError(reason)
    handler_id = sr.handler_id if sr is not None else None
    if not permits(rule.who, actor, community_id, handler_id):
        raise NotAllowed(_("You are not allowed to %(action)s on this request.") % {"action": label})


def allowed(*, actor, sr: ServiceRequest, at: datetime) -> list[str]:
    """The actions `actor` may take on `sr` now (for the buttons a page shows)."""
    result = []
    for action, rule in TRANSITIONS.items():
        if not rule.sources or sr.status not in rule.sources or rule.who == Who.RESIDENT:
            continue
        if rule.guard and rule.guard(sr, at):
            continue
        if permits(rule.who, actor, sr.community_id, sr.handler_id):
            result.append(action)
    return result

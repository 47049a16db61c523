"""A refused call changes nothing, for every service (DESIGN §4.1, §8).

test_transitions.py refuses every action from every status it does not start from and for every
role that may not take it. Here are the other refusals: a blank reason, note or result, a wrong
value, a guard of the table (an extension already waiting, no dissatisfaction to review, too late
to reopen, unreachable before three tries), and the roles a service checks beyond the table. After
each, every row of every table and every stored file is as it was (tests/requests/unchanged.py).

The cases are keyed by the TRANSITIONS table: an action added to the table without refusal cases
here fails `test_every_action_refuses_bad_input[<action>]`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from desks.models import Screening
from requests import clock, services
from requests.errors import NotAllowed, TransitionError
from requests.models import InboxItem, ServiceRequest
from requests.transitions import TRANSITIONS
from tests.requests.conftest import in_state, logged, png
from tests.requests.unchanged import differences, everything

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = ("note.gif", b"GIF89a")


def not_a_photo():
    return SimpleUploadedFile(NOT_A_PHOTO[0], NOT_A_PHOTO[1], content_type="image/gif")


@dataclass
class Refusal:
    label: str
    error: type[Exception]
    args: Callable = lambda w, sr: {}  # overrides of the valid call's arguments
    actor: str | None = "default"  # a `world` attribute; None: no user (the sweep, the resident)
    state: str | None = "default"
    extension: bool = False
    review: bool = False
    prepare: Callable | None = None  # (world, sr) -> sr, before the "before" snapshot


@dataclass
class Service:
    call: Callable
    state: str | None  # None: the call creates the request
    actor: str | None
    valid: Callable  # (world, sr) -> keyword arguments of a call that would succeed
    refusals: list[Refusal] = field(default_factory=list)
    prepare: Callable | None = None  # (world, sr) -> sr, for the valid call and refusals without one


def intake(w, sr):
    return {
        "community": w.binxi,
        "category": w.subsidy,
        "description": "二孩补贴怎么申请？",
        "resident": w.wang,
    }


BLANK = "  \n "

SERVICES: dict[str, Service] = {
    "log": Service(
        services.request_log,
        None,
        "desk_staff",
        intake,
        [
            Refusal("a blank description", ValidationError, lambda w, sr: {"description": BLANK}),
            Refusal("no category", ValidationError, lambda w, sr: {"category": None}),
            Refusal("another community's resident", ValidationError, lambda w, sr: {"resident": w.stranger}),
            Refusal(
                "a hotline request without its reference",
                ValidationError,
                lambda w, sr: {"source": "hotline"},
            ),
            Refusal("an unknown priority", ValidationError, lambda w, sr: {"priority": "whenever"}),
            Refusal("a handler who may not be one", ValidationError, lambda w, sr: {"handler": w.volunteer}),
            Refusal(
                "a volunteer choosing the handler",
                NotAllowed,
                lambda w, sr: {"handler": w.handler},
                "volunteer",
            ),
            Refusal("a photo that is not one", ValidationError, lambda w, sr: {"photos": [not_a_photo()]}),
        ],
    ),
    "answer": Service(
        services.request_answer_on_the_spot,
        None,
        "desk_staff",
        lambda w, sr: {**intake(w, sr), "answer": "带户口本到社区登记"},
        [
            Refusal("a blank answer", ValidationError, lambda w, sr: {"answer": BLANK}),
            Refusal("a blank question", ValidationError, lambda w, sr: {"description": BLANK}),
            Refusal("another community's resident", ValidationError, lambda w, sr: {"resident": w.stranger}),
        ],
    ),
    "assign": Service(
        services.request_assign,
        "logged",
        "supervisor",
        lambda w, sr: {"handler": w.handler},
        [
            Refusal("no handler", ValidationError, lambda w, sr: {"handler": None}),
            Refusal("a volunteer as handler", ValidationError, lambda w, sr: {"handler": w.volunteer}),
            Refusal("another community's member", ValidationError, lambda w, sr: {"handler": w.outsider}),
            Refusal("the same handler again", ValidationError, state="assigned"),
        ],
    ),
    "accept": Service(
        services.request_accept,
        "assigned",
        "handler",
        lambda w, sr: {},
        [Refusal("a handler it was not assigned to", NotAllowed, actor="other_handler")],
    ),
    "return": Service(
        services.request_return,
        "in_progress",
        "handler",
        lambda w, sr: {"reason": "不属于本人网格"},
        [
            Refusal("a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}),
            Refusal("a reason too long", ValidationError, lambda w, sr: {"reason": "长" * 1001}),
        ],
    ),
    "refer": Service(
        services.request_refer,
        "in_progress",
        "handler",
        lambda w, sr: {"unit": "供电所", "unit_reference": "GD-7"},
        [
            Refusal("a blank unit", ValidationError, lambda w, sr: {"unit": BLANK}),
            Refusal("a blank reference", ValidationError, lambda w, sr: {"unit_reference": ""}),
        ],
    ),
    "request_extension": Service(
        services.request_extension_request,
        "in_progress",
        "handler",
        lambda w, sr: {"new_due_at": sr.resolve_due_at + timedelta(days=30), "reason": "等配件"},
        [
            Refusal("a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}),
            Refusal("no new due time", ValidationError, lambda w, sr: {"new_due_at": None}),
            Refusal(
                "a due time without a time zone",
                ValidationError,
                lambda w, sr: {"new_due_at": (sr.resolve_due_at + timedelta(days=3)).replace(tzinfo=None)},
            ),
            Refusal(
                "a due time earlier than the current one",
                ValidationError,
                lambda w, sr: {"new_due_at": sr.resolve_due_at - timedelta(hours=1)},
            ),
            Refusal(
                "a due time more than a year away",
                ValidationError,
                lambda w, sr: {"new_due_at": clock.now() + timedelta(days=400)},
            ),
            Refusal("an extension already waiting", TransitionError, extension=True),
        ],
    ),
    "decide_extension": Service(
        services.request_extension_decide,
        "in_progress",
        "supervisor",
        lambda w, sr: {"approve": True},
        [
            Refusal("approving when nothing waits", TransitionError),
            Refusal("denying when nothing waits", TransitionError, lambda w, sr: {"approve": False}),
            Refusal("the handler deciding their own", NotAllowed, actor="handler", extension=True),
        ],
    ),
    "escalate": Service(
        services.request_escalate,
        "in_progress",
        "supervisor",
        lambda w, sr: {"note": "请尽快处理"},
        [
            Refusal("a blank note", ValidationError, lambda w, sr: {"note": BLANK}),
            Refusal("the sweep, before the request is overdue", TransitionError, actor=None),
            Refusal("the handler", NotAllowed, actor="handler"),
        ],
    ),
    "resolve": Service(
        services.request_resolve,
        "in_progress",
        "handler",
        lambda w, sr: {"result": "已更换灯泡"},
        [
            Refusal("a blank result", ValidationError, lambda w, sr: {"result": BLANK}),
            Refusal("a photo that is not one", ValidationError, lambda w, sr: {"photos": [not_a_photo()]}),
            Refusal(
                "a good photo beside a bad one",
                ValidationError,
                lambda w, sr: {"photos": [png(), not_a_photo()]},
            ),
        ],
    ),
    "return_visit": Service(
        services.request_return_visit,
        "resolved",
        "supervisor",
        lambda w, sr: {"rating": "satisfied"},
        [
            Refusal("an unknown rating", ValidationError, lambda w, sr: {"rating": "great"}),
            Refusal(
                "unreachable before three tries", TransitionError, lambda w, sr: {"rating": "unreachable"}
            ),
            Refusal("the handler visiting their own", NotAllowed, actor="handler"),
            Refusal("while a dissatisfied rating waits for review", TransitionError, review=True),
            Refusal(
                "no answer while a dissatisfied rating waits",
                TransitionError,
                lambda w, sr: {"rating": None},
                review=True,
            ),
        ],
    ),
    "rate_by_sms": Service(
        services.request_rate_by_sms,
        "resolved",
        None,
        lambda w, sr: {"reply": "1"},
        [
            Refusal("a reply that is no rating", ValidationError, lambda w, sr: {"reply": "5"}),
            Refusal("an empty reply", ValidationError, lambda w, sr: {"reply": " "}),
            Refusal("a second reply after 3", TransitionError, review=True),
        ],
    ),
    "review": Service(
        services.request_review,
        "resolved",
        "supervisor",
        lambda w, sr: {"reopen": True, "reason": "居民仍不满意"},
        [
            Refusal(
                "reopening with a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}, review=True
            ),
            Refusal(
                "closing with a blank reason",
                ValidationError,
                lambda w, sr: {"reopen": False, "reason": ""},
                review=True,
            ),
            Refusal("nothing to review", TransitionError),
        ],
    ),
    "reopen": Service(
        services.request_reopen,
        "closed",
        "supervisor",
        lambda w, sr: {"reason": "又坏了"},
        [
            Refusal("a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}),
            Refusal("a handler who may not be one", ValidationError, lambda w, sr: {"handler": w.volunteer}),
            Refusal(
                "closed 31 days ago",
                TransitionError,
                prepare=lambda w, sr: closed_days_ago(sr, 31),
            ),
            Refusal(
                "closed without a handler, none named",
                ValidationError,
                prepare=lambda w, sr: services.request_withdraw(
                    actor=w.supervisor, request_id=logged(w).pk, reason="居民说不用了"
                ),
            ),
        ],
    ),
    "withdraw": Service(
        services.request_withdraw,
        "in_progress",
        "desk_staff",
        lambda w, sr: {"reason": "居民说不用了"},
        [
            Refusal("a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}),
            Refusal("a grid worker", NotAllowed, actor="grid_worker"),
        ],
    ),
    "reject": Service(
        services.request_reject,
        "logged",
        "supervisor",
        lambda w, sr: {"reason": "不属于社区职责"},
        [
            Refusal("a blank reason", ValidationError, lambda w, sr: {"reason": BLANK}),
            Refusal("a reason too long for an SMS", ValidationError, lambda w, sr: {"reason": "长" * 301}),
        ],
    ),
    "add_photo": Service(
        services.request_add_photo,
        "in_progress",
        "handler",
        lambda w, sr: {"photos": [png()], "kind": "before"},
        [
            Refusal("no photo", ValidationError, lambda w, sr: {"photos": []}),
            Refusal("an unknown kind", ValidationError, lambda w, sr: {"kind": "during"}),
            Refusal("a file that is not a photo", ValidationError, lambda w, sr: {"photos": [not_a_photo()]}),
        ],
    ),
    # Not a row of the table: the `log` of a flagged health screening.
    "follow_up_screening": Service(
        services.request_from_screening,
        None,
        "health_staff",
        lambda w, sr: {"screening_id": flagged_screening(w).pk},
        [
            Refusal("without the health permission", NotAllowed, actor="desk_staff"),
            Refusal(
                "a screening with nothing flagged",
                TransitionError,
                lambda w, sr: {"screening_id": flagged_screening(w, flagged=False).pk},
            ),
            Refusal("a handler who may not be one", ValidationError, lambda w, sr: {"handler": w.volunteer}),
        ],
    ),
    # Not a row of the table: a new pickup code for a request without a phone (the receipt).
    "new_pickup_code": Service(
        services.request_new_pickup_code,
        "logged",
        "desk_staff",
        lambda w, sr: {},
        [
            Refusal("another community's member", NotAllowed, actor="outsider"),
            Refusal(
                "a request whose resident gave a phone",
                TransitionError,
                prepare=lambda w, sr: sr,  # the world's resident has one
            ),
        ],
        prepare=lambda w, sr: without_phone(sr),
    ),
}


def without_phone(sr):
    from residents.models import Resident

    Resident.objects.filter(pk=sr.resident_id).update(phone="")
    return sr


def closed_days_ago(sr, days: int):
    ServiceRequest.objects.filter(pk=sr.pk).update(closed_at=clock.now() - timedelta(days=days))
    return sr


def flagged_screening(w, flagged: bool = True) -> Screening:
    return Screening.objects.create(
        community=w.binxi,
        resident=w.wang,
        recorded_by=w.health_staff,
        systolic=172 if flagged else 118,
        diastolic=104 if flagged else 76,
        bp_flagged=flagged,
    )


def call(service: Service, refusal: Refusal, world):
    state = service.state if refusal.state == "default" else refusal.state
    sr = in_state(world, state, extension=refusal.extension, review=refusal.review) if state else None
    prepare = refusal.prepare or service.prepare
    if prepare:
        sr = prepare(world, sr)
    actor_name = service.actor if refusal.actor == "default" else refusal.actor
    kwargs = {**service.valid(world, sr), **refusal.args(world, sr)}
    if sr is not None:
        kwargs["request_id"] = sr.pk
    if actor_name is not None or service.actor is not None:
        kwargs["actor"] = getattr(world, actor_name) if actor_name else None
    return lambda: service.call(**kwargs)


@pytest.mark.parametrize("action", [*sorted(TRANSITIONS), "follow_up_screening", "new_pickup_code"])
def test_every_action_refuses_bad_input(world, media, action):
    assert action in SERVICES, f"add the refusals of {action!r} to SERVICES"
    service = SERVICES[action]
    assert service.refusals, f"{action!r} has no refusal cases"
    for refusal in service.refusals:
        savepoint = transaction.savepoint()
        try:
            attempt = call(service, refusal, world)
            before = everything(media)
            with pytest.raises(refusal.error):
                attempt()
            assert differences(before, everything(media)) == [], (action, refusal.label)
        finally:
            transaction.savepoint_rollback(savepoint)


def test_each_refusal_case_would_succeed_with_valid_input(world, media):
    """The valid calls the cases start from do succeed, so each refusal is down to what it changes."""
    for action, service in SERVICES.items():
        savepoint = transaction.savepoint()
        try:
            extension = action == "decide_extension"
            review = action == "review"
            attempt = call(service, Refusal("valid", Exception, extension=extension, review=review), world)
            attempt()
        finally:
            transaction.savepoint_rollback(savepoint)


def test_every_service_has_its_refusals():
    """Each public service is one of SERVICES' calls, or the inbox (tested below)."""
    called = {service.call.__name__ for service in SERVICES.values()}
    assert set(services.__all__) - called == {"inbox_mark_read"}


def test_marking_someone_elses_inbox_items_read_changes_nothing(world):
    sr = in_state(world, "in_progress")
    services.request_escalate(actor=world.supervisor, request_id=sr.pk, note="请尽快处理")
    item = InboxItem.objects.get(user=world.handler)
    before = everything()
    assert services.inbox_mark_read(user=world.other_handler, item_ids=[item.pk]) == 0
    assert services.inbox_mark_read(user=world.other_handler) == 0
    assert differences(before, everything()) == []

"""Every row of DESIGN §4.1: allowed from its statuses for its roles, refused for every other role
(NotAllowed) and from every other status (TransitionError) — with nothing changed when refused:
no row of any table (status, handler, reminder steps, SMS notices, inbox, timeline) and no file.

EXPECTED is written from DESIGN's tables by hand, not read from requests.transitions, so the test
checks the code's table against the design.
"""

from datetime import timedelta

import pytest
from django.db import transaction

from requests import clock, services, transitions
from requests.errors import NotAllowed, TransitionError
from requests.models import RequestEvent
from tests.requests.conftest import in_state, png
from tests.requests.unchanged import differences, everything, files

STATES = ["logged", "assigned", "in_progress", "resolved", "closed"]
ACTORS = [
    "volunteer",
    "desk_staff",
    "grid_worker",
    "supervisor",
    "administrator",
    "handler",
    "outsider",
    "system",
]
INTAKE = {"volunteer", "desk_staff", "grid_worker", "supervisor", "handler"}

# action: (from statuses, who may take it) — DESIGN §4.1 "from" and "who", §4.2 roles.
EXPECTED = {
    "assign": ({"logged", "assigned", "in_progress"}, {"supervisor"}),
    "accept": ({"assigned"}, {"handler"}),
    "return": ({"assigned", "in_progress"}, {"handler"}),
    "refer": ({"in_progress"}, {"handler"}),
    "request_extension": ({"in_progress"}, {"handler"}),
    "decide_extension": ({"in_progress"}, {"supervisor"}),
    "escalate": ({"assigned", "in_progress"}, {"supervisor", "system"}),  # system: the reminder sweep
    "resolve": ({"in_progress"}, {"handler"}),
    "return_visit": ({"resolved"}, {"desk_staff", "grid_worker", "supervisor"}),  # not the handler
    "review": ({"resolved"}, {"supervisor"}),
    "reopen": ({"closed"}, {"supervisor"}),
    # desk staff (at the resident's wish) and supervisors; not grid workers. world.handler is desk staff.
    "withdraw": ({"logged", "assigned", "in_progress"}, {"desk_staff", "handler", "supervisor"}),
    "reject": ({"logged", "assigned"}, {"supervisor"}),
    "add_photo": ({"logged", "assigned", "in_progress", "resolved"}, {"handler", "supervisor"}),
}


def attempt(action, world, sr, actor):
    """Call the action's service with valid arguments."""
    kw = {"actor": actor, "request_id": sr.pk}
    calls = {
        "assign": lambda: services.request_assign(**kw, handler=world.other_handler),
        "accept": lambda: services.request_accept(**kw),
        "return": lambda: services.request_return(**kw, reason="不属于本人网格"),
        "refer": lambda: services.request_refer(**kw, unit="供电所", unit_reference="GD-7"),
        "request_extension": lambda: services.request_extension_request(
            **kw, new_due_at=(sr.resolve_due_at or sr.logged_at) + timedelta(days=30), reason="等配件"
        ),
        "decide_extension": lambda: services.request_extension_decide(**kw, approve=True),
        "escalate": lambda: escalate_when_overdue(sr, kw),
        "resolve": lambda: services.request_resolve(**kw, result="已修好"),
        "return_visit": lambda: services.request_return_visit(**kw, rating="satisfied"),
        "review": lambda: services.request_review(**kw, reopen=False, reason="已解释"),
        "reopen": lambda: services.request_reopen(**kw, reason="又坏了"),
        "withdraw": lambda: services.request_withdraw(**kw, reason="居民说不用了"),
        "reject": lambda: services.request_reject(**kw, reason="不属于社区职责"),
        "add_photo": lambda: services.request_add_photo(**kw, photos=[png()], kind="before"),
    }
    return calls[action]()


def escalate_when_overdue(sr, kw):
    """The sweep (actor None) escalates only overdue requests: try it a day past the deadline."""
    due = sr.resolve_due_at or sr.logged_at
    with clock.frozen(due + timedelta(days=1)):
        return services.request_escalate(**kw, note="请尽快处理")


def setup_state(world, action, state):
    return in_state(
        world,
        state,
        extension=action == "decide_extension",
        review=action == "review",
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_action_from_state_for_each_role(world, media, action, state):
    sources, allowed = EXPECTED[action]
    sr = setup_state(world, action, state)
    events = RequestEvent.objects.filter(request=sr).count()
    before = everything(media)
    for name in ACTORS:
        actor = None if name == "system" else getattr(world, name)
        # Before assignment the future handler is just another desk staff member.
        role = "desk_staff" if name == "handler" and sr.handler_id is None else name
        if state not in sources:
            expected = TransitionError
        elif role in allowed:
            expected = None
        else:
            expected = NotAllowed
        savepoint = transaction.savepoint()
        try:
            if expected is None:
                result = attempt(action, world, sr, actor)
                assert RequestEvent.objects.filter(request=sr).count() == events + 1, (action, name)
                assert result.status in transitions.TRANSITIONS[action].targets or action == "add_photo"
            else:
                before["files"] = files(media)  # an allowed photo stays on disk
                with pytest.raises(expected):
                    attempt(action, world, sr, actor)
                assert differences(before, everything(media)) == [], (action, state, name)
        finally:
            transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("action", ["log", "answer"])
def test_intake_actions_for_each_role(world, action):
    before = everything()
    for name in ACTORS:
        actor = None if name == "system" else getattr(world, name)
        common = {
            "actor": actor,
            "community": world.binxi,
            "category": world.subsidy,
            "description": "二孩补贴怎么申请？",
            "resident": world.wang,
        }
        savepoint = transaction.savepoint()
        try:
            if action == "log":
                call, extra = services.request_log, {}
            else:
                call, extra = services.request_answer_on_the_spot, {"answer": "带户口本到社区登记"}
            if name in INTAKE:
                sr = call(**common, **extra)
                assert sr.status == ("logged" if action == "log" else "closed"), name
            else:
                with pytest.raises(NotAllowed):
                    call(**common, **extra)
                assert differences(before, everything()) == [], name
        finally:
            transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("state", STATES)
def test_rating_by_sms_only_from_resolved(world, state):
    sr = in_state(world, state)
    if state == "resolved":
        assert services.request_rate_by_sms(request_id=sr.pk, reply="1").status == "closed"
    else:
        with pytest.raises(TransitionError):
            services.request_rate_by_sms(request_id=sr.pk, reply="1")


def test_rating_by_sms_is_the_residents_alone(world):
    """No staff member can take the resident's row (the service has no actor; the table says so)."""
    sr = in_state(world, "resolved")
    for name in ACTORS[:-1]:
        with pytest.raises(NotAllowed):
            transitions.check(
                "rate_by_sms",
                actor=getattr(world, name),
                sr=sr,
                community_id=sr.community_id,
                at=sr.resolved_at,
            )


def test_the_table_covers_every_design_row():
    rows = set(transitions.TRANSITIONS)
    assert rows == set(EXPECTED) | {"log", "answer", "rate_by_sms"}
    for action, (sources, _who) in EXPECTED.items():
        assert set(transitions.TRANSITIONS[action].sources) == sources, action


def test_allowed_actions_offer_what_the_services_accept(world):
    sr = in_state(world, "in_progress")
    assert transitions.allowed(actor=world.handler, sr=sr, at=sr.accepted_at) == [
        "return",
        "refer",
        "request_extension",
        "resolve",
        "withdraw",
        "add_photo",
    ]
    assert transitions.allowed(actor=world.supervisor, sr=sr, at=sr.accepted_at) == [
        "assign",
        "escalate",
        "withdraw",
        "add_photo",
    ]
    assert transitions.allowed(actor=world.volunteer, sr=sr, at=sr.accepted_at) == []
    assert transitions.allowed(actor=world.outsider, sr=sr, at=sr.accepted_at) == []

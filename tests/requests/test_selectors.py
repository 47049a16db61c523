"""The reads the request pages build on: scoped to the user's communities, fixed query counts."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from requests import selectors
from requests.selectors import ListFilters
from requests.services import inbox_mark_read, request_escalate
from tests.requests.conftest import in_state, logged

pytestmark = pytest.mark.django_db


def rows_of(queryset) -> int:
    with CaptureQueriesContext(connection) as queries:
        for sr in queryset:
            _ = (
                sr.category.label,
                sr.resident and sr.resident.masked_phone,
                sr.handler,
                sr.grid,
                sr.state_label,
            )
    return len(queries)


def test_a_list_costs_the_same_at_1_and_25_rows(world):
    logged(world)
    one = rows_of(
        selectors.request_list(user=world.supervisor, filters=ListFilters(community_id=world.binxi.pk))
    )
    for _ in range(24):
        in_state(world, "assigned")
    assert selectors.request_list(user=world.supervisor).count() == 25
    assert (
        rows_of(
            selectors.request_list(user=world.supervisor, filters=ListFilters(community_id=world.binxi.pk))
        )
        == one
        == 1
    )


def test_another_community_sees_nothing(world):
    sr = logged(world)
    assert not selectors.requests_for(world.outsider).exists()
    with pytest.raises(Http404):
        selectors.request_detail(user=world.outsider, reference=sr.reference)
    assert selectors.request_detail(user=world.volunteer, reference=sr.reference) == sr


def test_filters(world):
    first = in_state(world, "in_progress")
    unassigned = logged(world, resident=None)
    assert list(selectors.my_requests(user=world.handler)) == [first]
    assert (
        selectors.request_list(user=world.supervisor, filters=ListFilters(q=first.reference)).get() == first
    )
    assert selectors.request_list(user=world.supervisor, filters=ListFilters(q="王玉")).count() == 1
    assert selectors.request_list(user=world.supervisor, filters=ListFilters(status="logged")).count() == 1
    assert selectors.request_list(user=world.supervisor, filters=ListFilters(open_only=True)).count() == 2
    overdue = selectors.request_list(
        user=world.supervisor, filters=ListFilters(overdue=True), at=first.resolve_due_at.replace(year=2030)
    )
    # The request nobody was assigned is late too: it is still waiting past its resolve-by time.
    assert set(overdue) == {first, unassigned}
    parent = world.subsidy.parent
    assert not selectors.request_list(
        user=world.supervisor, filters=ListFilters(category_id=parent.pk)
    ).exists()


def test_what_waits_for_whom(world):
    resolved = in_state(world, "resolved")
    assert list(selectors.awaiting_return_visit(user=world.desk_staff)) == [resolved]
    assert not selectors.awaiting_return_visit(user=world.handler).exists()
    review = in_state(world, "resolved", review=True)
    assert list(selectors.to_review(user=world.supervisor)) == [review]
    assert not selectors.to_review(user=world.desk_staff).exists()
    extension = in_state(world, "in_progress", extension=True)
    assert list(selectors.extensions_to_decide(user=world.supervisor)) == [extension]


def test_actions_handlers_and_categories(world):
    sr = in_state(world, "assigned")
    assert selectors.actions_for(user=world.handler, sr=sr) == ["accept", "return", "withdraw", "add_photo"]
    handlers = set(selectors.handlers_for(community_ids=[world.binxi.pk]))
    assert {world.handler, world.desk_staff, world.grid_worker, world.supervisor} <= handlers
    assert world.volunteer not in handlers and world.administrator not in handlers
    codes = [c.code for c in selectors.intake_categories()]
    assert codes[0] == "policy_medical_insurance" and "policy" not in codes and "health_follow_up" in codes
    assert selectors.intake_categories()[2].label == "政策咨询 · 育儿补贴（二孩补贴）"


def test_category_names_follow_the_language(world):
    from django.utils import translation

    with translation.override("en"):
        assert world.subsidy.label == "Policy consultation · Childcare / second-child subsidy"
    with translation.override("zh-hans"):
        assert world.subsidy.name == "育儿补贴（二孩补贴）"


def test_the_inbox(world):
    sr = in_state(world, "in_progress")
    request_escalate(actor=world.supervisor, request_id=sr.pk, note="请今天内处理")
    assert selectors.unread_count(user=world.handler) == 1
    assert selectors.inbox(user=world.handler).get().request == sr
    assert inbox_mark_read(user=world.handler) == 1
    assert selectors.unread_count(user=world.handler) == 0
    assert selectors.inbox(user=world.outsider).count() == 0


def test_timeline_and_public_lines(world):
    sr = in_state(world, "in_progress")
    actions = [e.action for e in selectors.request_timeline(sr=sr)]
    assert actions == ["log", "assign", "accept"]
    assert [e.action for e in selectors.request_timeline(sr=sr, public_only=True)] == ["log", "accept"]
    assert selectors.request_timeline(sr=sr).first().action_label == "已登记"

"""A deadline typed absurdly far away (9999-12-31) is refused next to its field, never carried into
the working-day arithmetic, where it would overflow the calendar (a 500 when approved)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from requests import clock
from requests.models import ServiceRequest
from requests.request_models import Source
from requests.services import request_extension_request
from tests.requests.conftest import in_state, logged
from tests.requests.test_views_detail import act
from tests.requests.views_support import EN, as_user, errors_next_to

__all__ = ["as_user"]  # fixtures

FAR = timezone.make_aware(dt.datetime(9999, 12, 31, 23, 59))


def test_an_extension_to_the_year_9999_is_refused_next_to_the_field(world, as_user):
    sr = in_state(world, "in_progress")
    data = {"request_extension-new_due_at": "9999-12-31T23:59", "request_extension-reason": "等配件"}
    response = as_user(world.handler).post(act(sr, "request_extension"), data, **EN)
    assert response.status_code == 200
    assert errors_next_to(response.content.decode(), "request_extension-new_due_at") == [
        "The new due time can be at most a year from now."
    ]
    assert not ServiceRequest.objects.get(pk=sr.pk).extension_pending


def test_an_extension_up_to_a_year_ahead_is_asked_for(world):
    sr = in_state(world, "in_progress")
    almost = clock.now() + clock.FURTHEST_DEADLINE - dt.timedelta(minutes=1)
    sr = request_extension_request(
        actor=world.handler, request_id=sr.pk, new_due_at=almost, reason="等工程队"
    )
    assert sr.extension_pending and sr.extension_due_at == almost


@pytest.mark.parametrize("due", [FAR, timezone.now() - dt.timedelta(days=400)])
def test_a_hotline_deadline_more_than_a_year_away_is_refused(world, due):
    with pytest.raises(ValidationError) as refused:
        logged(world, source=Source.HOTLINE, hotline_reference="HN20261129-0001", hotline_due_at=due)
    assert "hotline_due_at" in refused.value.message_dict
    assert not ServiceRequest.objects.exists()

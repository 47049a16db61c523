"""The home page starts with what waits for the person — counts that link to the filtered lists —
then today's desk sessions; a supervisor also sees the community's."""

import re
from datetime import timedelta

from django.urls import reverse

from requests import clock
from requests.models import ServiceRequest
from requests.services import request_accept
from tests.requests.conftest import in_state, logged
from tests.requests.views_support import as_user, count_queries

__all__ = ["as_user"]  # fixture


def counts(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(r'data-count="(\w+)".*?data-n="(\d+)"', html, re.S)}


def test_the_handler_sees_what_waits_for_them(world, as_user):
    logged(world, handler=world.handler)
    logged(world, handler=world.handler)
    late = in_state(world, "in_progress")
    ServiceRequest.objects.filter(pk=late.pk).update(resolve_due_at=clock.now() - timedelta(hours=2))
    html = as_user(world.handler).get(reverse("home")).content.decode()
    assert html.index('id="waiting"') < html.index('id="todays-sessions"')  # first what waits, then today
    assert counts(html) == {"to_accept": 2, "overdue": 1, "due_soon": 0, "return_visits": 0}
    assert f'href="{reverse("requests:mine")}#section-to_accept"' in html


def test_accepting_drops_the_count(world, as_user):
    sr = logged(world, handler=world.handler)
    client = as_user(world.handler)
    assert counts(client.get(reverse("home")).content.decode())["to_accept"] == 1
    request_accept(actor=world.handler, request_id=sr.pk)
    assert counts(client.get(reverse("home")).content.decode())["to_accept"] == 0


def test_a_supervisor_sees_the_communitys_counts_too(world, as_user):
    logged(world)  # nobody named: to assign
    in_state(world, "in_progress", extension=True)
    in_state(world, "resolved", review=True)
    html = as_user(world.supervisor).get(reverse("home")).content.decode()
    found = counts(html)
    assert (found["to_assign"], found["extensions"], found["reviews"]) == (1, 1, 1)
    assert f'href="{reverse("requests:list")}?status=logged"' in html
    # 滨东's supervisor sees none of it.
    assert counts(as_user(world.outsider).get(reverse("home")).content.decode())["to_assign"] == 0


def test_the_counts_cost_the_same_queries_whatever_the_numbers(world, client):
    client.force_login(world.supervisor)
    logged(world, handler=world.supervisor)
    count_queries(client, reverse("home"))  # the first visit reads the calendar's year once
    one = count_queries(client, reverse("home"))
    for _ in range(10):
        logged(world, handler=world.supervisor)
        logged(world)
    assert count_queries(client, reverse("home")) == one

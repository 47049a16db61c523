"""Overdue is past the resolve-by time and not yet resolved — whether or not anyone was assigned:
a request nobody took is the most overdue of all."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from requests.models import ServiceRequest
from requests.services import request_accept, request_resolve
from tests.requests.conftest import logged
from tests.requests.views_support import as_user

__all__ = ["as_user"]  # fixture


def past_due(sr):
    ServiceRequest.objects.filter(pk=sr.pk).update(resolve_due_at=timezone.now() - dt.timedelta(hours=1))
    sr.refresh_from_db()
    return sr


def test_an_unassigned_request_past_its_deadline_is_overdue(world, as_user):
    nobody_took_it = past_due(logged(world))  # the "other" category names no handler
    assert nobody_took_it.status == "logged" and nobody_took_it.is_overdue()
    in_hand = logged(world, category=world.urgent)
    request_accept(actor=world.grid_worker, request_id=in_hand.pk)
    in_hand = past_due(in_hand)
    done = logged(world, category=world.urgent)
    request_accept(actor=world.grid_worker, request_id=done.pk)
    request_resolve(actor=world.grid_worker, request_id=done.pk, result="已修好")
    done = past_due(done)
    assert not done.is_overdue()  # resolved: waiting for the return visit, not overdue

    html = as_user(world.supervisor).get(reverse("requests:list"), {"overdue": "on"}).content.decode()
    assert nobody_took_it.reference in html and in_hand.reference in html
    assert done.reference not in html

"""The intake form shown again by Back carries the token it was first shown with (the page keeps it
in its history entry): submitting it answers with the request that token logged, even when the
browser did not refill every field — one request, never a form error or a second one."""

from django.urls import reverse

from requests.models import ServiceRequest
from tests.requests.views_support import EN, as_user, intake_data

__all__ = ["as_user"]  # fixtures


def test_a_resubmit_with_a_used_token_shows_its_request_even_with_fields_missing(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    first = client.post(reverse("requests:create"), data, **EN)
    sr = ServiceRequest.objects.get()
    assert first["Location"] == reverse("requests:logged", args=[sr.reference])

    restored = {"idempotency_token": data["idempotency_token"], "community": world.binxi.pk, "source": "desk"}
    again = client.post(reverse("requests:create"), restored, **EN)  # category and resident lost
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1
    assert "logged already" in client.get(again["Location"], **EN).content.decode()

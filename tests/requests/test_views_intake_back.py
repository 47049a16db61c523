"""The intake form shown again by Back carries the token it was first shown with (the page keeps it
in its history entry): submitting it answers with the request that token logged, even when the
browser did not refill every field — one request, never a form error or a second one."""

from django.urls import reverse

from requests.models import ServiceRequest
from tests.requests.views_support import EN, as_user, intake_data, token_from

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


def test_another_request_typed_into_a_form_with_a_used_token_is_kept_not_dropped(world, as_user):
    """Back may show a fresh, empty form that the page gives the old token again: what is typed
    there is another request. It is not answered with the first one; the form comes back, filled
    in, with a new token, and saving it again logs it."""
    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    client.post(reverse("requests:create"), data, **EN)
    first = ServiceRequest.objects.get()

    second = {**data, "category": world.repair.pk, "description": "楼下每晚噪音扰民"}
    response = client.post(reverse("requests:create"), second, **EN)
    assert response.status_code == 200 and ServiceRequest.objects.count() == 1
    html = response.content.decode()
    assert f"This form already logged {first.reference} (楼道灯不亮)." in html
    assert "楼下每晚噪音扰民" in html  # nothing typed is lost
    new = token_from(html)
    assert new != data["idempotency_token"]

    saved = client.post(reverse("requests:create"), {**second, "idempotency_token": new}, **EN)
    assert saved.status_code == 302 and ServiceRequest.objects.count() == 2
    assert ServiceRequest.objects.exclude(pk=first.pk).get().description == "楼下每晚噪音扰民"


def test_another_request_with_a_field_missing_is_not_sent_to_the_first_either(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    client.post(reverse("requests:create"), data, **EN)
    unfinished = {"idempotency_token": data["idempotency_token"], "community": world.binxi.pk}
    unfinished.update(source="desk", description="楼下每晚噪音扰民")  # no category, no resident
    response = client.post(reverse("requests:create"), unfinished, **EN)
    assert response.status_code == 200 and ServiceRequest.objects.count() == 1
    html = response.content.decode()
    assert "This form already logged" in html and "楼下每晚噪音扰民" in html
    assert token_from(html) != data["idempotency_token"]

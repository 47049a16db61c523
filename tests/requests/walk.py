"""The request pages' entries in the URL walk (tests/test_url_walk.py): every URL of requests/urls.py
and requests/public_urls.py that takes a parameter, opened on an object of 滨西社区 (alice's)."""


def _binxi_request(world):
    """A request of 滨西 for 王玉枝 (one per walk step; found again by its token)."""
    from requests.models import Category, ServiceRequest
    from requests.services import request_log

    found = ServiceRequest.objects.filter(community=world.binxi, idempotency_token="url-walk").first()
    if found is not None:
        return found
    return request_log(
        actor=world.alice,
        community=world.binxi,
        category=Category.objects.get(code="other"),
        description="楼道灯不亮",
        resident=world.binxi_resident,
        idempotency_token="url-walk",
    )


def _reference(world) -> dict:
    return {"reference": _binxi_request(world).reference}


def _action(world) -> dict:
    return {"reference": _binxi_request(world).reference, "action": "assign"}


def _receipt(world) -> dict:
    return {"reference": _binxi_request(world).reference, "size": "a6"}


def _photo(world) -> dict:
    """A photo of 滨西's request, its file in the walk's media folder (alice gets it; bob gets 404)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from requests.models import Attachment
    from tests.requests.conftest import PNG

    sr = _binxi_request(world)
    photo = Attachment.objects.create(
        request=sr,
        kind="before",
        file=default_storage.save("requests/walk/photo.png", ContentFile(PNG)),
        content_type="image/png",
        size=10,
        uploaded_by=world.alice,
    )
    return {"reference": sr.reference, "photo_id": photo.pk}


def _session(world) -> dict:
    from tests.desks.factories import DeskSessionFactory

    return {"session_id": DeskSessionFactory(community=world.binxi, status="open").pk}


def _resident(world) -> dict:
    return {"resident_id": world.binxi_resident.pk}


def _screening(world) -> dict:
    """A flagged screening of 滨西's resident (bob must get 404 for its follow-up)."""
    from desks.models import Screening

    screening = Screening.objects.create(
        community=world.binxi,
        resident=world.binxi_resident,
        recorded_by=world.alice,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )
    return {"pk": screening.pk}


def _inbox_item(world) -> dict:
    """An item in alice's inbox about 滨西's request (bob gets 404, alice goes to the request)."""
    from requests.models import InboxItem

    item = InboxItem.objects.create(user=world.alice, request=_binxi_request(world), kind="assign")
    return {"item_id": item.pk}


REQUEST_OBJECT_URLS = {
    "requests:inbox_open": _inbox_item,
    "requests:detail": _reference,
    "requests:logged": _reference,
    "requests:receipt_print": _receipt,
    "requests:new_pickup_code": _reference,
    "requests:act": _action,
    "requests:photo": _photo,
    "requests:session_requests": _session,
    "requests:session_sheet_requests": _session,
    "requests:resident_requests": _resident,
    "requests:screening_follow_up": _screening,
}

# The public status page: no login; bob (or anyone) gets the digits form, never the request.
REQUEST_PUBLIC_URLS = {"request_status:page": _reference}

"""The outbox page (DESIGN §4.5): supervisors see their communities' messages by state with phones
masked, unknown and failed ones with the reason and a resend button; another community's get 404."""

import pytest
from django.urls import reverse

from residents.sms.models import SmsMessage
from tests.factories import ResidentFactory, member

pytestmark = pytest.mark.django_db
OUTBOX = reverse("residents:sms_outbox")


def message(community, state, **fields):
    resident = ResidentFactory(community=community, phone="+8613912345678")
    return SmsMessage.objects.create(
        community=community,
        kind="acknowledgement",
        purpose="status",
        phone=resident.phone,
        resident=resident,
        subject=f"{community.code}-2026-000001",
        text=f"【{community.name}】您的诉求已登记 {state}",
        state=state,
        **fields,
    )


def test_supervisors_see_their_messages_masked_and_filtered_by_state(client, alice, binxi, bindong):
    sent = message(binxi, "sent")
    unknown = message(binxi, "unknown", error="the worker was lost while sending")
    held = message(binxi, "held", hold_reason="quiet_hours")
    theirs = message(bindong, "sent")
    client.force_login(alice)
    html = client.get(OUTBOX).content.decode()
    assert sent.text in html and unknown.text in html and held.text in html and theirs.text not in html
    assert "139****5678" in html and "13912345678" not in html
    assert "发送过程中处理进程中断" in html  # the outbox's own reason, in the reader's language
    html = client.get(OUTBOX, {"state": "unknown"}).content.decode()
    assert unknown.text in html and sent.text not in html
    assert reverse("residents:sms_resend", args=[unknown.pk]) in html
    assert reverse("residents:sms_resend", args=[sent.pk]) not in html
    assert client.get(OUTBOX, {"state": "<script>", "page": "-1"}).status_code == 200


def test_resend_is_scoped_and_only_for_unknown_or_failed(client, alice, bob, binxi, published):
    unknown = message(binxi, "unknown")
    client.force_login(bob)
    assert client.post(reverse("residents:sms_resend", args=[unknown.pk])).status_code == 404
    assert client.get(OUTBOX).status_code == 200  # bob supervises his own community
    assert unknown.text not in client.get(OUTBOX).content.decode()
    client.force_login(alice)
    response = client.post(reverse("residents:sms_resend", args=[unknown.pk]))
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert (unknown.state, unknown.resent_by) == ("pending", alice)
    sent = message(binxi, "sent")
    client.post(reverse("residents:sms_resend", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.state == "sent"


def test_only_supervisors_and_only_members(client, binxi):
    desk = member(binxi, "desk_staff")
    client.force_login(desk)
    assert client.get(OUTBOX).status_code == 403
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(OUTBOX).status_code == 404

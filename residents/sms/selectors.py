"""Reads of the outbox for other apps' pages: the messages about one subject (a request's
reference) and the replies kept for staff, each in one query whatever their number."""

from residents.sms.models import SmsInbound, SmsMessage


def messages_about(*, community_id: int, subject: str) -> list[SmsMessage]:
    """Every SMS about `subject` in that community (to the resident or to staff), oldest first."""
    if not subject:
        return []
    return list(
        SmsMessage.objects.filter(community_id=community_id, subject=subject)
        .only(
            "id",
            "community_id",
            "kind",
            "purpose",
            "phone",
            "text",
            "segments",
            "state",
            "hold_reason",
            "error",
            "created_at",
            "sent_at",
            "delivered_at",
        )
        .order_by("created_at", "id")
    )


def replies_kept(*, subject: str) -> list[SmsInbound]:
    """The residents' replies kept for staff on `subject` (anything but a rating or an opt-out),
    oldest first. A reply names its subject when the reply handler put it there."""
    if not subject:
        return []
    return list(
        SmsInbound.objects.filter(
            kind=SmsInbound.Kind.REPLY, outcome=SmsInbound.Outcome.KEPT, subject=subject
        ).order_by("received_at", "id")
    )

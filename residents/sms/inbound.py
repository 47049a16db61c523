"""What residents and providers send back (DESIGN §4.5): replies and delivery receipts.

Every callback is recorded once by the provider's message id (SmsInbound.dedupe_key is unique):
providers deliver callbacks more than once, and a repeat changes nothing.

Replies: `T`, `TD`, `退订`, `STOP` (any case, spaces around) withdraw the number's consents and get
one confirmation. Anything else goes to the handlers other apps register in `AppConfig.ready()`
(`requests` rates the number's latest resolved request with 1 / 2 / 3 and keeps any other text on
the number's latest request), so `residents` never imports them:

    from residents.sms.inbound import register_reply_handler
    register_reply_handler(handler)   # handler(reply: Reply) -> (outcome, subject) | None
"""

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from residents.models import Resident
from residents.services import residents_withdraw_sms_consent
from residents.sms.models import Kind, Purpose, SmsInbound
from residents.sms.services import queue_message, record_receipt

logger = logging.getLogger(__name__)

OPT_OUT_WORDS = frozenset({"T", "TD", "退订", "STOP"})


@dataclass(frozen=True)
class Reply:
    phone: str
    text: str
    word: str  # the text normalised: NFKC ("１" is "1"), trimmed, upper case
    resident_ids: tuple[int, ...]
    at: datetime


ReplyHandler = Callable[[Reply], tuple[str, str] | None]
_handlers: list[ReplyHandler] = []


def register_reply_handler(handler: ReplyHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def unregister_reply_handler(handler: ReplyHandler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def _record(kind: str, key: str, **fields) -> SmsInbound | None:
    """The callback's row, or None when this provider message id was seen before."""
    try:
        with transaction.atomic():
            return SmsInbound.objects.create(kind=kind, dedupe_key=key[:120], **fields)
    except IntegrityError:
        return None


def _opt_out(phone: str, at: datetime) -> str:
    changed = residents_withdraw_sms_consent(phone=phone, now=at)
    if changed:  # one confirmation; a second "T" finds nothing to withdraw and gets none
        first = changed[0]
        queue_message(
            community=first.community,
            kind=Kind.OPT_OUT,
            phone=phone,
            purpose=Purpose.SERVICE,
            resident=first,
            now=at,
        )
    return SmsInbound.Outcome.OPT_OUT


@transaction.atomic
def receive_reply(*, provider: str, provider_id: str, phone: str, text: str, now=None) -> str:
    """Record and act on one reply. Returns its outcome, or "duplicate"."""
    at = now or timezone.now()
    inbound = _record(
        SmsInbound.Kind.REPLY, f"{provider}:reply:{provider_id}", phone=phone, text=text[:500], received_at=at
    )
    if inbound is None:
        return "duplicate"
    word = normalise(text)
    residents = list(
        Resident.objects.filter(phone=phone, anonymised_at__isnull=True)
        .order_by("id")
        .values_list("pk", "community")
    )
    inbound.community_id = residents[0][1] if residents else None
    if word in OPT_OUT_WORDS:
        inbound.outcome = _opt_out(phone, at)
    else:
        reply = Reply(phone=phone, text=text, word=word, resident_ids=tuple(r[0] for r in residents), at=at)
        inbound.outcome = SmsInbound.Outcome.IGNORED
        for handler in _handlers:
            answer = handler(reply)
            if answer:
                inbound.outcome, inbound.subject = answer[0], answer[1][:40]
                break
    inbound.save(update_fields=["community", "outcome", "subject"])
    return inbound.outcome


@transaction.atomic
def receive_receipt(*, provider: str, provider_id: str, delivered: bool, status: str = "", now=None) -> str:
    key = f"{provider}:receipt:{provider_id}:{status or delivered}"
    if (
        _record(
            SmsInbound.Kind.RECEIPT,
            key,
            outcome=SmsInbound.Outcome.RECEIPT,
            received_at=now or timezone.now(),
        )
        is None
    ):
        return "duplicate"
    changed = record_receipt(provider_id=provider_id, delivered=delivered, now=now)
    return "recorded" if changed else "unmatched"

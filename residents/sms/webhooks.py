"""Provider callbacks (DESIGN §4.5): delivery receipts and residents' replies.

- Twilio-compatible: POST form bodies signed with X-Twilio-Signature (HMAC-SHA1 of the public URL
  and the sorted parameters, keyed with the auth token), checked against PUBLIC_BASE_URL.
- Aliyun: MNS HTTP batch push of JSON lists; Aliyun signs neither, so the URL carries our secret
  token (SMS_WEBHOOK_TOKEN).

A bad signature or token answers 403 and changes nothing; a malformed body 400 and changes nothing
(every item is checked before any is acted on); a repeat is recorded once (inbound.py).
"""

import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from residents.phones import normalize_phone
from residents.sms.inbound import receive_receipt, receive_reply

logger = logging.getLogger(__name__)

TWILIO_DELIVERED = {"delivered": True, "undelivered": False, "failed": False}
MAX_BODY = 64 * 1024
MAX_ITEMS = 500


def webhook(view):
    return login_not_required(csrf_exempt(require_POST(view)))


# --- Twilio-compatible --------------------------------------------------------------------------


def twilio_signature(url: str, params: dict[str, list[str]], token: str) -> str:
    """Twilio's scheme: the full URL, then each parameter name followed by its value(s), names sorted."""
    data = url + "".join(name + value for name in sorted(params) for value in params[name])
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def _twilio_verified(request: HttpRequest) -> bool:
    token = settings.SMS_TWILIO_AUTH_TOKEN
    given = request.headers.get("X-Twilio-Signature", "")
    if not token or not given:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    expected = twilio_signature(url, {k: request.POST.getlist(k) for k in request.POST}, token)
    return constant_time_compare(expected, given)


def _phone(raw) -> str:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise ValidationError("phone")
    text = str(raw)
    if text.isdigit() and len(text) == 11:  # Aliyun sends national numbers
        text = "+86" + text
    return normalize_phone(text)


def _too_big(request: HttpRequest) -> bool:
    return len(request.body) > MAX_BODY


@webhook
def twilio_status(request: HttpRequest) -> HttpResponse:
    if _too_big(request):
        return HttpResponseBadRequest("too large")
    if not _twilio_verified(request):
        return HttpResponseForbidden("bad signature")
    sid, status = request.POST.get("MessageSid", ""), request.POST.get("MessageStatus", "")
    if not sid or len(sid) > 80 or not status or len(status) > 20:
        return HttpResponseBadRequest("MessageSid and MessageStatus are required")
    if status in TWILIO_DELIVERED:
        receive_receipt(provider="twilio", provider_id=sid, delivered=TWILIO_DELIVERED[status], status=status)
    return HttpResponse(status=204)


@webhook
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if _too_big(request):
        return HttpResponseBadRequest("too large")
    if not _twilio_verified(request):
        return HttpResponseForbidden("bad signature")
    sid, body = request.POST.get("MessageSid", ""), request.POST.get("Body")
    try:
        phone = _phone(request.POST.get("From"))
    except ValidationError:
        return HttpResponseBadRequest("From is not a phone number")
    if not sid or len(sid) > 80 or body is None or "\x00" in body:
        return HttpResponseBadRequest("MessageSid and Body are required")
    receive_reply(provider="twilio", provider_id=sid, phone=phone, text=body[:500])
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml"
    )


# --- Aliyun --------------------------------------------------------------------------------------


def _aliyun_items(request: HttpRequest, token: str, required: tuple[str, ...]):
    """(items, None) or (None, the error response)."""
    secret = settings.SMS_WEBHOOK_TOKEN
    if not secret or not constant_time_compare(token, secret):
        return None, HttpResponseForbidden("bad token")
    if _too_big(request):
        return None, HttpResponseBadRequest("too large")
    try:
        items = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, HttpResponseBadRequest("not JSON")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        return None, HttpResponseBadRequest("a list of reports is expected")
    for item in items:
        if not isinstance(item, dict) or any(key not in item for key in required):
            return None, HttpResponseBadRequest(f"each item needs {', '.join(required)}")
    return items, None


def _aliyun_ok() -> JsonResponse:
    return JsonResponse({"code": 0, "msg": "成功"})


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message)


@webhook
def aliyun_receipt(request: HttpRequest, token: str) -> HttpResponse:
    items, error = _aliyun_items(request, token, ("biz_id", "success"))
    if error:
        return error
    reports = []
    for item in items:
        biz_id, success = item["biz_id"], item["success"]
        if (
            not isinstance(biz_id, str)
            or not biz_id
            or len(biz_id) > 80
            or not isinstance(success, bool | str)
        ):
            return _bad("biz_id and success are required")
        delivered = success is True or str(success).lower() == "true"
        reports.append((biz_id, delivered, str(item.get("err_code", ""))[:20]))
    for biz_id, delivered, code in reports:
        receive_receipt(
            provider="aliyun", provider_id=biz_id, delivered=delivered, status=code or str(delivered)
        )
    return _aliyun_ok()


@webhook
def aliyun_reply(request: HttpRequest, token: str) -> HttpResponse:
    items, error = _aliyun_items(request, token, ("phone_number", "content", "sequence_id"))
    if error:
        return error
    replies = []
    for item in items:
        content, sequence = item["content"], item["sequence_id"]
        if not isinstance(content, str) or "\x00" in content or not isinstance(sequence, str | int):
            return _bad("content and sequence_id are required")
        if isinstance(sequence, bool) or not str(sequence) or len(str(sequence)) > 60:
            return _bad("sequence_id is required")
        try:
            phone = _phone(item["phone_number"])
        except ValidationError:
            return _bad("phone_number is not a phone number")
        replies.append((str(sequence), phone, content[:500]))
    for sequence, phone, content in replies:
        receive_reply(provider="aliyun", provider_id=sequence, phone=phone, text=content)
    return _aliyun_ok()

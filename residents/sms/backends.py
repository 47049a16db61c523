"""SMS providers, chosen by SMS_BACKEND like Django's e-mail backends (DESIGN §4.5, STYLE 6).

Each class has one `send(message) -> str` that returns the provider's message id, or raises
TransientError (try again later: a timeout, 429, 5xx) or PermanentError (never: a refused number,
a bad template). Outbound HTTP uses httpx with timeouts (the `requests` app shadows PyPI requests).

    console  prints the message (the embedded default; the outbox page shows it too)
    file     appends it to a file under SMS_FILE_DIR, one JSON line per message
    locmem   keeps it in `outbox` below (tests)
    twilio   the Twilio Messages API, or any service speaking its shape
    aliyun   Aliyun SMS (dysmsapi SendSms): a pre-approved template code and named parameters
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from residents.phones import mask_phone, national_digits


class TransportError(Exception):
    permanent = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransientError(TransportError):
    permanent = False


class PermanentError(TransportError):
    permanent = True


class BaseBackend:
    name = "base"

    def send(self, message) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints the message to standard output (the worker's console under `make run`)."""

    name = "console"

    def send(self, message) -> str:
        # The full number is what is being sent; on a console the number is masked (DESIGN §6).
        stream = getattr(self, "stream", None) or sys.stdout
        stream.write(f"[SMS to {mask_phone(message.phone)}] {message.text}\n")
        stream.flush()
        return f"console-{message.pk}-{uuid.uuid4().hex[:8]}"


class FileBackend(BaseBackend):
    name = "file"

    def send(self, message) -> str:
        folder = Path(settings.SMS_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{message.pk}-{uuid.uuid4().hex[:8]}"
        line = {"id": provider_id, "to": message.phone, "text": message.text, "segments": message.segments}
        with open(folder / f"sms-{dt.date.today():%Y-%m-%d}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return provider_id


outbox: list[dict] = []  # LocmemBackend's messages, like django.core.mail.outbox
_outbox_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    name = "locmem"

    def send(self, message) -> str:
        provider_id = f"locmem-{message.pk}-{uuid.uuid4().hex[:8]}"
        with _outbox_lock:
            outbox.append({"id": provider_id, "to": message.phone, "text": message.text, "pk": message.pk})
        return provider_id


def _timeout() -> httpx.Timeout:
    return httpx.Timeout(settings.SMS_HTTP_TIMEOUT, connect=min(settings.SMS_HTTP_TIMEOUT, 5.0))


_clients: dict[int, httpx.Client] = {}
_clients_lock = threading.Lock()


def _client() -> httpx.Client:
    """One client per process, kept: a new one per message (`httpx.post`) loads the CA bundle each
    time — a third of a second of CPU per SMS, which was most of a worker's time. Keyed by process
    id, so a forked pool process makes its own rather than sharing its parent's sockets."""
    pid = os.getpid()
    client = _clients.get(pid)
    if client is None:
        with _clients_lock:
            client = _clients.get(pid)
            if client is None:
                client = _clients[pid] = httpx.Client()
    return client


def _post(url: str, **kwargs) -> httpx.Response:
    try:
        return _client().post(url, timeout=_timeout(), **kwargs)
    except httpx.TimeoutException as exc:
        # The provider may or may not have taken it; the caller retries (a transient error), which
        # is why the lease, not a timeout, decides "unknown" for a process that dies.
        raise TransientError(f"timeout: {type(exc).__name__}") from None
    except httpx.HTTPError as exc:
        raise TransientError(f"connection: {type(exc).__name__}") from None


def _classify(response: httpx.Response, detail: str) -> None:
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(f"HTTP {response.status_code}: {detail}"[:300])
    if response.status_code >= 400:
        raise PermanentError(f"HTTP {response.status_code}: {detail}"[:300])


class TwilioBackend(BaseBackend):
    """POST {base}/2010-04-01/Accounts/{sid}/Messages.json with To, From (or MessagingServiceSid),
    Body and StatusCallback; HTTP basic auth with the account SID and auth token."""

    name = "twilio"

    def send(self, message) -> str:
        base = settings.SMS_TWILIO_BASE_URL.rstrip("/")
        sid = settings.SMS_TWILIO_ACCOUNT_SID
        data = {"To": message.phone, "Body": message.text}
        if settings.SMS_TWILIO_FROM.startswith("MG"):
            data["MessagingServiceSid"] = settings.SMS_TWILIO_FROM
        else:
            data["From"] = settings.SMS_TWILIO_FROM
        if settings.PUBLIC_BASE_URL.startswith("https://") or settings.SMS_STATUS_CALLBACKS:
            data["StatusCallback"] = f"{settings.PUBLIC_BASE_URL}/sms/twilio/status/"
        response = _post(
            f"{base}/2010-04-01/Accounts/{sid}/Messages.json",
            data=data,
            auth=(sid, settings.SMS_TWILIO_AUTH_TOKEN),
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        _classify(response, str(body.get("message") or body.get("code") or response.reason_phrase))
        provider_id = str(body.get("sid") or "")
        if not provider_id:
            raise TransientError("the provider answered without a message id")
        return provider_id


# Aliyun's error codes that no retry can fix (a refused number, a template or signature problem).
ALIYUN_TRANSIENT_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isp.SYSTEM_ERROR",
    "Throttling.User",
    "SignatureNonceUsed",
}


def _aliyun_quote(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict, secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature v1: HMAC-SHA1 of the sorted, percent-encoded query, key = secret + '&'."""
    canonical = "&".join(f"{_aliyun_quote(k)}={_aliyun_quote(str(v))}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{_aliyun_quote(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend(BaseBackend):
    """dysmsapi SendSms: the community's signature as SignName, the kind's template code, and the
    message's parameters as TemplateParam. Receipts and replies come back by callbacks (MNS HTTP
    push) to URLs with our secret token, as Aliyun signs neither."""

    name = "aliyun"

    def send(self, message) -> str:
        if not message.template_code:
            raise PermanentError("no Aliyun template code for this kind of message")
        params = {
            "AccessKeyId": settings.SMS_ALIYUN_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": national_digits(message.phone).replace(" ", ""),
            "RegionId": "cn-hangzhou",
            "SignName": message.params.get("_signature", ""),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": message.template_code,
            "TemplateParam": json.dumps(
                {k: str(v)[:35] for k, v in message.params.items() if not k.startswith("_")},
                ensure_ascii=False,
            ),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "OutId": str(message.pk),
        }
        params["Signature"] = aliyun_signature(params, settings.SMS_ALIYUN_ACCESS_KEY_SECRET)
        response = _post(settings.SMS_ALIYUN_ENDPOINT, data=params)
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = str(body.get("Code") or "")
        if response.status_code >= 500 or code in ALIYUN_TRANSIENT_CODES:
            raise TransientError(f"{response.status_code} {code}: {body.get('Message', '')}"[:300])
        if code != "OK":
            raise PermanentError(f"{response.status_code} {code}: {body.get('Message', '')}"[:300])
        return str(body.get("BizId") or f"aliyun-{message.pk}")


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.SMS_BACKEND)()

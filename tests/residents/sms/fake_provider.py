"""A local fake SMS provider speaking the Twilio Messages API's shape, on a spare loopback port.

It counts every message it takes (by To and Body), answers like Twilio (201 and a JSON body with
the message's sid), and can be told to fail: `fail_next` answers 503 / 400 for that many requests.
`reply()` plays the provider's side of a resident's answer: it posts the inbound message to the
app's webhook, signed with X-Twilio-Signature as Twilio signs it.
"""

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx

ACCOUNT_SID = "ACtest0000000000000000000000000000"
AUTH_TOKEN = "fake-provider-token"


class FakeProvider:
    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.fail_next: list[int] = []  # status codes to answer with, in order
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
                with provider.lock:
                    failure = provider.fail_next.pop(0) if provider.fail_next else None
                    if self.path != expected or not form.get("To") or not form.get("Body"):
                        status, body = 400, {"code": 21604, "message": "bad request"}
                    elif failure:
                        status, body = failure, {"code": 20500, "message": "try again"}
                    else:
                        sid = "SM" + uuid.uuid4().hex
                        provider.messages.append({"sid": sid, "to": form["To"], "body": form["Body"]})
                        status, body = 201, {"sid": sid, "status": "queued", "to": form["To"]}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def bodies(self) -> Counter:
        with self.lock:
            return Counter(m["body"] for m in self.messages)

    def reply(self, webhook_url: str, *, sender: str, body: str) -> httpx.Response:
        """A resident's SMS `body` from `sender`, posted to `webhook_url` (the app's Twilio inbound
        address, as PUBLIC_BASE_URL names it) the way Twilio posts it."""
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": "+15005550006",
            "Body": body,
        }
        data = webhook_url + "".join(name + form[name] for name in sorted(form))
        signature = base64.b64encode(hmac.new(AUTH_TOKEN.encode(), data.encode(), hashlib.sha1).digest())
        return httpx.post(
            webhook_url, data=form, headers={"X-Twilio-Signature": signature.decode()}, timeout=10
        )

    def find(self, *needles: str) -> list[dict]:
        """The messages taken so far whose body holds every one of `needles`."""
        with self.lock:
            return [m for m in self.messages if all(n in m["body"] for n in needles)]

    def settings(self) -> dict[str, str]:
        """What a process needs to send through this provider (settings names = environment names)."""
        return {
            "SMS_BACKEND": "residents.sms.backends.TwilioBackend",
            "SMS_TWILIO_BASE_URL": self.url,
            "SMS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "SMS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "SMS_TWILIO_FROM": "+15005550006",
        }

"""Drives the gunicorn .ci/prodcheck started: as nginx would, from 127.0.0.1 (a trusted proxy) with
X-Forwarded-Proto: https. Each step must answer 200; exits non-zero naming the first that did not.

Usage: prodcheck.py http://127.0.0.1:PORT path/to/gunicorn.log
"""

import re
import sys
import time
from pathlib import Path

import httpx

HOST = "doorstep.example.org"
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}


class Browser:
    """httpx over plain http to gunicorn, keeping the cookies a browser on https would (Secure ones too)."""

    def __init__(self, base: str):
        self.client = httpx.Client(base_url=base, headers=PROXY_HEADERS, timeout=10, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response


def check(step: str, response: httpx.Response, status: int = 200) -> httpx.Response:
    if response.status_code != status:
        sys.exit(
            f"FAIL {step}: {response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, not {status}\n{response.text[:500]}"
        )
    print(f"ok   {step}: {response.request.method} {response.request.url.path} → {response.status_code}")
    return response


def main(base: str, log_path: str) -> None:
    browser = Browser(base)
    deadline = time.monotonic() + 60
    while True:  # gunicorn is starting
        try:
            browser.client.get("/healthz")
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                sys.exit("FAIL gunicorn did not answer within 60 s")
            time.sleep(0.5)

    health = check("healthz", browser.request("GET", "/healthz"))
    print(f"     {health.json()}")

    login = check("login page", browser.request("GET", "/accounts/login/"))
    for header in ("Strict-Transport-Security", "Content-Security-Policy"):
        if header not in login.headers:
            sys.exit(f"FAIL login page: no {header} header")
    print(f"     Content-Security-Policy: {login.headers['Content-Security-Policy']}")
    asset = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', login.text)
    if asset is None:
        sys.exit("FAIL login page: no hashed stylesheet name (is the manifest storage on?)")
    check("hashed static asset", browser.request("GET", asset[1]))

    token = browser.cookies.get("csrftoken", "")
    logged_in = browser.request(
        "POST",
        "/accounts/login/",
        data={"username": "prodcheck", "password": "prodcheck-Pa55-word", "csrfmiddlewaretoken": token},
        headers={"Referer": f"https://{HOST}/accounts/login/", "Origin": f"https://{HOST}"},
    )
    check("log in", logged_in, 302)
    check("staff page (requests)", browser.request("GET", "/requests/"))
    home = check("staff page (home)", browser.request("GET", "/"))
    if "prodcheck" not in home.text and "检查社区" not in home.text:
        sys.exit("FAIL home page does not show the logged-in member")

    # A phone searched in the URL reaches gunicorn's access log masked (config/gunicorn_logging.py).
    check("phone search", browser.request("GET", "/residents/", params={"q": "13912345678"}))
    log = ""
    deadline = time.monotonic() + 10
    while "/residents/?q=" not in log and time.monotonic() < deadline:  # gunicorn writes it after answering
        time.sleep(0.2)
        log = Path(log_path).read_text(encoding="utf-8", errors="replace")
    if "13912345678" in log or "139****5678" not in log:
        sys.exit("FAIL gunicorn's access log does not mask the searched phone")
    print("ok   access log masks the searched phone (139****5678)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""The app under gunicorn for the benches that measure it as a browser meets it, and logged-in
HTTP clients for it.

    with serve() as base_url:           # gunicorn on a free loopback port, sized for the machine
        client = logged_in_client(base_url, user)

Workers: BENCH_WORKERS, else one sync worker per core (2 on the reference machine; the load
generator runs on the same cores). DEBUG is off; the database, cache and broker are the ones
DATABASE_URL / REDIS_URL name, as in this process.
"""

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workers() -> int:
    return int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(*, urlconf: str = "bench.intake_urls", n_workers: int | None = None):
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "BENCH_URLCONF": urlconf,
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "gunicorn", "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(n_workers or workers()),
        "--worker-class", "sync",
        "--no-control-socket",
        "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # a busy machine starts Django slowly
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=5).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def session_cookie(user) -> str:
    """A logged-in session for `user`, as the login page would make it (no password needed)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def logged_in_client(base_url: str, user, **kwargs):
    import httpx
    from django.conf import settings

    client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False, **kwargs)
    client.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie(user))
    return client


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="idempotency_token" value="([^"]+)"')


def form_tokens(html: str) -> tuple[str, str]:
    """(csrfmiddlewaretoken, idempotency_token) of the page's form."""
    csrf, token = CSRF.search(html), TOKEN.search(html)
    return (csrf.group(1) if csrf else ""), (token.group(1) if token else "")

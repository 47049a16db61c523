"""Intake through gunicorn at 8 clients: POST alone and the whole cycle, beside a bare one-INSERT view.

The app runs under gunicorn (bench/server.py: sync workers, one per core unless BENCH_WORKERS)
with bench/intake_urls.py, which adds a bare logged-in view doing one INSERT (same middleware,
same server, same run). 8 clients (threads, each its own httpx client and logged-in session of a
desk staff member) run three kinds of work in turn, in rounds, so that drift and the other
processes on the machine hit all three alike:

- bare: POST the bare view;
- intake POST: POST the intake form for a resident with a new token (a UUID, as intake.js
  makes it), answered 302;
- whole cycle: GET the form (the page a person opens), then POST it. The client behaves as a
  phone's browser with JavaScript does: it keeps the page it was given (HTTP cache) and asks again
  with If-None-Match, so an unchanged form is answered 304 and shown from its copy; the token is a
  UUID of its own, as intake.js makes it; the CSRF token is the page's;
- whole cycle without JavaScript: no cookie saying so, so the form is drawn each time and its
  server token is posted (the floor of a browser that cannot make tokens).

Rates are completed operations per second of wall time over all clients; p50/p95/p99 per
operation. Then intake POSTs at a fixed 50 per second (open loop: latency counted from the
moment each was due, so queueing shows) for the p95 target. Query counts of one GET and one
POST come from Django's test client in this process. Runs against DATABASE_URL (migrate it
first); the SMS tasks the intakes queue are purged from the broker afterwards.
"""

import os
import threading
import time
import uuid

import django

from bench.stats import percentile, summary

COMMUNITY_CODE = "BINTAKE"
CLIENTS = 8
PACED_RATE = 50


def _seed():
    from django.contrib.auth import get_user_model

    from residents.models import Community, Grid, Membership, Resident
    from residents.pinyin import name_readings

    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "登记基准社区", "street_office": "老街街道", "district": "源汇区"},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-intake")
    Membership.objects.get_or_create(user=user, community=community, defaults={"role": "desk_staff"})
    grid, _ = Grid.objects.get_or_create(community=community, name="基准网格")
    resident, _ = Resident.objects.get_or_create(
        community=community,
        name="王玉枝",
        defaults={"grid": grid, "name_pinyin": name_readings("王玉枝"), "phone": "+8613912345678"},
    )
    return community, user, resident


def _query_counts(community, user, resident, category) -> dict:
    """Queries of one form GET and one intake POST, warm (Django's test client, this process)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False, ROOT_URLCONF="config.urls"):
        client = Client()
        client.force_login(user)
        url = f"/requests/new/?community={community.pk}"

        def post():
            data = {
                "idempotency_token": str(uuid.uuid4()),
                "community": community.pk,
                "resident": resident.pk,
                "category": category.pk,
                "description": "楼道灯不亮",
                "source": "desk",
            }
            response = client.post("/requests/new/", data)
            assert response.status_code == 302, response.status_code
            client.cookies.pop("messages", None)

        for _ in range(3):
            assert client.get(url).status_code == 200
            post()
        counts = {}
        client.cookies["doorstep_js"] = "1"
        etag = client.get(url).headers.get("ETag", "")

        def revalidate():
            assert client.get(url, headers={"if-none-match": etag}).status_code == 304

        def draw():
            client.cookies.pop("doorstep_js", None)
            client.get(url)

        for name, call in (("GET 304", revalidate), ("GET", draw), ("POST", post)):
            with CaptureQueriesContext(connection) as queries:
                call()
            ours = [q["sql"] for q in queries.captured_queries if "_cache" not in q["sql"]]
            counts[name] = len(ours)
            if os.environ.get("BENCH_SHOW_QUERIES"):
                for sql in ours:
                    print("     ", name, sql[:150])
    counts["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return counts


class _Worker:
    """One client: its own logged-in session and connection, the page's CSRF token."""

    def __init__(self, base_url, user, community, resident, category):
        from bench.server import form_tokens, logged_in_client

        self.client = logged_in_client(base_url, user)
        self.form_url = f"/requests/new/?community={community.pk}"
        self.base = {
            "community": community.pk,
            "resident": resident.pk,
            "category": category.pk,
            "description": "楼道灯不亮",
            "source": "desk",
            "handler": "",
            "handler_proposed": "",
        }
        page = self.client.get(self.form_url)
        assert page.status_code == 200, page.status_code
        self.csrf, _ = form_tokens(page.text)
        self._form_tokens = form_tokens
        self.errors = 0
        self.cached = None  # (ETag, page) as a browser's HTTP cache keeps them
        self.revalidated = 0

    def bare(self) -> None:
        response = self.client.post(
            "/bench/bare-insert/",
            data={"csrfmiddlewaretoken": self.csrf, "idempotency_token": str(uuid.uuid4())},
        )
        self._check(response, 302)

    def post(self, token: str | None = None, csrf: str | None = None) -> None:
        data = {
            **self.base,
            "csrfmiddlewaretoken": csrf or self.csrf,
            "idempotency_token": token or str(uuid.uuid4()),
        }
        response = self.client.post("/requests/new/", data=data)
        self._check(response, 302)
        # The browser would follow to the logged page, which shows (consumes) the message.
        self.client.cookies.delete("messages")

    def cycle(self) -> None:
        """A browser with JavaScript: doorstep.js's cookie, its copy of the page revalidated."""
        self.client.cookies.set("doorstep_js", "1")
        headers = {"If-None-Match": self.cached[0]} if self.cached else {}
        page = self.client.get(self.form_url, headers=headers)
        if page.status_code == 304 and self.cached:
            self.revalidated += 1
            text = self.cached[1]
        else:
            self._check(page, 200)
            text = page.text
            if page.headers.get("ETag"):
                self.cached = (page.headers["ETag"], text)
        csrf, _ = self._form_tokens(text)
        self.post(str(uuid.uuid4()), csrf)

    def cycle_nojs(self) -> None:
        """A browser without JavaScript: the form drawn each time, the server's token posted."""
        self.client.cookies.delete("doorstep_js")
        page = self.client.get(self.form_url)
        self._check(page, 200)
        csrf, token = self._form_tokens(page.text)
        self.post(token, csrf)

    def _check(self, response, status: int) -> None:
        if response.status_code != status:
            self.errors += 1


def _closed_loop(workers, kind: str, seconds: float) -> tuple[list[float], float]:
    """Every worker repeats `kind` for `seconds`; the timings and the wall time."""
    timings: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(workers) + 1)

    def loop(worker):
        own = []
        call = getattr(worker, kind)
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            call()
            own.append(time.perf_counter() - began)
        with lock:
            timings.extend(own)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - began


def _paced(workers, rate: float, seconds: float) -> tuple[list[float], float]:
    """Intake POSTs due at `rate` per second, spread over the workers (and more threads, so a slow
    answer does not hold the next one back); latency from the moment each was due."""
    total = int(rate * seconds)
    timings: list[float] = []
    lock = threading.Lock()
    next_slot = [0]
    skipped = [0]
    t0 = time.perf_counter() + 0.2

    def loop(worker):
        while True:
            with lock:
                slot = next_slot[0]
                next_slot[0] += 1
            if slot >= total:
                return
            due = t0 + slot / rate
            if time.perf_counter() > t0 + 3 * seconds:  # far behind: the rate is out of reach
                with lock:
                    skipped[0] += 1
                continue
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            worker.post()
            with lock:
                timings.append(time.perf_counter() - due)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, min(time.perf_counter(), t0 + 3 * seconds) - t0


def measure(args) -> dict:
    django.setup()
    from django.db import connection

    from bench.intake_urls import BareRow
    from bench.server import serve, workers
    from requests.models import Category, ServiceRequest

    community, user, resident = _seed()
    category = Category.objects.get(code="other")
    counts = _query_counts(community, user, resident, category)
    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE IF EXISTS {BareRow._meta.db_table}")
        editor.create_model(BareRow)
    connection.close()  # the clients' threads must not share this process's connection
    rounds, seconds = (1, 3.0) if args.quick else (4, 10.0)
    paced_seconds = 5.0 if args.quick else 20.0
    before = ServiceRequest.objects.filter(community=community).count()
    results = {"bare": [], "post": [], "cycle": [], "cycle_nojs": []}
    walls = dict.fromkeys(results, 0.0)
    try:
        with serve() as base_url:
            clients = [_Worker(base_url, user, community, resident, category) for _ in range(CLIENTS)]
            for worker in clients:  # warm every worker process and connection
                worker.cycle()
                worker.bare()
                worker.revalidated = 0
            for _ in range(rounds):
                for kind in results:
                    timings, wall = _closed_loop(clients, kind, seconds)
                    results[kind] += timings
                    walls[kind] += wall
            paced_clients = clients + [
                _Worker(base_url, user, community, resident, category) for _ in range(CLIENTS)
            ]
            paced, paced_wall = _paced(paced_clients, PACED_RATE, paced_seconds)
            errors = sum(w.errors for w in paced_clients)
            revalidated = sum(w.revalidated for w in clients)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(BareRow)
        _purge_broker()
    logged = ServiceRequest.objects.filter(community=community).count() - before
    rate = {kind: len(results[kind]) / walls[kind] for kind in results}
    return {
        "workers": workers(),
        "clients": CLIENTS,
        "timings": results,
        "rate": rate,
        "paced": paced,
        "paced_rate": len(paced) / paced_wall,
        "errors": errors,
        "revalidated": revalidated,
        "logged": logged,
        "queries": counts,
    }


def _purge_broker() -> None:
    """The SMS tasks the intakes queued (no worker runs here): drop them from the bench's queue."""
    try:
        from config.celery import app

        app.control.purge()
    except Exception as error:  # noqa: BLE001 - a bench's tidy-up; say so and go on
        print(f"   (broker not purged: {error})")


def lines(figures: dict) -> list[str]:
    t, rate = figures["timings"], figures["rate"]
    paced = [s * 1000 for s in figures["paced"]]
    return [
        f"gunicorn: {figures['workers']} sync workers; {figures['clients']} clients; "
        f"cache: {figures['queries']['cache']}",
        summary("bare INSERT POST", t["bare"]) + f" rate={rate['bare']:.0f}/s",
        summary("intake POST", t["post"]) + f" rate={rate['post']:.0f}/s",
        summary("whole cycle (GET form + POST)", t["cycle"]) + f" rate={rate['cycle']:.0f}/s",
        summary("whole cycle without JavaScript", t["cycle_nojs"]) + f" rate={rate['cycle_nojs']:.0f}/s",
        f"ratio intake POST / bare: {rate['post'] / rate['bare']:.2f}; "
        f"whole cycle / bare: {rate['cycle'] / rate['bare']:.2f} (target ≥ 0.50); "
        f"without JavaScript: {rate['cycle_nojs'] / rate['bare']:.2f}",
        f"intake POST at {PACED_RATE}/s (open loop, {len(paced)} POSTs, achieved "
        f"{figures['paced_rate']:.0f}/s): p50={percentile(paced, 50):.0f}ms "
        f"p95={percentile(paced, 95):.0f}ms p99={percentile(paced, 99):.0f}ms (target p95 ≤ 150 ms)",
        f"whole cycle: the form answered 304 in {figures['revalidated']} of {len(t['cycle'])} cycles",
        f"queries: form GET {figures['queries']['GET']} (answered 304: {figures['queries']['GET 304']}), "
        f"intake POST {figures['queries']['POST']}; "
        f"errors: {figures['errors']}",
    ]


def run(args) -> list[str]:
    return lines(measure(args))

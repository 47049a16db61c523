"""Intake POSTs per second, against a bare logged-in view doing one INSERT (same middleware, same run).

Both are POSTed in process with django.test.Client against the real URLconf (plus the bare view,
bench/intake_urls.py, set as ROOT_URLCONF in this process only) by a logged-in desk staff member,
interleaved in rounds so that drift hits both alike. Each intake POST carries a new idempotency
token and logs a request for a resident (reference counter, request, timeline line, SMS notice,
reminder step). Prints both rates, their ratio, and the queries one intake POST issues.
Runs against the database DATABASE_URL names (migrate it first).
"""

import os
import time

import django

from bench.stats import summary

COMMUNITY_CODE = "BINTAKE"


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


def run(args) -> list[str]:
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, reverse

    from bench.intake_urls import BareRow
    from requests.forms import new_token
    from requests.models import Category, ServiceRequest

    settings.ROOT_URLCONF = "bench.intake_urls"  # this process only
    settings.DEBUG = False
    clear_url_caches()
    community, user, resident = _seed()
    category = Category.objects.get(code="other")
    with connection.schema_editor() as editor:
        editor.create_model(BareRow)
    try:
        client = Client()
        client.force_login(user)
        intake_url, bare_url = reverse("requests:create"), reverse("bench_bare_insert")

        def intake():
            data = {
                "idempotency_token": new_token(),
                "community": community.pk,
                "resident": resident.pk,
                "category": category.pk,
                "description": "楼道灯不亮",
                "source": "desk",
            }
            response = client.post(intake_url, data)
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            # The browser follows the redirect and the page shows (consumes) the "logged" message;
            # unread, the bench's messages would pile up in the cookie and then in the session.
            client.cookies.pop("messages", None)

        def bare():
            response = client.post(bare_url, {"idempotency_token": new_token()})
            assert response.status_code == 302, response.status_code

        for _ in range(10):  # warm up both
            intake()
            bare()
        with CaptureQueriesContext(connection) as queries:
            intake()
        intake_queries = len(queries.captured_queries)
        if os.environ.get("BENCH_SHOW_QUERIES"):  # list them, to see where the time goes
            for query in queries.captured_queries:
                print("     ", query["sql"][:160])
        before = ServiceRequest.objects.filter(community=community).count()

        rounds, per_round = (5, 20) if args.quick else (10, 100)
        timings = {"intake": [], "bare": []}
        for _ in range(rounds):
            for name, call in (("bare", bare), ("intake", intake)):
                for _ in range(per_round):
                    started = time.perf_counter()
                    call()
                    timings[name].append(time.perf_counter() - started)
        logged = ServiceRequest.objects.filter(community=community).count() - before
        assert logged == rounds * per_round, logged
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(BareRow)

    rate = {name: len(t) / sum(t) for name, t in timings.items()}
    return [
        f"database: {connection.vendor}, cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
        summary("intake POST", timings["intake"]),
        summary("bare INSERT POST", timings["bare"]),
        f"intake: {rate['intake']:.0f} POST/s; bare view: {rate['bare']:.0f} POST/s; "
        f"ratio intake/bare: {rate['intake'] / rate['bare']:.2f} "
        f"(an intake POST costs {rate['bare'] / rate['intake']:.1f} bare ones)",
        f"queries per intake POST: {intake_queries}",
    ]

"""Staff pages at scale: home, the request list (default and each filter), My requests, a detail page.

Needs PostgreSQL in a database of its own, seeded by bench/seed_scale.py up to BENCH_SIZE requests
(default 20,000). Each page is drawn whole (view, queries, template) through Django's test client
as the bench supervisor of the first community, p50/p95 with the page's query count beside it, so
that growth with the data shows. List search is bench_search's (and the resident search too).
"""

import os
import time

import django

from bench.stats import summary
from config.warmup import warm_and_freeze


def run(args) -> list[str]:
    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    from bench.seed_scale import seed
    from requests.models import Category, ServiceRequest
    from residents.models import Grid

    size = int(os.environ.get("BENCH_SIZE", "20000"))
    world = seed(size, out=lambda line: None)
    community = world["communities"][0]
    supervisor = world["supervisor"]
    grid = Grid.objects.filter(community=community).order_by("pk").first()
    category = Category.objects.filter(is_group=False).order_by("pk").first()
    # Seeded rows only (their references have "-B-"): the samples stay the same when an earlier
    # bench's intakes and load test have added requests to the database.
    seeded = ServiceRequest.objects.filter(community=community, reference__contains="-B-")
    latest = seeded.order_by("-pk").first()
    handler_id = seeded.filter(handler__isnull=False).values_list("handler_id", flat=True).first()
    total = ServiceRequest.objects.count()
    rounds = 5 if args.quick else 30
    c = community.pk
    pages = [
        ("home", "/", {}),
        ("request list, default", "/requests/", {"community": c}),
        ("list by status", "/requests/", {"community": c, "status": "in_progress"}),
        ("list by category", "/requests/", {"community": c, "category": category.pk}),
        ("list by grid", "/requests/", {"community": c, "grid": grid.pk}),
        ("list by handler", "/requests/", {"community": c, "handler": handler_id}),
        ("list by source", "/requests/", {"community": c, "source": "hotline"}),
        ("list overdue", "/requests/", {"community": c, "overdue": "on"}),
        ("My requests (supervisor)", "/requests/mine/", {}),
        ("request detail", f"/requests/{latest.reference}/", {}),
    ]
    lines = [f"database: {connection.vendor}, requests: {total:,} (two communities)"]
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(supervisor)
        for label, path, query in pages:
            assert client.get(path, query).status_code == 200, label  # warm
            warm_and_freeze()  # as a production worker does (config/wsgi.py)
            timings = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(path, query)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, (label, response.status_code)
            with override_settings(DEBUG=True):
                reset_queries()
                client.get(path, query)
                queries = len([q for q in connection.queries if "_cache" not in q["sql"]])
            lines.append(f"{summary(label, timings)} queries={queries}")
    return lines

"""The supervisor's dashboard at scale: p50/p95 for three scopes, the street office's comparison and
the monthly report (target: dashboard p95 ≤ 300 ms at 1,000,000 requests on 2 cores).

Needs PostgreSQL in a database of its own, seeded by bench/seed_scale.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstep_bench make bench BENCH_ARGS=dashboard
    (BENCH_SIZE=1000000 to seed up to a million first; the default seeds 20,000)

Pages are drawn whole (view, queries, template) through Django's test client as a logged-in
supervisor; the query count of each page is printed beside its timings.
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
    from requests.models import ServiceRequest
    from residents.models import Grid

    size = int(os.environ.get("BENCH_SIZE", "20000"))
    world = seed(size, out=lambda line: None)
    community = world["communities"][0]
    grid = Grid.objects.filter(community=community).order_by("pk").first()
    total = ServiceRequest.objects.count()
    rounds = 5 if args.quick else 30
    lines = [f"database: {connection.vendor}, requests: {total:,} (two communities)"]
    pages = [
        (
            "community, last month",
            world["supervisor"],
            "/dashboard/",
            {"community": community.pk, "period": "last_month"},
        ),
        (
            "street office, a year",
            world["street"],
            "/dashboard/",
            {"period": "custom", "date_from": _days_ago(365), "date_to": _days_ago(0)},
        ),
        (
            "one grid, this week",
            world["supervisor"],
            "/dashboard/",
            {"community": community.pk, "grid": grid.pk, "period": "this_week"},
        ),
        (
            "street comparison, a year",
            world["street"],
            "/dashboard/communities/",
            {"period": "custom", "date_from": _days_ago(365), "date_to": _days_ago(0)},
        ),
        (
            "monthly report .xlsx (street)",
            world["street"],
            "/dashboard/report/",
            {"period": "last_month", "format": "xlsx"},
        ),
    ]
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        for label, user, path, query in pages:
            client = Client()
            client.force_login(user)
            assert client.get(path, query).status_code == 200  # warm: the session, the calendar cache
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
                queries = len(connection.queries)
            lines.append(f"{summary(label, timings)} queries={queries}")
    return lines


def _days_ago(days: int) -> str:
    from django.utils import timezone

    return (timezone.localdate() - __import__("datetime").timedelta(days=days)).isoformat()

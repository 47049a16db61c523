"""/healthz and the login page through the full middleware stack, in process."""

import time

import django

from bench.stats import summary


def run(args) -> list[str]:
    django.setup()
    from django.test import Client

    client = Client()
    count = 50 if args.quick else 500
    lines = []
    for path in ("/healthz", "/accounts/login/"):
        client.get(path)  # warm up
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code in (200, 503), response.status_code
        lines.append(summary(path, timings))
    return lines

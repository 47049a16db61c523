"""Load: 100 simulated staff on a mixed workload through gunicorn, by locust (target: 0 errors, p99 ≤ 500 ms).

The workload is bench/locustfile.py (search, lists, My requests, detail, intake, accept and
resolve, 5–15 s think time); its people are the bench world of bench/seed_scale.py (handlers and
the supervisor of the first community, BENCH_SIZE requests; default 20,000), each simulated user
with a session of its own. Locust runs from its own virtual environment outside the project
(LOCUST_VENV, default ~/.cache/doorstep-locust, made from bench/locust.lock when missing; PyPI's
`requests` would be shadowed by our requests/ app inside the project). The load generator runs
on the same cores as gunicorn, PostgreSQL and Redis: on a 2-core machine it takes a good share of
them, so these figures are a floor.
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
USERS = 100


def locust_venv() -> Path:
    venv = Path(os.environ.get("LOCUST_VENV") or Path.home() / ".cache" / "doorstep-locust")
    if not (venv / "bin" / "locust").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-r",
             str(ROOT / "bench" / "locust.lock")],
            check=True,
        )  # fmt: skip
    return venv


def _sessions(path: Path) -> None:
    """One line per simulated person: a fresh session of one of the bench's staff."""
    from bench.seed_scale import seed
    from bench.server import session_cookie
    from requests.models import Category, ServiceRequest
    from residents.models import Membership

    size = int(os.environ.get("BENCH_SIZE", "20000"))
    world = seed(size, out=lambda line: None)
    community = world["communities"][0]
    staff = [
        m.user
        for m in Membership.objects.filter(community=community, is_active=True)
        .select_related("user")
        .order_by("user_id")
        if m.role in ("desk_staff", "grid_worker", "supervisor")
    ]
    resident_id = (
        ServiceRequest.objects.filter(community=community, resident__isnull=False)
        .values_list("resident_id", flat=True)
        .first()
    )
    category = Category.objects.get(code="other")
    with path.open("w", encoding="utf-8") as out:
        for i in range(USERS):
            user = staff[i % len(staff)]
            out.write(f"{session_cookie(user)} {community.pk} {resident_id} {category.pk}\n")


def run(args) -> list[str]:
    django.setup()
    from django.db import connection

    from bench.server import serve, workers

    venv = locust_venv()
    seconds = 30 if args.quick else 180
    with tempfile.TemporaryDirectory(prefix="doorstep-load-") as tmp:
        sessions = Path(tmp) / "sessions.txt"
        _sessions(sessions)
        connection.close()
        with serve(urlconf="config.urls") as base_url:
            started = time.perf_counter()
            result = subprocess.run(
                [
                    str(venv / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless", "--users", str(USERS), "--spawn-rate", "10",
                    "--run-time", f"{seconds}s", "--host", base_url,
                    "--csv", str(Path(tmp) / "load"), "--only-summary", "--loglevel", "WARNING",
                    "--exit-code-on-error", "0",
                ],
                cwd=tmp,  # not the project root: locust must import PyPI's requests, not ours
                env={**os.environ, "BENCH_LOAD_SESSIONS": str(sessions), "PYTHONPATH": ""},
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            wall = time.perf_counter() - started
        stats = Path(tmp) / "load_stats.csv"
        if result.returncode != 0 or not stats.exists():
            return [f"locust failed ({result.returncode}): {result.stderr[-1500:]}"]
        rows = list(csv.DictReader(stats.open(encoding="utf-8")))
        failures_csv = Path(tmp) / "load_failures.csv"
        failures = list(csv.DictReader(failures_csv.open(encoding="utf-8"))) if failures_csv.exists() else []
    lines = [
        f"{USERS} simulated staff, {seconds}s, gunicorn {workers()} sync workers; locust shares "
        f"the machine's {os.cpu_count()} cores (wall {wall:.0f}s)"
    ]
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        count, errors = int(row["Request Count"]), int(row["Failure Count"])
        lines.append(
            f"{name}: n={count} p50={float(row['50%'] or 0):.1f}ms p95={float(row['95%'] or 0):.1f}ms "
            f"p99={float(row['99%'] or 0):.1f}ms mean={float(row['Average Response Time'] or 0):.1f}ms "
            f"rate={float(row['Requests/s'] or 0):.1f}/s" + (f" — {errors} errors" if errors else "")
        )
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total:
        lines.append(
            f"throughput {float(total['Requests/s']):.1f} requests/s; errors {total['Failure Count']} "
            f"(target 0); p99 {total['99%']} ms (target ≤ 500 ms)"
        )
    for failure in failures[:5]:
        lines.append(f"error: {failure.get('Name')} {failure.get('Error')} ×{failure.get('Occurrences')}")
    return lines

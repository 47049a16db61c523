"""`make bench`: the whole bench as one table, headed by the machine and the commit.

    make bench                          # full: 10,000 / 100,000 / 1,000,000 requests (under 20 min
                                        # with the seeded databases kept from an earlier run)
    make bench BENCH_ARGS=--quick       # 10,000 requests, shorter runs (under 3 minutes)
    make bench BENCH_ARGS="intake"      # one bench module's own lines, as before

Needs PostgreSQL and Redis: DATABASE_URL names the bench's own database (e.g.
postgres://postgres@127.0.0.1:5432/doorstep_bench); each size gets a database of its own beside it
(doorstep_bench_10k, _100k, _1m), created, migrated and seeded by bench/seed_scale.py when missing
and reused when present. Each bench module runs in a process of its own against the size's
database (BENCH_SIZE says the size); its `summary` lines become the table's rows. The intake
cycle and the load test run once, against the largest size of the run; the reminder sweep and
SMS throughput (bench_sms.py, when present) once, each in a database of its own
(doorstep_bench_reminders, _sms).
"""

import contextlib
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000,)
PER_SIZE = ("pages", "search", "dashboard")
ONCE_LARGEST = ("intake", "load")
ONCE_SMALLEST = ("reminders", "sms")
LINE = re.compile(
    r"^\s*(?P<label>[^:]+): n=(?P<n>\d+) p50=(?P<p50>[\d.]+)ms p95=(?P<p95>[\d.]+)ms "
    r"p99=(?P<p99>[\d.]+)ms mean=[\d.]+ms(?: queries=(?P<queries>\d+))?(?: rate=(?P<rate>[\d.]+)/s)?"
)


def _size_label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


def _database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "doorstep_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{_size_label(size)}"))


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _env(url: str, size: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_SIZE": str(size),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DOORSTEP_RUN_ID": os.environ.get("DOORSTEP_RUN_ID", "doorstep_bench"),
    }


def _python(args: list[str], env: dict, out) -> str:
    out(f"   $ {' '.join(args)}")
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        out(result.stdout[-2000:])
        out(result.stderr[-4000:])
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode})")
    return result.stdout


def _module(name: str, env: dict, quick: bool, out) -> list[str]:
    args = ["-m", "bench", name] + (["--quick"] if quick else [])
    started = time.perf_counter()
    try:
        text = _python(args, env, out)
    except RuntimeError as error:
        return [f"{name}: FAILED ({error})"]
    out(f"   ({name}: {time.perf_counter() - started:.0f}s)")
    return [line.strip() for line in text.splitlines() if line.startswith("   ") and line.strip()]


def _head() -> list[str]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    memory = ""
    try:
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if "MemTotal" in line
        )
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return [
        f"cores: {os.cpu_count()}  memory: {memory}  commit: {commit}{' (+ changes)' if dirty else ''}  "
        f"python {platform.python_version()}  load average at start: {load}",
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def _table(rows: list[tuple[str, str, list[str]]]) -> list[str]:
    """One table: every timed line (p50/p95/p99, queries, rate) by bench, size and label; other
    lines (ratios, counts, notes) under their bench."""
    out = [
        f"{'bench':<10} {'size':>5}  {'figure':<44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'queries':>7} {'rate/s':>7}",
        "-" * 104,
    ]
    notes = []
    for bench, size, lines in rows:
        for line in lines:
            match = LINE.match(line)
            if match:
                out.append(
                    f"{bench:<10} {size:>5}  {match['label'][:44]:<44} {float(match['p50']):>8.1f} "
                    f"{float(match['p95']):>8.1f} {float(match['p99']):>8.1f} {match['queries'] or '':>7} "
                    f"{match['rate'] or '':>7}"
                )
            else:
                notes.append(f"{bench:<10} {size:>5}  {line}")
    return out + ["", *notes]


def main(args, out=print) -> int:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        out("make bench needs DATABASE_URL naming a PostgreSQL database of its own, and REDIS_URL.")
        return 2
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if getattr(args, "sizes", None):
        sizes = tuple(int(s) for s in args.sizes.split(","))
    started = time.perf_counter()
    head = _head()
    for line in head:
        out(line)
    rows = []
    for size in sizes:
        url = _database_url(base, size)
        env = _env(url, size)
        _ensure_database(url)
        t0 = time.perf_counter()
        _python(["manage.py", "migrate", "--noinput", "-v0"], env, out)
        _python(["-m", "bench.seed_scale", str(size)], env, out)
        out(f"   (size {size:,}: ready in {time.perf_counter() - t0:.0f}s)")
        for name in PER_SIZE:
            rows.append((name, _size_label(size), _module(name, env, args.quick, out)))
    largest, smallest = max(sizes), min(sizes)
    for name in ONCE_LARGEST:
        env = _env(_database_url(base, largest), largest)
        rows.append((name, _size_label(largest), _module(name, env, args.quick, out)))
    for name in ONCE_SMALLEST:
        if (ROOT / "bench" / f"bench_{name}.py").exists():
            # A database of its own: these seed their own rows and count everything that is due,
            # which the other benches' intakes would add to.
            url = _database_url(base, smallest).rsplit("_", 1)[0] + f"_{name}"
            _ensure_database(url)
            env = _env(url, smallest)
            _python(["manage.py", "migrate", "--noinput", "-v0"], env, out)
            rows.append((name, _size_label(smallest), _module(name, env, args.quick, out)))
    out("")
    out("=" * 104)
    for line in head:
        out(line)
    for line in _table(rows):
        out(line)
    out(f"(make bench took {time.perf_counter() - started:.0f}s)")
    return 0

"""`make bench`: the whole bench as one table (bench/suite.py), or the bench/bench_*.py modules named.

Speed lives here, run by hand, never in timed tests. Each module has `run(args) -> list[str]`
returning the lines it reports (ratios, percentiles). Point DATABASE_URL / REDIS_URL at the
services to measure; the embedded default is measured otherwise.
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "names",
        nargs="*",
        help="bench modules to run, e.g. healthz (default: the whole table, bench/suite.py)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer iterations and one size (10,000)")
    parser.add_argument("--sizes", help="the table's sizes, e.g. 10000,100000 (default 10k/100k/1M)")
    args = parser.parse_args()

    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    available = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    if not args.names:
        from bench import suite

        return suite.main(args)
    chosen = args.names
    unknown = set(chosen) - set(available)
    if unknown:
        parser.error(f"unknown bench {', '.join(sorted(unknown))}; known: {', '.join(available)}")
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}", flush=True)
        for line in module.run(args):
            print(f"   {line}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

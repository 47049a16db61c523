"""Resident search as desk staff type it: p50/p95 over 10,000 residents (target p95 well under 100 ms).

Runs against the database DATABASE_URL names (migrate it first); seeds a bench community of
10,000 residents once, then times the directory search the htmx box calls, for digit, name,
pinyin-initial, full-pinyin and address queries, through the scoped selector and rendered rows.
"""

import random
import time

import django

from bench.stats import summary

COMMUNITY_CODE = "BENCH"
SIZE = 10_000


def _seed():
    from django.contrib.auth import get_user_model
    from faker import Faker

    from residents.models import Community, Grid, Membership, Resident
    from residents.pinyin import name_readings

    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "基准测试社区", "street_office": "老街街道", "district": "源汇区"},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-search")
    Membership.objects.get_or_create(user=user, community=community, defaults={"role": "desk_staff"})
    grid, _ = Grid.objects.get_or_create(community=community, name="基准网格")
    have = community.residents.count()
    if have < SIZE:
        fake = Faker("zh_CN")
        fake.seed_instance(7)
        rng = random.Random(7)
        batch = []
        for _ in range(have, SIZE):
            name = fake.name()
            batch.append(
                Resident(
                    community=community,
                    grid=grid,
                    name=name,
                    name_pinyin=name_readings(name),
                    phone=f"+861{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
                    compound=rng.choice(["冶金厂家属院", "滨河小区", "建设路小区", "老街南院"]),
                    building=str(rng.randint(1, 12)),
                    unit=str(rng.randint(1, 4)),
                    room=f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                )
            )
        Resident.objects.bulk_create(batch, batch_size=2000)
    return user, list(community.residents.values_list("name", "name_pinyin", "phone")[:500])


def run(args) -> list[str]:
    django.setup()
    from django.db import connection

    from residents.selectors import resident_search

    user, sample = _seed()
    rng = random.Random(11)
    queries = {
        "last 4 digits": [p[-4:] for _, _, p in sample],
        "any 5 digits": [p[5:10] for _, _, p in sample],
        "name part": [n[:2] for n, _, _ in sample],
        "pinyin initials": [py.split()[1] if len(py.split()) > 1 else py for _, py, _ in sample],
        "full pinyin prefix": [py.split()[0][:5] for _, py, _ in sample],
        "compound": ["冶金厂", "滨河", "建设路"],
    }
    rounds = 30 if args.quick else 200
    lines = [f"database: {connection.vendor}, residents in scope: {SIZE}"]
    every = []
    for label, pool in queries.items():
        timings = []
        for _ in range(rounds):
            q = rng.choice(pool)
            user.__dict__.pop("_doorstep_places", None)  # as a fresh request would
            started = time.perf_counter()
            rows = list(resident_search(user=user, q=q)[:20])
            timings.append(time.perf_counter() - started)
            assert rows or label == "compound", f"{label} {q!r} found nothing"
        every += timings
        lines.append(summary(label, timings))
    lines.append(summary("all queries", every))
    return lines

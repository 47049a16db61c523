"""Search and lists: resident search (target p95 well under 100 ms) and every request list, filter,
search and My requests at scale (target p95 ≤ 200 ms at 1,000,000 requests).

Runs against the database DATABASE_URL names (migrate it first). Two parts:

- residents: seeds a bench community of 10,000 residents once, then times the directory search the
  htmx box calls, for digit, name, pinyin-initial, full-pinyin and address queries, through the
  scoped selector;
- lists: the request list pages drawn whole (view, queries, template) through Django's test client
  as a logged-in supervisor (one community), a street-office supervisor (both) and a handler, on
  the database bench/seed_scale.py seeds (BENCH_SIZE requests, default 20,000; 100,000 residents):
  the default list, each filter, each kind of search, My requests; p50/p95 and each page's query
  count. BENCH_LISTS=residents or =lists runs one part only.
"""

import datetime as dt
import os
import random
import time

import django

from bench.stats import summary
from config.warmup import warm_and_freeze

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
    part = os.environ.get("BENCH_LISTS", "")
    lines = [] if part == "lists" else run_residents(args)
    return lines + ([] if part == "residents" else run_lists(args))


def run_residents(args) -> list[str]:
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


def _list_cases(world) -> list[tuple[str, object, str, dict]]:
    """(label, user, path, query) for every list, filter and search the pages offer."""
    from django.contrib.auth import get_user_model
    from pypinyin import lazy_pinyin

    from requests.models import Category, ServiceRequest
    from residents.models import Grid, Resident

    supervisor, street = world["supervisor"], world["street"]
    community = world["communities"][0]
    handler = get_user_model().objects.get(username=f"bench-{community.code}-h3")
    grid = Grid.objects.filter(community=community).order_by("pk")[4]
    category = Category.objects.filter(is_group=False).order_by("pk")[3]
    group = Category.objects.filter(is_group=True).order_by("pk").first()
    # Seeded rows only (references with "-B-"): the sample resident, and so the surname searched,
    # stays the same when earlier benches have added requests.
    rows = ServiceRequest.objects.filter(community=community, reference__contains="-B-")
    sample = rows.filter(resident__isnull=False).order_by("-pk").select_related("resident")[1234]
    resident = sample.resident
    zeng = Resident.objects.filter(community=community, name__startswith="曾", name__regex=r"^...$").first()
    syllables = lazy_pinyin((zeng or resident).name)
    full, initials = "".join(syllables), "".join(s[0] for s in syllables)
    mixed = syllables[0] + initials[1:]  # zengxm
    week_ago = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    lst, mine = "/requests/", "/requests/mine/"
    cases = [
        ("list, default", supervisor, lst, {}),
        ("list, default (street office, 2 communities)", street, lst, {}),
        ("list, page 40", supervisor, lst, {"page": 40}),
        ("filter status=in_progress", supervisor, lst, {"status": "in_progress"}),
        ("filter status=closed", supervisor, lst, {"status": "closed"}),
        ("filter handler", supervisor, lst, {"handler": handler.pk}),
        ("filter grid", supervisor, lst, {"grid": grid.pk}),
        ("filter category", supervisor, lst, {"category": category.pk}),
        ("filter category group", supervisor, lst, {"category": group.pk}),
        ("filter source=hotline", supervisor, lst, {"source": "hotline"}),
        ("filter overdue", supervisor, lst, {"overdue": "on"}),
        ("filter last 7 days", supervisor, lst, {"date_from": week_ago}),
        ("filter grid + status=logged", supervisor, lst, {"grid": grid.pk, "status": "logged"}),
        ("filter resident", supervisor, lst, {"resident": resident.pk}),
        ("search reference", supervisor, lst, {"q": sample.reference}),
        ("search reference, lower case", supervisor, lst, {"q": sample.reference.lower()}),
        ("search 4 digits (phone last 4 / number)", supervisor, lst, {"q": resident.phone[-4:]}),
        ("search whole mobile", supervisor, lst, {"q": resident.phone[3:]}),
        ("search name", supervisor, lst, {"q": resident.name}),
        ("search surname (one character)", supervisor, lst, {"q": resident.name[0]}),
        ("search pinyin full", supervisor, lst, {"q": full}),
        ("search pinyin initials", supervisor, lst, {"q": initials}),
        ("search pinyin mixed", supervisor, lst, {"q": mixed}),
        ("search descriptions too", supervisor, lst, {"q": "诉求", "descriptions": "on"}),
        ("search name (street office)", street, lst, {"q": resident.name}),
        ("My requests (supervisor)", supervisor, mine, {}),
        ("My requests (street office)", street, mine, {}),
        ("My requests (handler)", handler, mine, {}),
    ]
    return cases


def run_lists(args) -> list[str]:
    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    from bench.seed_scale import seed
    from requests.models import ServiceRequest

    size = int(os.environ.get("BENCH_SIZE", "20000"))
    world = seed(size, out=lambda line: None)
    total = ServiceRequest.objects.count()
    rounds = 5 if args.quick else 20
    lines = [f"lists: database {connection.vendor}, requests: {total:,} (two communities, 60/40)"]
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        clients = {}
        for label, user, path, query in _list_cases(world):
            client = clients.get(user.pk)
            if client is None:
                client = clients[user.pk] = Client()
                client.force_login(user)
            assert client.get(path, query).status_code == 200  # warm: the session, caches
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

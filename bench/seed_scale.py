"""Seed a database of realistic size for the benches: two communities, 100,000 residents, N requests
spread over two years with their timeline events (about four each), by PostgreSQL COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstep_bench \
        .venv/bin/python -m bench.seed_scale 1000000

Use a database of its own (it is migrated first). Seeding is idempotent per size: it adds what is
missing up to N. Every column gets the value a model instance would have by default, then the
seeder's own values on top, so a new nullable or defaulted column needs no change here.
"""

import datetime as dt
import functools
import io
import itertools
import json
import random
import sys
import time

import django

COMMUNITIES = (("BXB", "基准滨西社区"), ("BDB", "基准滨东社区"))
RESIDENTS = 100_000
YEARS = 2
SUPERVISOR = "bench-supervisor"
STREET = "bench-street"
SOURCES = ("desk", "desk", "desk", "phone", "walk_in", "hotline", "grid_patrol")
RATINGS = ("satisfied",) * 6 + ("fairly_satisfied",) * 2 + ("dissatisfied", "unreachable")


# Names as a register holds them (a common surname, one or two given characters), so name and
# pinyin searches meet the spread of matches they meet in a real community: 王 is common, 曾 rarer.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红志文春云海波小晓俊鹏"
    "辉凤燕玲丹萍宇浩凯欣淑珍荣新利清飞彬富顺信子成康星光天达安岩中茂进林有坚和彪博诚"
    "先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏"
    "言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)

_SURNAME_WEIGHTS = list(itertools.accumulate(1 / (k + 6) for k in range(len(SURNAMES))))


def _resident_name(i: int) -> str:
    """A deterministic, realistic name for resident i: surnames weighted towards the common ones."""
    r = random.Random(i)
    surname = r.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
    given = "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2, 2))))
    return surname + given


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """Rows of one model written through COPY, with the model's defaults filled in."""

    def __init__(self, model, connection):
        self.model = model
        self.connection = connection
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        template = model()
        self.columns = [f.column for f in fields]
        self.defaults = {}
        for f in fields:
            value = getattr(template, f.attname)
            self.defaults[f.column] = f.get_db_prep_save(value, connection) if value is not None else None

    def write(self, rows) -> int:
        n = 0
        table = self.model._meta.db_table
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with self.connection.cursor() as cursor:
            # A bench database of its own: skip the per-row foreign-key triggers while loading (the
            # seeder only writes ids it has just read); indexes and CHECK constraints still apply.
            cursor.execute("SET session_replication_role = replica")
            raw = cursor.cursor
            with raw.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                buffer = io.StringIO()
                for row in rows:
                    values = {**self.defaults, **row}
                    buffer.write("\t".join(_copy_value(values[c]) for c in self.columns))
                    buffer.write("\n")
                    n += 1
                    if n % 20_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
            cursor.execute("SET session_replication_role = DEFAULT")
        return n


def _people(community):
    from django.contrib.auth import get_user_model

    from residents.models import Grid

    try:
        from residents.models import Membership
    except ImportError:  # before the membership moved to residents
        from residents.models import Membership

    User = get_user_model()
    handlers = []
    for i in range(20):
        user, _ = User.objects.get_or_create(
            username=f"bench-{community.code}-h{i}", defaults={"last_name": "办"}
        )
        role = "grid_worker" if i % 2 else "desk_staff"
        Membership.objects.get_or_create(user=user, community=community, defaults={"role": role})
        handlers.append(user.pk)
    grids = []
    for i in range(12):
        grid, _ = Grid.objects.get_or_create(community=community, name=f"第{i + 1}网格")
        grids.append(grid.pk)
    return handlers, grids


def seed(size: int, *, out=print) -> dict:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from requests import clock
    from requests.models import Category, RequestEvent, ServiceRequest
    from residents.models import Community, Resident
    from residents.pinyin import name_readings

    try:
        from residents.models import Membership
    except ImportError:
        from residents.models import Membership

    assert connection.vendor == "postgresql", "the scale seeder needs PostgreSQL (COPY)"
    rng = random.Random(2026)
    started = time.perf_counter()
    communities = []
    for code, name in COMMUNITIES:
        community, _ = Community.objects.get_or_create(
            code=code, defaults={"name": name, "street_office": "老街街道", "district": "源汇区"}
        )
        communities.append(community)
    User = get_user_model()
    supervisor, _ = User.objects.get_or_create(username=SUPERVISOR)
    street, _ = User.objects.get_or_create(username=STREET)
    Membership.objects.get_or_create(
        user=supervisor, community=communities[0], defaults={"role": "supervisor"}
    )
    for community in communities:
        Membership.objects.get_or_create(user=street, community=community, defaults={"role": "supervisor"})
    people = {c.pk: _people(c) for c in communities}
    categories = list(Category.objects.filter(is_group=False).values_list("pk", flat=True))

    # Residents: 100,000 across the two communities (60 / 40).
    have = Resident.objects.filter(community__in=communities).count()
    if have < RESIDENTS:
        copier = Copier(Resident, connection)
        now = clock.now()
        readings = functools.lru_cache(maxsize=None)(name_readings)

        def residents():
            for i in range(have, RESIDENTS):
                community = communities[0] if i % 5 < 3 else communities[1]
                name = _resident_name(i)
                yield {
                    "community_id": community.pk,
                    "grid_id": rng.choice(people[community.pk][1]),
                    "name": name,
                    "name_pinyin": readings(name),
                    "phone": f"+86138{i:08d}",
                    "compound": "冶金厂家属院",
                    "building": str(i % 12 + 1),
                    "unit": str(i % 4 + 1),
                    "room": f"{i % 6 + 1}0{i % 4 + 1}",
                    "created_at": now,
                    "updated_at": now,
                }

        n = copier.write(residents())
        out(f"residents: {n} added in {time.perf_counter() - started:.0f}s")
    resident_ids = {
        c.pk: list(Resident.objects.filter(community=c).values_list("pk", flat=True)) for c in communities
    }

    have = ServiceRequest.objects.filter(community__in=communities).count()
    if have < size:
        first_new_id = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        t0 = time.perf_counter()
        copier = Copier(ServiceRequest, connection)
        end = clock.now()
        span = dt.timedelta(days=365 * YEARS).total_seconds()

        def requests():
            for i in range(have, size):
                community = communities[0] if i % 5 < 3 else communities[1]
                handlers, grids = people[community.pk]
                logged = end - dt.timedelta(seconds=span * (1 - (i - have + 0.5) / (size - have)))
                accept_due = logged + dt.timedelta(days=1)
                resolve_due = logged + dt.timedelta(days=rng.choice((2, 5, 13)))
                age = end - logged
                row = {
                    "community_id": community.pk,
                    "reference": f"{community.code}-B-{i:08d}",
                    "source": rng.choice(
                        ("desk", "desk", "desk", "phone", "walk_in", "hotline", "grid_patrol")
                    ),
                    "resident_id": rng.choice(resident_ids[community.pk]) if rng.random() < 0.9 else None,
                    "grid_id": rng.choice(grids),
                    "category_id": rng.choice(categories),
                    "description": "基准诉求",
                    "logged_at": logged,
                    "updated_at": logged,
                    "accept_due_at": accept_due,
                    "resolve_due_at": resolve_due,
                    "original_resolve_due_at": resolve_due,
                    "status": "logged",
                    "outcome": "",
                }
                roll = rng.random()
                if roll < 0.15:
                    row.update(
                        status="closed",
                        outcome="answered_on_the_spot",
                        closed_at=logged,
                        accept_due_at=None,
                        resolve_due_at=None,
                        original_resolve_due_at=None,
                    )
                elif roll < 0.17:
                    row.update(status="closed", outcome="withdrawn", closed_at=logged + dt.timedelta(hours=5))
                else:
                    stage = rng.random()
                    done = age > dt.timedelta(days=20) or stage < 0.6
                    row["handler_id"] = rng.choice(handlers)
                    row["assigned_at"] = logged
                    row["status"] = "assigned"
                    if done or stage < 0.8:
                        row["accepted_at"] = logged + dt.timedelta(hours=rng.choice((1, 3, 8, 30)))
                        row["status"] = "in_progress"
                    if done:
                        resolved = logged + dt.timedelta(hours=rng.choice((2, 20, 60, 100, 300)))
                        row.update(status="resolved", resolved_at=resolved, result="已办结")
                        if age > dt.timedelta(days=3) and rng.random() < 0.9:
                            rating = rng.choice(
                                ("satisfied",) * 6
                                + ("fairly_satisfied",) * 2
                                + ("dissatisfied", "unreachable")
                            )
                            closed = resolved + dt.timedelta(hours=rng.choice((2, 24, 48)))
                            row.update(
                                status="closed",
                                outcome="resolved",
                                closed_at=closed,
                                rating=rating,
                                rating_source="return_visit",
                                rated_at=closed,
                            )
                yield row

        n = copier.write(requests())
        out(f"requests: {n} added in {time.perf_counter() - t0:.0f}s")
        t0 = time.perf_counter()
        # The timeline in SQL, from the requests' own times: log, assign, accept, resolve, close.
        table = ServiceRequest._meta.db_table
        events = RequestEvent._meta.db_table
        ids = ",".join(str(c.pk) for c in communities)
        steps = [
            ("log", "logged_at", "TRUE"),
            ("assign", "assigned_at", "handler_id IS NOT NULL"),
            ("accept", "accepted_at", "accepted_at IS NOT NULL"),
            ("resolve", "resolved_at", "resolved_at IS NOT NULL"),
            ("return_visit", "closed_at", "closed_at IS NOT NULL AND outcome = 'resolved'"),
        ]
        with connection.cursor() as cursor:
            for action, column, condition in steps:
                cursor.execute(
                    f"""INSERT INTO {events} (request_id, actor_id, "by", action, from_status, to_status,
                        note, data, public, created_at)
                    SELECT id, NULL, 'staff', %s, '', '', '', '{{}}'::jsonb, FALSE, {column}
                    FROM {table} WHERE community_id IN ({ids}) AND id > %s AND {condition}""",
                    [action, first_new_id],
                )
        out(f"events: added in {time.perf_counter() - t0:.0f}s")
        with connection.cursor() as cursor:
            # As autovacuum would soon: statistics, and the visibility map index-only scans need.
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {events}")
            cursor.execute("ANALYZE")
    # The dashboard's daily summary, as beat's hourly refresh keeps it (only what is missing: the
    # first time every day, later the days since).
    from requests.dashboard import summary

    t0 = time.perf_counter()
    summed = summary.refresh(community_ids=[c.pk for c in communities])
    out(f"daily summary: {sum(summed.values())} days summed in {time.perf_counter() - t0:.0f}s")
    total = ServiceRequest.objects.filter(community__in=communities).count()
    out(f"seeded: {total} requests in {time.perf_counter() - started:.0f}s")
    return {"communities": communities, "supervisor": supervisor, "street": street}


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    seed(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

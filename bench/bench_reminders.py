"""The reminder sweep at scale: an idle sweep over N open requests (target ≤ 10 ms at 1,000,000, its
plan on the partial index of pending steps), and a backlog of 10,000 due steps cleared by 1 and by
2 sweeping processes (target ≤ 30 s with 2).

PostgreSQL only (DATABASE_URL; migrate it first). Seeds a bench community once, with
BENCH_REMINDER_REQUESTS requests (default 1,000,000; --quick 20,000), each with a pending step due
next month and a done one from the past — generate_series, so a million rows take a minute or two,
not hours. The backlog moves 10,000 pending steps to "due now", sweeps them, and puts them back.
"""

import multiprocessing
import os
import time
from datetime import timedelta

import django

from bench.stats import summary

COMMUNITY_CODE = "BENCHREM"
BACKLOG = 10_000


def _size(args) -> int:
    default = 20_000 if args.quick else 1_000_000
    return int(os.environ.get("BENCH_REMINDER_REQUESTS", default))


def _seed(size: int):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from requests.models import Category, ReminderStep, ServiceRequest
    from residents.models import Community, Membership

    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "提醒基准社区", "street_office": "老街街道", "district": "源汇区"},
    )
    handler, _ = get_user_model().objects.get_or_create(username="bench-reminders-handler")
    supervisor, _ = get_user_model().objects.get_or_create(username="bench-reminders-supervisor")
    Membership.objects.get_or_create(user=handler, community=community, defaults={"role": "grid_worker"})
    Membership.objects.get_or_create(user=supervisor, community=community, defaults={"role": "supervisor"})
    category = Category.objects.filter(is_active=True, is_group=False).order_by("position", "id").first()
    have = ServiceRequest.objects.filter(community=community).count()
    if have >= size:
        return community
    requests_table = ServiceRequest._meta.db_table
    steps_table = ReminderStep._meta.db_table
    columns, values = [], []
    fixed = {
        "community_id": str(community.pk),
        "reference": f"'{COMMUNITY_CODE}-' || lpad(n::text, 8, '0')",
        "category_id": str(category.pk),
        "description": "'楼道灯不亮'",
        "status": "'in_progress'",
        "handler_id": str(handler.pk),
        "logged_at": "now() - interval '2 days'",
        "assigned_at": "now() - interval '2 days'",
        "accepted_at": "now() - interval '2 days'",
        "accept_due_at": "now() - interval '1 day'",
        "resolve_due_at": "now() + interval '30 days'",
        "original_resolve_due_at": "now() + interval '30 days'",
        "updated_at": "now()",
    }
    for f in ServiceRequest._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f.column)
        if f.column in fixed:
            values.append(fixed[f.column])
        elif f.null:
            values.append("NULL")
        else:
            values.append(_literal(f.get_default(), f.column))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {requests_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(%s, %s) AS n",
            [have + 1, size],
        )
        cursor.execute(
            f"WITH fresh AS (SELECT id, accept_due_at, resolve_due_at FROM {requests_table} r "
            f"WHERE community_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {steps_table} s WHERE s.request_id = r.id)) "
            f"INSERT INTO {steps_table} (request_id, step, sequence, due_at, status, created_at, done_at) "
            f"SELECT id, 'due', 1, resolve_due_at, 'pending', now(), NULL FROM fresh "
            f"UNION ALL SELECT id, 'accept', 1, accept_due_at, 'done', now(), now() FROM fresh",
            [community.pk],
        )
        cursor.execute(f"ANALYZE {requests_table}")
        cursor.execute(f"ANALYZE {steps_table}")
    return community


def _literal(value, column: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"the bench has no value for {column}")


def _sweep_in_a_process(queue):
    django.setup()
    from requests.services.sweep import reminders_sweep

    started = time.perf_counter()
    result = reminders_sweep()
    queue.put((result["fired"], time.perf_counter() - started))


def _backlog(community, processes: int) -> tuple[int, float]:
    from django.db import connection
    from django.utils import timezone

    from requests.models import ReminderStep

    ids = list(
        ReminderStep.objects.filter(request__community=community, status="pending", step="due")
        .order_by("id")
        .values_list("id", flat=True)[:BACKLOG]
    )
    ReminderStep.objects.filter(pk__in=ids).update(due_at=timezone.now() - timedelta(minutes=1))
    connection.close()  # the children open their own connections
    queue = multiprocessing.get_context("fork").Queue()
    started = time.perf_counter()
    children = [
        multiprocessing.get_context("fork").Process(target=_sweep_in_a_process, args=(queue,))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    fired = sum(queue.get()[0] for _ in children)
    for child in children:
        child.join()
    elapsed = time.perf_counter() - started
    # Put the bench back: the steps pending again next month, without what the sweep wrote.
    from requests.models import InboxItem, RequestEvent

    request_ids = list(ReminderStep.objects.filter(pk__in=ids).values_list("request_id", flat=True))
    RequestEvent.objects.filter(request_id__in=request_ids, action="remind").delete()
    InboxItem.objects.filter(request_id__in=request_ids).delete()
    ReminderStep.objects.filter(request_id__in=request_ids, sequence__gt=1).delete()
    ReminderStep.objects.filter(pk__in=ids).update(
        status="pending", done_at=None, due_at=timezone.now() + timedelta(days=30)
    )
    return fired, elapsed


def run(args) -> list[str]:
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from requests.models import ReminderStep
    from requests.services.sweep import reminders_sweep

    if connection.vendor != "postgresql":
        return ["skipped: the reminder bench needs PostgreSQL (DATABASE_URL)"]
    size = _size(args)
    started = time.perf_counter()
    community = _seed(size)
    with connection.cursor() as cursor:  # the backlog runs leave dead rows in the partial index
        cursor.execute(f"VACUUM ANALYZE {ReminderStep._meta.db_table}")
    lines = [
        f"database: postgresql, open requests: {size:,} (seeded in {time.perf_counter() - started:.0f}s), "
        f"reminder steps: {ReminderStep.objects.count():,}"
    ]
    idle = []
    for _ in range(20 if args.quick else 100):
        begun = time.perf_counter()
        assert reminders_sweep()["fired"] == 0
        idle.append(time.perf_counter() - begun)
    lines.append(summary("idle sweep", idle))
    due = ReminderStep.objects.filter(status="pending", due_at__lte=timezone.now())
    idle_query = due.order_by("due_at").values_list("pk", flat=True)[:1]
    lines.append("its one query's plan:")
    lines += ["  " + line for line in idle_query.explain(analyze=True).splitlines()]
    for processes in (1, 2):
        fired, elapsed = _backlog(community, processes)
        lines.append(
            f"backlog of {BACKLOG:,} due steps, {processes} sweeping process(es): {fired:,} fired in "
            f"{elapsed:.1f}s ({fired / elapsed:.0f} steps/s)"
        )
    return lines

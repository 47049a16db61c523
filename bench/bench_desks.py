"""Desk pages and session generation: calendar week, session hub, route generation (p50/p95).

Runs against the database DATABASE_URL names (migrate it first); seeds a bench community once with
10 routes of 3 stops, a year of sessions and 25 screenings at one session, then times the week
calendar and the hub through the full middleware stack, and generating every route's next 26 weeks
when nothing is left to create (the idempotent re-run a nightly job does).
"""

import datetime as dt
import time

import django

from bench.stats import summary

COMMUNITY_CODE = "BENCHD"


def _seed():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from desks.models import DeskSession, Route, RouteStop, Screening, Stop
    from desks.services import route_generate_sessions
    from residents.models import Community, Membership, Resident

    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "基准办公桌社区", "street_office": "老街街道", "district": "源汇区"},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-desks")
    Membership.objects.get_or_create(
        user=user, community=community, defaults={"role": "supervisor", "health_permission": True}
    )
    today = timezone.localdate()
    if not Route.objects.filter(community=community).exists():
        for r in range(10):
            route = Route.objects.create(
                community=community,
                name=f"基准路线{r}",
                weekday=r % 7,
                start_time=dt.time(8),
                end_time=dt.time(12),
                services=["policy_advice", "health_screening"],
            )
            route.team.set([user])
            for s in range(3):
                stop = Stop.objects.create(community=community, name=f"基准服务点{r}-{s}")
                RouteStop.objects.create(
                    route=route, stop=stop, position=s + 1, start_time=dt.time(8 + s), end_time=dt.time(9 + s)
                )
            route_generate_sessions(route=route, weeks=26, today=today - dt.timedelta(weeks=26))
            route_generate_sessions(route=route, weeks=26, today=today)
    session = DeskSession.objects.filter(community=community, date__gte=today).order_by("date", "pk").first()
    if not session.screenings.exists():
        DeskSession.objects.filter(pk=session.pk).update(status="open")
        for n in range(25):
            resident = Resident.objects.create(community=community, name=f"基准居民{n}", health_consent=True)
            Screening.objects.create(
                community=community,
                session=session,
                resident=resident,
                recorded_by=user,
                systolic=130,
                diastolic=85,
            )
    return user, session


def run(args) -> list[str]:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from desks.models import Route
    from desks.services import route_generate_sessions

    user, session = _seed()
    client = Client()
    client.force_login(user)
    rounds = 20 if args.quick else 200
    lines = [f"database: {connection.vendor}"]
    for label, url in (
        ("calendar week", reverse("desks:calendar")),
        ("session hub (25 screenings)", reverse("desks:session_detail", args=[session.pk])),
        ("printable sheet", reverse("desks:session_sheet", args=[session.pk])),
    ):
        client.get(url)
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        lines.append(summary(label, timings))

    routes = list(Route.objects.filter(community__code=COMMUNITY_CODE))
    timings = []
    for _ in range(max(3, rounds // 20)):
        started = time.perf_counter()
        created = sum(
            route_generate_sessions(route=r, weeks=26, today=timezone.localdate()).created for r in routes
        )
        timings.append(time.perf_counter() - started)
        assert created == 0, created
    lines.append(summary("regenerate 10 routes x 26 weeks (nothing new)", timings))
    return lines

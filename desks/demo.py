"""Demo desks for seed_demo: 滨西社区's Wednesday route from 冶金厂家属院, past sessions and coming ones.

Call `seed()` after residents.demo.seed() (it needs community BX, its grids, residents and the demo
users). Idempotent: stops and routes are found by name, past sessions are made only when the route
has none yet, and generating the coming weeks creates nothing that exists.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from desks import services
from desks.health import Reading
from desks.models import DeskSession, Route, Screening, Stop
from residents.models import Community, Grid, Resident

ALL_SERVICES = list(DeskSession.Service.values)
CLINIC = "老街社区卫生服务站"

# name, kind, address, grid
STOPS = [
    ("冶金厂家属院", Stop.Kind.COMPOUND, "冶金厂家属院北门", "第一网格"),
    ("滨河小区", Stop.Kind.COMPOUND, "滨河小区2号楼前", "第二网格"),
    ("建设路小区", Stop.Kind.BUILDING_ENTRANCE, "建设路小区5号楼单元门口", "第三网格"),
    ("老街南院广场", Stop.Kind.PLAZA, "老街南院健身广场", "第四网格"),
]

# name, weekday, window, team usernames, partners, services, [(stop, from, until)]
ROUTES = [
    (
        "周三流动办公桌",
        Route.Weekday.WEDNESDAY,
        (dt.time(8, 30), dt.time(11, 30)),
        ["deskstaff", "gridworker", "volunteer"],
        CLINIC,
        ALL_SERVICES,
        [
            ("冶金厂家属院", dt.time(8, 30), dt.time(9, 30)),
            ("滨河小区", dt.time(9, 40), dt.time(10, 30)),
            ("建设路小区", dt.time(10, 40), dt.time(11, 30)),
        ],
    ),
    (
        "周六广场服务",
        Route.Weekday.SATURDAY,
        (dt.time(9, 0), dt.time(11, 0)),
        ["deskstaff", "volunteer"],
        "",
        ["policy_advice", "request_intake", "errands"],
        [("老街南院广场", dt.time(9, 0), dt.time(11, 0))],
    ),
]

PAST_WEEKS = 4
COMING_WEEKS = 4


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _stops(community: Community) -> dict[str, Stop]:
    grids = {g.name: g for g in Grid.objects.filter(community=community)}
    stops = {}
    for name, kind, address, grid_name in STOPS:
        stop, created = Stop.objects.get_or_create(
            community=community, name=name, defaults={"kind": kind, "address": address}
        )
        if created and grid_name in grids:
            stop.grids.add(grids[grid_name])
        stops[name] = stop
    return stops


def _routes(community, stops, users, supervisor, today) -> list[Route]:
    routes = []
    for name, weekday, (start, end), team, partners, offered, visits in ROUTES:
        route = Route.objects.filter(community=community, name=name).first()
        if route is None:
            route, _result = services.route_save(
                route=None,
                community_id=community.pk,
                by=supervisor,
                name=name,
                weekday=weekday,
                start_time=start,
                end_time=end,
                team=[users[u] for u in team if u in users],
                partners=partners,
                services=offered,
                is_active=True,
                visits=[services.StopVisit(stops[s], a, b) for s, a, b in visits],
                today=today,
            )
        routes.append(route)
    return routes


def _reading(rng: random.Random) -> Reading:
    systolic = rng.choice([rng.randint(108, 138), rng.randint(108, 138), rng.randint(140, 168)])
    diastolic = min(systolic - 35, rng.choice([rng.randint(66, 88), rng.randint(88, 98)]))
    if rng.random() < 0.6:
        glucose = Decimal(str(round(rng.uniform(5.2, 13.4), 1)))
        return Reading(systolic, diastolic, glucose, "after_meal")
    return Reading(systolic, diastolic)


def _past_sessions(route, users, supervisor, today, rng) -> None:
    """Four weeks of closed sessions with screenings at 冶金厂家属院; one Wednesday rained off."""
    if route.sessions.filter(date__lt=today).exists():
        return
    last = today - dt.timedelta(days=(today.weekday() - route.weekday - 1) % 7 + 1)
    days = [last - dt.timedelta(weeks=n) for n in range(PAST_WEEKS)]
    staff = users["deskstaff"]
    residents = list(
        Resident.objects.filter(
            community_id=route.community_id, compound="冶金厂家属院", health_consent=True, anonymised_at=None
        ).order_by("pk")[:60]
    )
    team = list(route.team.all())
    for week, day in enumerate(sorted(days)):
        for visit in route.route_stops.select_related("stop"):
            session = DeskSession.objects.create(
                community_id=route.community_id,
                route=route,
                stop=visit.stop,
                date=day,
                start_time=visit.start_time,
                end_time=visit.end_time,
                partners=route.partners,
                services=list(route.services),
            )
            session.team.set(team)
            if week == 1:
                services.session_cancel(session=session, by=supervisor, reason="下雨")
                continue
            services.session_open(session=session, by=staff, now=_aware(day, visit.start_time))
            if visit.stop.name == "冶金厂家属院" and residents:
                for n, resident in enumerate(rng.sample(residents, min(6, len(residents)))):
                    screening = services.screening_record(
                        session=session, resident=resident, by=staff, reading=_reading(rng)
                    )
                    at = _aware(day, visit.start_time) + dt.timedelta(minutes=6 * n + 3)
                    Screening.objects.filter(pk=screening.pk).update(recorded_at=at)
            DeskSession.objects.filter(pk=session.pk).update(walk_up_count=rng.randint(3, 14))
            notes = rng.choice(["", "楼道灯损坏已报修", "居民咨询城乡居民养老保险缴费", "调解停车纠纷一起"])
            services.session_notes_save(session=session, by=staff, notes=notes)
            services.session_close(session=session, by=staff, now=_aware(day, visit.end_time))


def _households(community, users, supervisor, today, rng) -> int:
    """党员联户: the volunteer, a party member, looks after buildings 3 and 5 of 冶金厂家属院, with four
    months of visits — most households seen lately, a few due a visit. Made once."""
    from desks.household_models import HouseholdLink, Visit
    from desks.services.households import covered, link_create
    from residents.models import Membership

    volunteer = users.get("volunteer")
    if volunteer is None or HouseholdLink.objects.filter(community=community).exists():
        return 0
    Membership.objects.filter(user=volunteer, community=community).update(is_party_member=True)
    start = today - dt.timedelta(days=120)
    visits = []
    for building in ("3", "5"):
        link = link_create(
            by=supervisor,
            community=community,
            member=volunteer,
            kind=HouseholdLink.Kind.BUILDING,
            compound="冶金厂家属院",
            building=building,
            starts_on=start,
        )
        for resident in covered(link)[:40]:
            day = start + dt.timedelta(days=rng.randint(0, 20))
            while day <= today - dt.timedelta(days=rng.randint(0, 45)):
                visits.append(
                    Visit(
                        community=community,
                        resident=resident,
                        visitor=volunteer,
                        visited_on=day,
                        mode=rng.choice([Visit.Mode.IN_PERSON, Visit.Mode.IN_PERSON, Visit.Mode.PHONE]),
                        minutes=rng.choice([15, 20, 30, 40]),
                        note=rng.choice(["", "身体尚好", "询问医保缴费", "独居老人，已叮嘱注意保暖"]),
                    )
                )
                day += dt.timedelta(days=rng.randint(20, 40))
    Visit.objects.bulk_create(visits)
    return len(visits)


def seed() -> list[str]:
    """Stops, two routes, past and coming sessions for 滨西社区; a line per thing made, for the log."""
    community = Community.objects.filter(code="BX").first()
    usernames = ["supervisor", "deskstaff", "gridworker", "volunteer"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    if community is None or "supervisor" not in users or "deskstaff" not in users:
        return ["desks: community BX or its demo users are missing; run the residents demo first"]
    today = timezone.localdate()
    rng = random.Random(20261)
    supervisor = users["supervisor"]
    with transaction.atomic():
        stops = _stops(community)
        routes = _routes(community, stops, users, supervisor, today)
        _past_sessions(routes[0], users, supervisor, today, rng)
        visits = _households(community, users, supervisor, today, rng)
        created = sum(
            services.route_generate_sessions(route=r, weeks=COMING_WEEKS, today=today).created for r in routes
        )
        # So the home page has something today whatever the weekday: a one-off at the plaza.
        if not DeskSession.objects.filter(community=community, date=today).exists():
            services.session_save(
                session=None,
                community_id=community.pk,
                by=supervisor,
                stop=stops["老街南院广场"],
                date=today,
                start_time=dt.time(15, 0),
                end_time=dt.time(17, 0),
                team=[users["deskstaff"]],
                partners=CLINIC,
                services=["policy_advice", "health_screening"],
            )
    sessions = DeskSession.objects.filter(community=community)
    return [
        f"desks: {len(stops)} stops, {len(routes)} routes, {sessions.count()} sessions "
        f"({created} new coming), {Screening.objects.filter(community=community).count()} screenings, "
        f"{visits} household visits"
    ]

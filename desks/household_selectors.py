"""Reads of 党员联户 and 志愿服务: a member's households with their last visit, who looks after a
resident, and volunteer hours — each in a fixed number of queries whatever the households."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from desks.household_models import HoursCorrection, HouseholdLink, Visit
from desks.models import DeskSession
from desks.services.households import covered_q, household_key
from residents.models import Resident


def visit_days() -> int:
    """A household not visited for this many days is shown as due a visit (a setting, default 30)."""
    return int(getattr(settings, "HOUSEHOLD_VISIT_DAYS", 30))


def _communities(community_id: int | None, community_ids) -> list[int]:
    return [community_id] if community_id is not None else list(community_ids)


def active_links(
    *, community_id: int | None = None, on: dt.date, member_id: int | None = None, community_ids=()
) -> QuerySet[HouseholdLink]:
    """The links in force on a day, of one community or of several (`community_ids`)."""
    links = HouseholdLink.objects.filter(
        community_id__in=_communities(community_id, community_ids), starts_on__lte=on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if member_id is not None:
        links = links.filter(member_id=member_id)
    return links.select_related("member")


@dataclass
class Household:
    key: tuple
    address: str
    residents: list = field(default_factory=list)
    last_visit: dt.date | None = None

    def due(self, today: dt.date, days: int) -> bool:
        return self.last_visit is None or (today - self.last_visit).days > days


def households(*, community_id: int, member_id: int, today: dt.date) -> list[Household]:
    """The member's households today (grouped by address), each with the last visit by anyone:
    three queries (links, residents with their last visit, nothing per household)."""
    links = list(active_links(community_id=community_id, on=today, member_id=member_id))
    if not links:
        return []
    residents = (
        Resident.objects.filter(covered_q(links), community_id=community_id, anonymised_at__isnull=True)
        .annotate(last_visit=Max("visits__visited_on"))
        .order_by("compound", "building", "unit", "room", "name", "id")
        .distinct()
    )
    grouped: dict[tuple, Household] = {}
    for resident in residents:
        key = household_key(resident)
        household = grouped.setdefault(key, Household(key=key, address=resident.address))
        household.residents.append(resident)
        visits = [day for day in (household.last_visit, resident.last_visit) if day]
        household.last_visit = max(visits) if visits else None
    return list(grouped.values())


def looked_after_by(*, resident: Resident, today: dt.date) -> list:
    """Who looks after this resident's household today (one query)."""
    links = active_links(community_id=resident.community_id, on=today)
    place = Q(kind=HouseholdLink.Kind.BUILDING, compound=resident.compound, building=resident.building)
    place |= Q(
        kind=HouseholdLink.Kind.UNIT,
        compound=resident.compound,
        building=resident.building,
        unit=resident.unit,
    )
    place |= Q(kind=HouseholdLink.Kind.RESIDENTS, residents=resident)
    return list(links.filter(place).distinct().order_by("starts_on", "id"))


def visits_of(*, resident: Resident, limit: int = 10) -> list[Visit]:
    return list(Visit.objects.filter(resident=resident).select_related("visitor")[:limit])


def _session_hours(session: DeskSession) -> Decimal:
    start = dt.datetime.combine(session.date, session.start_time)
    end = dt.datetime.combine(session.date, session.end_time)
    return Decimal(max(0, (end - start).total_seconds()) / 3600).quantize(Decimal("0.1"))


@dataclass
class HoursLine:
    day: dt.date
    what: str
    hours: Decimal
    corrected: HoursCorrection | None = None
    session: DeskSession | None = None


def hours_lines(
    *,
    community_id: int | None = None,
    member_ids: list[int],
    first: dt.date,
    last: dt.date,
    community_ids=(),
) -> dict:
    """member id → their lines of volunteer hours between two dates, in one community or several
    (`community_ids`): each closed session they were in the team of (its length, or the latest
    correction), each visit (its minutes). Four queries."""
    communities = _communities(community_id, community_ids)
    sessions = list(
        DeskSession.objects.filter(
            community_id__in=communities,
            status=DeskSession.Status.CLOSED,
            date__gte=first,
            date__lte=last,
            team__in=member_ids,
        )
        .select_related("stop")
        .distinct()
    )
    team = defaultdict(set)
    through = DeskSession.team.through
    for session_id, user_id in through.objects.filter(
        desksession_id__in=[s.pk for s in sessions], user_id__in=member_ids
    ).values_list("desksession_id", "user_id"):
        team[session_id].add(user_id)
    corrections = {}
    for correction in HoursCorrection.objects.filter(
        session__in=[s.pk for s in sessions], member_id__in=member_ids
    ).order_by("corrected_at", "id"):
        corrections[(correction.session_id, correction.member_id)] = correction  # the latest wins
    lines = defaultdict(list)
    for session in sessions:
        for member_id in team[session.pk]:
            correction = corrections.get((session.pk, member_id))
            hours = correction.hours if correction else _session_hours(session)
            what = f"{session.stop.name}"
            lines[member_id].append(HoursLine(session.date, what, hours, correction, session))
    for visit in Visit.objects.filter(
        community_id__in=communities, visitor_id__in=member_ids, visited_on__gte=first, visited_on__lte=last
    ).select_related("resident"):
        hours = (Decimal(visit.minutes) / 60).quantize(Decimal("0.1"))
        lines[visit.visitor_id].append(HoursLine(visit.visited_on, f"走访 · {visit.resident.name}", hours))
    for member_lines in lines.values():
        member_lines.sort(key=lambda line: line.day)
    return lines


def total(lines: list[HoursLine]) -> Decimal:
    return sum((line.hours for line in lines), Decimal("0"))


def volunteers(*, community_id: int) -> list:
    """Members of the community who work with residents (volunteers, staff), by name."""
    from residents.members import members
    from residents.roles import Can

    return list(members(community_id, Can.LOG_REQUESTS).order_by("last_name", "first_name", "id"))

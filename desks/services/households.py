"""党员联户 and 志愿服务: linking households to a member, recording visits, correcting hours.

Each function checks the role (DESIGN §4.2: supervisors link and correct; anyone who may log
requests records a visit), validates, and writes in one transaction.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from desks.household_models import HoursCorrection, HouseholdLink, Visit
from desks.models import DeskSession
from desks.services.common import DeskError, require_can
from residents.models import Community, Resident
from residents.roles import Can
from residents.scoping import can

MAX_LINKS_PER_HOUSEHOLD = 2
LONGEST_VISIT_MINUTES = 600
OLDEST_VISIT_DAYS = 366


def covered(link: HouseholdLink) -> QuerySet[Resident]:
    """The residents (households) a link covers, not anonymised."""
    return Resident.objects.filter(covered_q([link]), anonymised_at__isnull=True)


def covered_q(links) -> Q:
    """One condition for the residents any of `links` covers (an empty Q matches nothing)."""
    q = Q(pk__in=[])
    for link in links:
        if link.kind == HouseholdLink.Kind.RESIDENTS:
            q |= Q(household_links=link)
        else:
            place = Q(community_id=link.community_id, compound=link.compound, building=link.building)
            if link.kind == HouseholdLink.Kind.UNIT:
                place &= Q(unit=link.unit)
            q |= place
    return q


def _overlapping(community_id: int, starts_on: dt.date, ends_on: dt.date | None) -> QuerySet[HouseholdLink]:
    links = HouseholdLink.objects.filter(community_id=community_id).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        links = links.filter(starts_on__lte=ends_on)
    return links


def household_key(resident) -> tuple:
    """A household: one address (compound, building, unit, room); a resident without a room is one."""
    if resident.room:
        return (resident.compound, resident.building, resident.unit, resident.room)
    return ("resident", resident.pk)


def link_create(
    *,
    by,
    community: Community,
    member,
    kind: str,
    compound: str = "",
    building: str = "",
    unit: str = "",
    residents: list[Resident] | None = None,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> HouseholdLink:
    """Link households to a member; a household may have at most two links at any one time."""
    require_can(by, community.pk, Can.SUPERVISE)
    errors = {}
    if not can(member, community.pk, Can.LOG_REQUESTS):
        errors["member"] = _("Choose a member of this community who works with residents.")
    if kind not in HouseholdLink.Kind.values:
        errors["kind"] = _("Choose a building, a unit or named residents.")
    compound, building, unit = compound.strip(), building.strip(), unit.strip()
    if kind in (HouseholdLink.Kind.BUILDING, HouseholdLink.Kind.UNIT):
        if not compound:
            errors["compound"] = _("Give the compound.")
        if not building:
            errors["building"] = _("Give the building.")
        if kind == HouseholdLink.Kind.UNIT and not unit:
            errors["unit"] = _("Give the unit.")
        residents = []
    elif kind == HouseholdLink.Kind.RESIDENTS:
        compound = building = unit = ""
        residents = [r for r in residents or [] if r.community_id == community.pk]
        if not residents:
            errors["residents"] = _("Choose at least one resident.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The link ends before it starts.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One community's links are written one at a time, so two links cannot both take a
        # household's last place.
        Community.objects.select_for_update().get(pk=community.pk)
        link = HouseholdLink(
            community=community,
            member=member,
            kind=kind,
            compound=compound,
            building=building,
            unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=by,
        )
        link.save()
        if residents:
            link.residents.set(residents)
        mine = list(covered(link))
        if not mine:
            transaction.set_rollback(True)
            raise ValidationError({"building": _("No resident of the register lives there.")})
        full = _households_with_links(community.pk, starts_on, ends_on, mine, exclude=link.pk)
        if full:
            transaction.set_rollback(True)
            raise DeskError(
                _("%(n)s household(s) already have two links in these dates, e.g. %(place)s.")
                % {"n": len(full), "place": full[0]}
            )
        return link


def _households_with_links(community_id, starts_on, ends_on, residents, *, exclude) -> list[str]:
    """The households among `residents` that other links of these dates already cover twice (two
    queries: the links, and which residents the named ones hold)."""
    others = list(_overlapping(community_id, starts_on, ends_on).exclude(pk=exclude))
    named = set(
        HouseholdLink.residents.through.objects.filter(
            householdlink_id__in=[o.pk for o in others if o.kind == HouseholdLink.Kind.RESIDENTS]
        ).values_list("householdlink_id", "resident_id")
    )
    counts: dict[tuple, int] = {}
    places: dict[tuple, str] = {}
    for other in others:
        households = set()
        for resident in residents:
            if other.kind == HouseholdLink.Kind.RESIDENTS:
                hit = (other.pk, resident.pk) in named
            else:
                hit = (resident.compound, resident.building) == (other.compound, other.building) and (
                    other.kind == HouseholdLink.Kind.BUILDING or resident.unit == other.unit
                )
            if hit:
                key = household_key(resident)
                households.add(key)
                places[key] = resident.address
        for key in households:
            counts[key] = counts.get(key, 0) + 1
    return [places[key] for key, n in counts.items() if n >= MAX_LINKS_PER_HOUSEHOLD]


def link_end(*, by, link: HouseholdLink, ends_on: dt.date) -> HouseholdLink:
    require_can(by, link.community_id, Can.SUPERVISE)
    if ends_on < link.starts_on:
        raise ValidationError({"ends_on": _("The link ends before it starts.")})
    with transaction.atomic():
        locked = HouseholdLink.objects.select_for_update().get(pk=link.pk)
        locked.ends_on = ends_on
        locked.save(update_fields=["ends_on"])
        return locked


def visit_record(
    *,
    by,
    resident: Resident,
    visited_on: dt.date,
    mode: str,
    minutes: int,
    note: str = "",
    request_reference: str = "",
) -> Visit:
    """Record a visit to a household (in person or by phone): no health readings, ever."""
    require_can(by, resident.community_id, Can.LOG_REQUESTS)
    today = timezone.localdate()
    errors = {}
    if resident.anonymised_at:
        raise DeskError(_("This resident's record was anonymised."))
    if visited_on > today:
        errors["visited_on"] = _("A visit cannot be in the future.")
    elif visited_on < today - dt.timedelta(days=OLDEST_VISIT_DAYS):
        errors["visited_on"] = _("Record visits of the last twelve months.")
    if mode not in Visit.Mode.values:
        errors["mode"] = _("Choose in person or by phone.")
    if not 1 <= minutes <= LONGEST_VISIT_MINUTES:
        errors["minutes"] = _("Give between 1 and 600 minutes.")
    if len(note) > 300:
        errors["note"] = _("Keep the note under 300 characters.")
    if errors:
        raise ValidationError(errors)
    return Visit.objects.create(
        community_id=resident.community_id,
        resident=resident,
        visitor=by,
        visited_on=visited_on,
        mode=mode,
        minutes=minutes,
        note=note.strip(),
        request_reference=request_reference,
    )


def hours_correct(*, by, session: DeskSession, member, hours: Decimal, reason: str) -> HoursCorrection:
    """Replace one member's hours at a closed session (the reason is kept with the correction)."""
    require_can(by, session.community_id, Can.SUPERVISE)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the hours change.")
    if hours is None or not Decimal("0") <= hours <= Decimal("24"):
        errors["hours"] = _("Give between 0 and 24 hours.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DeskSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != DeskSession.Status.CLOSED:
            raise DeskError(_("Hours are corrected once the session is closed."))
        if not locked.team.filter(pk=member.pk).exists():
            raise DeskError(_("%(name)s was not in this session's team.") % {"name": member})
        return HoursCorrection.objects.create(
            session=locked, member=member, hours=hours, reason=reason[:200], corrected_by=by
        )

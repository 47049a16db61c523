"""The desk objects the URL walk (tests/test_url_walk.py) opens: each belongs to 滨西社区."""

from tests.desks.factories import DeskSessionFactory, RouteFactory, RouteStopFactory, StopFactory


def _session(world) -> dict:
    return {"pk": DeskSessionFactory(community=world.binxi, team=[world.alice]).pk}


def _route(world) -> dict:
    return {"pk": RouteStopFactory(route=RouteFactory(community=world.binxi)).route_id}


def _stop(world) -> dict:
    return {"pk": StopFactory(community=world.binxi).pk}


def _link(world) -> dict:
    import datetime as dt

    from desks.household_models import HouseholdLink

    link = HouseholdLink.objects.create(
        community=world.binxi,
        member=world.alice,
        kind="building",
        compound=world.binxi_resident.compound,
        building=world.binxi_resident.building,
        starts_on=dt.date(2026, 1, 1),
        created_by=world.alice,
    )
    return {"pk": link.pk}


def _resident(world) -> dict:
    return {"pk": world.binxi_resident.pk}


SESSION_URLS = (
    "session_detail",
    "session_edit",
    "session_open",
    "session_close",
    "session_cancel",
    "session_walk_up",
    "session_notes",
    "session_sheet",
    "session_serve",
    "screening_create",
    "session_hours",
)
DESK_OBJECT_URLS = {
    **{f"desks:{name}": _session for name in SESSION_URLS},
    **{f"desks:{name}": _route for name in ("route_detail", "route_edit", "route_generate")},
    "desks:stop_edit": _stop,
    "desks:resident_screenings": _resident,
    "desks:resident_households": _resident,
    "desks:household_link_end": _link,
}

"""The desk objects the URL walk (tests/test_url_walk.py) opens: each belongs to 滨西社区."""

from tests.desks.factories import DeskSessionFactory, RouteFactory, RouteStopFactory, StopFactory


def _session(world) -> dict:
    return {"pk": DeskSessionFactory(community=world.binxi, team=[world.alice]).pk}


def _route(world) -> dict:
    return {"pk": RouteStopFactory(route=RouteFactory(community=world.binxi)).route_id}


def _stop(world) -> dict:
    return {"pk": StopFactory(community=world.binxi).pk}


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
)
DESK_OBJECT_URLS = {
    **{f"desks:{name}": _session for name in SESSION_URLS},
    **{f"desks:{name}": _route for name in ("route_detail", "route_edit", "route_generate")},
    "desks:stop_edit": _stop,
    "desks:resident_screenings": _resident,
}

"""Desk actions (STYLE.md: one function per action, keyword-only, each in its own transaction).

announcements.py — the day before a session, SMS to the residents of the grids it covers;
sessions.py — open, close, cancel, walk-ups, notes, plan or change a session;
screenings.py — record a health screening; routes.py — stops, routes, generating sessions.
"""

from desks.services.announcements import session_announce, sessions_announce
from desks.services.common import DeskError, require_can
from desks.services.routes import (
    MAX_WEEKS,
    GenerationResult,
    StopVisit,
    route_generate_sessions,
    route_save,
    routes_generate_all,
    stop_save,
    visit_problems,
)
from desks.services.screenings import screening_record
from desks.services.sessions import (
    TRANSITIONS,
    allowed,
    can_cancel,
    can_work,
    session_cancel,
    session_close,
    session_count_walk_up,
    session_notes_save,
    session_open,
    session_save,
    sessions_close_left_open,
)

__all__ = [
    "MAX_WEEKS",
    "TRANSITIONS",
    "DeskError",
    "GenerationResult",
    "StopVisit",
    "allowed",
    "can_cancel",
    "can_work",
    "require_can",
    "route_generate_sessions",
    "route_save",
    "routes_generate_all",
    "screening_record",
    "session_announce",
    "session_cancel",
    "session_close",
    "session_count_walk_up",
    "session_notes_save",
    "session_open",
    "session_save",
    "sessions_announce",
    "sessions_close_left_open",
    "stop_save",
    "visit_problems",
]

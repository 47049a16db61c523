"""Roles and what each may do (DESIGN §4.2) — the one table every permission check reads.

Roles live on a community membership (residents.models.Membership, whose `role` takes these
choices); this module holds only the table. Who may do something in a community is asked through
`residents.members.members(community, capability)`, which reads this table.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    DESK_STAFF = "desk_staff", _("Desk staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Can(StrEnum):
    VIEW_RESIDENTS = "view_residents"
    REVEAL_PHONE = "reveal_phone"
    VIEW_ID_NUMBER = "view_id_number"
    EDIT_RESIDENTS = "edit_residents"
    IMPORT_EXPORT = "import_export"
    LOG_REQUESTS = "log_requests"
    BE_HANDLER = "be_handler"
    SUPERVISE = "supervise"  # assign, escalate, approve extensions, review, reopen, reject
    RETURN_VISIT = "return_visit"
    HEALTH = "health"  # record and read health screenings
    VIEW_ACCESS_LOG = "view_access_log"


_STAFF = {Can.VIEW_RESIDENTS, Can.REVEAL_PHONE, Can.EDIT_RESIDENTS, Can.LOG_REQUESTS, Can.BE_HANDLER}

CAPABILITIES: dict[str, frozenset[Can]] = {
    Role.VOLUNTEER: frozenset({Can.VIEW_RESIDENTS, Can.LOG_REQUESTS}),
    Role.DESK_STAFF: frozenset(_STAFF | {Can.RETURN_VISIT}),
    Role.GRID_WORKER: frozenset(_STAFF | {Can.RETURN_VISIT}),
    Role.SUPERVISOR: frozenset(
        _STAFF
        | {
            Can.VIEW_ID_NUMBER,
            Can.IMPORT_EXPORT,
            Can.SUPERVISE,
            Can.RETURN_VISIT,
            Can.HEALTH,
            Can.VIEW_ACCESS_LOG,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Can.VIEW_RESIDENTS,
            Can.REVEAL_PHONE,
            Can.VIEW_ID_NUMBER,
            Can.EDIT_RESIDENTS,
            Can.IMPORT_EXPORT,
            Can.VIEW_ACCESS_LOG,
        }
    ),
}

# Volunteers, desk staff and grid workers record and read screenings only with the permission.
HEALTH_BY_PERMISSION = {Role.VOLUNTEER, Role.DESK_STAFF, Role.GRID_WORKER}


def role_can(role: str, capability: Can, *, health_permission: bool = False) -> bool:
    if capability == Can.HEALTH and role in HEALTH_BY_PERMISSION:
        return health_permission
    return capability in CAPABILITIES.get(role, frozenset())

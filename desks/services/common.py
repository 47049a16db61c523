"""What every desk action shares: the domain error and the role check."""

from django.core.exceptions import PermissionDenied

from residents.roles import Can
from residents.scoping import can


class DeskError(Exception):
    """An action the session's state or the rules do not allow; nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def require_can(user, community_id: int, capability: Can) -> None:
    """403 for a member without the capability (the view has already answered 404 to outsiders)."""
    if not can(user, community_id, capability):
        raise PermissionDenied

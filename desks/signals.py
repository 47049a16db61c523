"""Changes that outdate what the intake form offers of the desk (DESK_SESSIONS): a session or its
stop saved or deleted one at a time (bulk changes bump through DeskQuerySet)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from desks.models import DESK_SESSIONS, DeskSession, Stop
from residents.versioned_cache import bump


@receiver([post_save, post_delete], sender=DeskSession, dispatch_uid="desk-sessions-session")
@receiver([post_save, post_delete], sender=Stop, dispatch_uid="desk-sessions-stop")
def _desk_changed(**kwargs) -> None:
    bump(DESK_SESSIONS)

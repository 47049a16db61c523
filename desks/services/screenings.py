"""Recording a health screening at the desk (DESIGN §6: sensitive personal information)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from desks import health
from desks.models import DeskSession, Screening
from desks.services.common import DeskError, require_can
from residents.models import Resident
from residents.roles import Can


def screening_record(
    *,
    session: DeskSession,
    resident: Resident,
    by: AbstractBaseUser,
    reading: health.Reading,
    notes: str = "",
) -> Screening:
    """Record a screening at an open session, for a resident who agreed to health data being kept."""
    require_can(by, session.community_id, Can.HEALTH)
    if resident.community_id != session.community_id:
        raise DeskError(_("This resident lives in another community."))
    problems = health.reading_problems(reading)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = DeskSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != DeskSession.Status.OPEN:
            raise DeskError(_("Screenings are recorded while the session is open."))
        # Read the consent inside the transaction: it may have been withdrawn a moment ago.
        consented = Resident.objects.filter(pk=resident.pk, health_consent=True).exists()
        if not consented or resident.anonymised_at:
            raise DeskError(
                _(
                    "%(name)s has not agreed to health data being kept, so nothing was recorded. "
                    "Ask for the consent first and note it on the resident's page."
                )
                % {"name": resident.name}
            )
        return Screening.objects.create(
            community_id=session.community_id,
            session=locked,
            resident=resident,
            recorded_by=by,
            systolic=reading.systolic,
            diastolic=reading.diastolic,
            glucose=reading.glucose,
            glucose_kind=reading.glucose_kind if reading.glucose is not None else "",
            bp_flagged=health.bp_flagged(reading.systolic, reading.diastolic),
            glucose_flagged=health.glucose_flagged(reading.glucose, reading.glucose_kind),
            notes=notes.strip()[:200],
        )

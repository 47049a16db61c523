"""Changes that outdate cached reference data (residents.versioned_cache): a membership or a
community changes what scoping.places() answers; an SMS template what template_for() answers; a
user's name or account what pages listing staff show (PEOPLE: the intake form's revalidation)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from residents.members import PEOPLE
from residents.models import Community, Membership
from residents.scoping import PLACES
from residents.sms.models import SmsTemplate
from residents.sms.services import SMS_TEMPLATES
from residents.versioned_cache import NAMES, bump

NAMES.update({PLACES, SMS_TEMPLATES, PEOPLE})  # bumped after migrate and flush too


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="places-membership")
@receiver([post_save, post_delete], sender=Community, dispatch_uid="places-community")
def _places_changed(**kwargs) -> None:
    bump(PLACES)


@receiver([post_save, post_delete], sender=SmsTemplate, dispatch_uid="sms-templates")
def _templates_changed(**kwargs) -> None:
    bump(SMS_TEMPLATES)


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="people-user")
def _people_changed(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:  # each login: no one renamed
        return
    bump(PEOPLE)

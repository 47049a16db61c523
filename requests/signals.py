"""Changes that outdate cached reference data (residents.versioned_cache): a category or a named
handler rule changes what the intake form offers and whom the rule names; an inbox item what the
badge counts."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from requests.category_models import Category, CategoryHandler
from requests.followup_models import INBOX, InboxItem
from requests.selectors.intake import CATEGORIES
from residents.versioned_cache import NAMES, bump

NAMES.update({CATEGORIES, INBOX})  # bumped after migrate and flush too


@receiver([post_save, post_delete], sender=Category, dispatch_uid="categories-category")
@receiver([post_save, post_delete], sender=CategoryHandler, dispatch_uid="categories-handler")
def _categories_changed(**kwargs) -> None:
    bump(CATEGORIES)


@receiver([post_save, post_delete], sender=InboxItem, dispatch_uid="inbox-item")
def _inbox_changed(**kwargs) -> None:
    bump(INBOX)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesksConfig(AppConfig):
    name = "desks"
    verbose_name = _("Mobile desks")

    def ready(self):
        from desks import signals  # noqa: F401 - connects the cache's invalidation

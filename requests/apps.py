from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    # The package is called "requests" and shadows the PyPI library of that name in every
    # process that has the project root on sys.path (DESIGN §9): outbound HTTP uses httpx.
    name = "requests"
    label = "requests"
    verbose_name = _("Requests")

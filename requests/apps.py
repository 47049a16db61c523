from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    # The package is called "requests" and shadows the PyPI library of that name in every
    # process that has the project root on sys.path (DESIGN §9): outbound HTTP uses httpx.
    name = "requests"
    label = "requests"
    verbose_name = _("Requests")

    def ready(self):
        # A request logged at a desk session counts its resident as served there (desks never
        # imports requests; it asks its registered sources).
        from desks.served import register_served_source
        from requests import signals  # noqa: F401 - connects the cache's invalidation
        from requests.selectors import residents_served_at
        from requests.sms_replies import handle_reply
        from residents.sms.inbound import register_reply_handler

        register_served_source(residents_served_at)

        # A flagged screening's row says that its follow-up request exists, and links to it.
        from desks.follow_ups import register_follow_up_source
        from requests.screening_links import follow_ups_of

        register_follow_up_source(follow_ups_of)
        # A resident's SMS reply: 1 / 2 / 3 rate their latest resolved request; other text is kept.
        register_reply_handler(handle_reply)

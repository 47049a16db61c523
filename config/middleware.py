"""Middleware of the project's own."""

from django.conf import settings


class ForwardedProtoFromTrustedProxies:
    """Believe X-Forwarded-Proto only from TRUSTED_PROXIES, as residents/client_address.py believes
    X-Forwarded-For: anyone else could claim "https" and pass SECURE_SSL_REDIRECT, or make Django
    think a plain-http request is secure. First in MIDDLEWARE, before anything asks is_secure()."""

    header = "HTTP_X_FORWARDED_PROTO"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = request.META.get("REMOTE_ADDR", "") in settings.TRUSTED_PROXIES
        if not trusted:
            request.META.pop(self.header, None)
        return self.get_response(request)

"""The client's address, believing X-Forwarded-For only when it comes from a trusted proxy."""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # Walk from the nearest hop outwards; the first address that is not our proxy is the client.
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def login_username(request, credentials=None) -> str | None:
    """The username a login attempt is recorded under (django-axes): what was typed, cut to the
    length a username may have and without NUL bytes, so a 20,000-character or binary "username"
    is refused by the form instead of overflowing the attempt log (a 500 on PostgreSQL)."""
    value = (credentials or {}).get("username") if credentials else None
    if value is None:
        value = getattr(request, "POST", {}).get("username") if request is not None else None
    if value is None:
        return None
    return str(value).replace("\x00", "")[:150]

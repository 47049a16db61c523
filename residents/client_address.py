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

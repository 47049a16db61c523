"""Reads for the public status page, which residents open without an account."""

from requests.request_models import ServiceRequest


def public_request(*, reference: str) -> ServiceRequest | None:
    """One request by its reference, unscoped: the caller makes its own check (the status page's
    token or phone digits)."""
    return (
        ServiceRequest.objects.select_related("community", "category", "category__parent", "resident")
        .filter(reference=reference)
        .first()
    )

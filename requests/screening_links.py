"""The follow-up requests of screenings, for the desk pages' screening rows (desks.follow_ups;
registered in RequestsConfig.ready(), since desks never imports requests)."""

from django.urls import reverse

from requests.request_models import ServiceRequest


def follow_ups_of(screening_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Screening id → (reference, URL) of its follow-up request, in one query."""
    rows = ServiceRequest.objects.filter(screening_id__in=screening_ids).values_list(
        "screening_id", "reference"
    )
    return {screening_id: (ref, reverse("requests:detail", args=[ref])) for screening_id, ref in rows}

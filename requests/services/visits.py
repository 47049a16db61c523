"""A household visit that also logs a request, in one step (DESIGN §3: the combined step belongs to
`requests`, which may call `desks`)."""

import datetime as dt

from django.db import transaction

from desks.services.households import visit_record
from requests.category_models import Category
from requests.request_models import ServiceRequest, Source
from requests.services.intake import request_log


def visit_with_request(
    *,
    actor,
    resident,
    visited_on: dt.date,
    mode: str,
    minutes: int,
    note: str = "",
    category: Category | None = None,
    description: str = "",
):
    """Record the visit and, when a category and description are given, log a request with source
    "household visit" through the normal intake; both or neither are saved."""
    with transaction.atomic():
        sr: ServiceRequest | None = None
        if category is not None:
            sr = request_log(
                actor=actor,
                community=resident.community,
                category=category,
                description=description,
                source=Source.HOUSEHOLD_VISIT,
                resident=resident,
            )
        visit = visit_record(
            by=actor,
            resident=resident,
            visited_on=visited_on,
            mode=mode,
            minutes=minutes,
            note=note,
            request_reference=sr.reference if sr else "",
        )
    return visit, sr

"""The figures of DESIGN §5, each defined once as a pair of conditions on ServiceRequest.

A rate is `hit / base`: `base` says which requests the figure counts in a period (its measured
event fell in the period), `hit` which of those count for it. The dashboard counts both in one
aggregate query; the request list filters by the same conditions when a figure's number is
opened (`?figure=<name>&part=base|hit&from=…&to=…`), and the monthly report reads the same
counts — so a number on the screen, the list behind it and the report cell cannot disagree.

Withdrawn requests count in none of the figures (DESIGN §5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from requests.request_models import OPEN_STATUSES, UNRESOLVED_STATUSES, Outcome, Rating, Status

RATED = (Rating.SATISFIED, Rating.FAIRLY_SATISFIED, Rating.DISSATISFIED)
PLEASED = (Rating.SATISFIED, Rating.FAIRLY_SATISFIED)
NOT_WITHDRAWN = ~Q(outcome=Outcome.WITHDRAWN)


@dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes at local midnight."""

    start: dt.datetime
    end: dt.datetime

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    is_rate: bool

    def base(self, period: Period, at: dt.datetime) -> Q:
        return NOT_WITHDRAWN & _BASE[self.name](period, at)

    def hit(self, period: Period, at: dt.datetime) -> Q:
        return self.base(period, at) & _HIT[self.name](period, at)


def _answered() -> Q:
    return Q(outcome=Outcome.ANSWERED_ON_THE_SPOT)


def _accepted_in_time() -> Q:
    # Accepted with no accept deadline (a 12345 order logged with its handler) is on time.
    return Q(accepted_at__isnull=False) & (
        Q(accept_due_at__isnull=True) | Q(accepted_at__lte=F("accept_due_at"))
    )


_BASE = {
    "logged": lambda p, at: p.within("logged_at"),
    "closed": lambda p, at: p.within("closed_at") & Q(status=Status.CLOSED),
    "open_now": lambda p, at: Q(status__in=OPEN_STATUSES),
    "overdue_now": lambda p, at: Q(status__in=UNRESOLVED_STATUSES, resolve_due_at__lt=at),
    "response": lambda p, at: (
        p.within("accept_due_at") | p.within("accepted_at") | (_answered() & p.within("closed_at"))
    ),
    "on_time": lambda p, at: (
        (p.within("resolve_due_at") | p.within("resolved_at")) & ~Q(outcome=Outcome.REJECTED)
    ),
    "satisfaction": lambda p, at: p.within("closed_at") & Q(status=Status.CLOSED, rating__in=RATED),
    "first_contact": lambda p, at: p.within("logged_at"),
}

_HIT = {
    "logged": lambda p, at: Q(),
    "closed": lambda p, at: Q(),
    "open_now": lambda p, at: Q(),
    "overdue_now": lambda p, at: Q(),
    "response": lambda p, at: _answered() | _accepted_in_time(),
    "on_time": lambda p, at: (
        Q(resolved_at__isnull=False)
        & (Q(resolve_due_at__isnull=True) | Q(resolved_at__lte=F("resolve_due_at")))
    ),
    "satisfaction": lambda p, at: Q(rating__in=PLEASED),
    "first_contact": lambda p, at: _answered(),
}

FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        Figure("logged", _("Logged"), False),
        Figure("closed", _("Closed"), False),
        Figure("open_now", _("open now"), False),
        Figure("overdue_now", _("overdue now"), False),
        Figure("response", _("response rate"), True),
        Figure("on_time", _("on-time resolution rate"), True),
        Figure("satisfaction", _("satisfaction rate"), True),
        Figure("first_contact", _("first-contact resolution"), True),
    )
}
RATES = [name for name, f in FIGURES.items() if f.is_rate]
COUNTS = [name for name, f in FIGURES.items() if not f.is_rate]


def period_filter(period: Period, at: dt.datetime) -> Q:
    """Every request some figure of the period may count: narrows the aggregate's scan to rows an
    index on one of these columns finds (open and overdue now are counted apart)."""
    return NOT_WITHDRAWN & (
        period.within("logged_at")
        | (period.within("closed_at") & Q(status=Status.CLOSED))
        | period.within("accept_due_at")
        | period.within("accepted_at")
        | period.within("resolve_due_at")
        | period.within("resolved_at")
    )


def rows_of(figure: str, part: str, period: Period, at: dt.datetime) -> Q:
    """The condition the request list applies for one number of the dashboard."""
    f = FIGURES[figure]
    return f.hit(period, at) if part == "hit" else f.base(period, at)

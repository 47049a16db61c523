"""The requests app's models, one module per topic, gathered here for Django and for imports."""

from requests.calendar_models import CalendarDay
from requests.category_models import Category, CategoryHandler, DeadlineUnit, HandlerRule
from requests.followup_models import InboxItem, ReminderStep, Step
from requests.request_models import (
    OPEN_STATUSES,
    Attachment,
    EventBy,
    Outcome,
    Priority,
    Rating,
    RatingSource,
    ReferenceCounter,
    RequestEvent,
    ServiceRequest,
    Source,
    Status,
)
from requests.summary_models import DailyFigure, DailyFigureDirty, DailyFigureState

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "CalendarDay",
    "Category",
    "DailyFigure",
    "DailyFigureDirty",
    "DailyFigureState",
    "CategoryHandler",
    "DeadlineUnit",
    "EventBy",
    "HandlerRule",
    "InboxItem",
    "Outcome",
    "Priority",
    "Rating",
    "RatingSource",
    "ReferenceCounter",
    "ReminderStep",
    "RequestEvent",
    "ServiceRequest",
    "Source",
    "Status",
    "Step",
]

"""Form fields with bounds, for every filter and form that takes a date, a time or an id.

A date off the calendar (0001-01-01, 9999-12-31) overflows a week's or a day's arithmetic and
the conversion to UTC; an id past 64 bits cannot reach the database. These fields refuse such
values with a translated message next to the field, so no query or service ever sees them.
Used by residents, desks and requests alike (the lowest app holds them).
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # a bigger number is no id, and SQLite cannot even compare it
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)

DATE_RANGE_MESSAGE = _("Enter a date between 1900 and 2999; check the year.")
NOT_A_CHOICE_MESSAGE = _("Choose one of the list.")


def in_range(day: dt.date | None) -> bool:
    return day is None or FIRST_DAY <= day <= LAST_DAY


class IdField(forms.IntegerField):
    """An object's id (a hidden field, a select of objects): 1 to 2⁶³−1, or refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        messages = {"invalid": NOT_A_CHOICE_MESSAGE, "min_value": NOT_A_CHOICE_MESSAGE}
        messages["max_value"] = NOT_A_CHOICE_MESSAGE
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(**kwargs)


class BoundedDateField(forms.DateField):
    """A date from 1900 to 2999 (narrower bounds: `min_day` / `max_day`)."""

    def __init__(self, *, min_day: dt.date = FIRST_DAY, max_day: dt.date = LAST_DAY, **kwargs):
        self.min_day, self.max_day = min_day, max_day
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not (self.min_day <= value <= self.max_day):
            raise forms.ValidationError(DATE_RANGE_MESSAGE, code="out_of_range")


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time from 1900 to 2999: past those a conversion to UTC overflows."""

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(DATE_RANGE_MESSAGE, code="out_of_range") from None
        if result is not None and not (FIRST_DAY.year <= result.year <= LAST_DAY.year):
            raise forms.ValidationError(DATE_RANGE_MESSAGE, code="out_of_range")
        return result

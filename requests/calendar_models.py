"""The working-day calendar's table: days an administrator enters where chinese-calendar stops."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An official rest day or make-up working day (调休) for a year chinese-calendar does not know."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a working day (e.g. a make-up Saturday). Not ticked: a rest day."),
    )
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("e.g. Spring Festival"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"

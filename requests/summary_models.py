"""The dashboard's daily summary (DESIGN §5 at a million requests): per community and local day, the
counts every figure is summed from, kept by a periodic task (requests/dashboard/summary.py).

A row counts the requests of one *kind* of measured event (logged, closed, response, on time,
resolved; reminders and escalations from the timeline) whose event days are `day` and `day2`, broken
down by the scope dimensions named in `dims` ("" for the whole community, "grid", "category",
"grid+category", "route", "source", "handler"). A request counts in a period when either of its
days falls in it: the response rate's denominator is "accept deadline *or* acceptance in the
period", the on-time rate's "resolve deadline *or* resolution in it" — so both days are kept and a
period's sum counts each request once, exactly as the live aggregate does.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyFigure(models.Model):
    community = models.ForeignKey(
        "residents.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dims = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=10)
    day = models.DateField(null=True)
    day2 = models.DateField(null=True)
    # The breakdown's values (plain ids: a summary row holds no reference that could block a delete).
    grid = models.IntegerField(null=True)
    category = models.IntegerField(null=True)
    group = models.IntegerField(null=True)
    route = models.IntegerField(null=True)
    source = models.CharField(max_length=16, blank=True)
    handler = models.IntegerField(null=True)
    n = models.IntegerField(default=0)
    hit = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        indexes = [
            models.Index(fields=["community", "dims", "day"], name="dailyfigure_day"),
            models.Index(fields=["community", "dims", "day2"], name="dailyfigure_day2"),
        ]

    def __str__(self):
        return f"{self.community_id} {self.dims or '-'} {self.kind} {self.day}/{self.day2}: {self.n}"


class DailyFigureState(models.Model):
    """How far a community's summary reaches: every day before `until` is summed, as of `refreshed_at`."""

    community = models.OneToOneField(
        "residents.Community", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    until = models.DateField()
    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.community_id} until {self.until}"


class DailyFigureDirty(models.Model):
    """A summed day that a change to a request touched since the last refresh (written with the change,
    in its transaction; the refresh sums the day again and deletes exactly the rows it read)."""

    community = models.ForeignKey("residents.Community", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    def __str__(self):
        return f"{self.community_id} {self.day}"

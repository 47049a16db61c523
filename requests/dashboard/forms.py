"""The dashboard's period and scope: parsed and bounded here, refused next to the field."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desks.models import Route
from requests import clock
from requests.category_models import Category
from requests.dashboard.figures import Period
from requests.dashboard.selectors import Scope
from requests.request_models import Source
from residents.members import members
from residents.models import Community, Grid
from residents.roles import Can

EARLIEST = dt.date(2000, 1, 1)
LONGEST_DAYS = 366 * 3


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), clock.zone())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_of(kind: str, today: dt.date, first: dt.date | None = None, last: dt.date | None = None):
    """(this period, the one before it, a label) — months compare with the previous month, a week
    with the week before, a custom range with the range of the same length before it."""
    if kind == "this_week":
        start = today - dt.timedelta(days=today.weekday())
        end = start + dt.timedelta(days=7)
        before = (start - dt.timedelta(days=7), start)
    elif kind == "last_month":
        end = month_start(today)
        start = month_start(end - dt.timedelta(days=1))
        before = (month_start(start - dt.timedelta(days=1)), start)
    elif kind == "custom" and first and last:
        start, end = first, last + dt.timedelta(days=1)
        before = (start - (end - start), start)
    else:  # this month
        start = month_start(today)
        end = next_month(start)
        before = (month_start(start - dt.timedelta(days=1)), start)
    return (
        Period(_midnight(start), _midnight(end)),
        Period(_midnight(before[0]), _midnight(before[1])),
        (start, end - dt.timedelta(days=1)),
    )


class BoundedDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        latest = timezone.localdate() + dt.timedelta(days=366)
        if day is not None and not (EARLIEST <= day <= latest):
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."), params={"first": EARLIEST, "last": latest}
            )
        return day


class DashboardForm(forms.Form):
    PERIODS = [
        ("this_week", _("This week")),
        ("this_month", _("This month")),
        ("last_month", _("Last month")),
        ("custom", _("Custom")),
    ]
    period = forms.ChoiceField(label=_("period"), choices=PERIODS, required=False, initial="this_month")
    date_from = BoundedDateField(label=_("from"))
    date_to = BoundedDateField(label=_("until"))
    community = forms.ModelChoiceField(label=_("community"), queryset=None, required=False)
    grid = forms.ModelChoiceField(label=_("grid"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("category"), queryset=None, required=False)
    route = forms.ModelChoiceField(label=_("route"), queryset=None, required=False)
    source = forms.ChoiceField(label=_("source"), choices=[("", "—"), *Source.choices], required=False)
    handler = forms.ModelChoiceField(label=_("handler"), queryset=None, required=False)

    def __init__(self, data, *, community_ids: list[int]):
        super().__init__(data)
        self.community_ids = community_ids
        self.fields["community"].queryset = Community.objects.filter(pk__in=community_ids).order_by("name")
        self.fields["community"].empty_label = _("all my communities")
        self.fields["grid"].queryset = Grid.objects.filter(community_id__in=community_ids).order_by(
            "community_id", "id"
        )
        self.fields["category"].queryset = Category.objects.order_by("position", "id")
        self.fields["route"].queryset = Route.objects.filter(community_id__in=community_ids).order_by("name")
        self.fields["handler"].queryset = members(community_ids, Can.BE_HANDLER).order_by(
            "last_name", "first_name", "id"
        )
        self.fields["handler"].label_from_instance = lambda u: (
            f"{u.last_name}{u.first_name}".strip() or u.get_username()
        )
        for name in ("community", "grid", "category", "route", "handler"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose one of the list.")
        for name in ("grid", "category", "route", "handler"):
            self.fields[name].empty_label = "—"

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if data.get("period") == "custom":
            if not first:
                self.add_error("date_from", _("Give the first day."))
            if not last:
                self.add_error("date_to", _("Give the last day."))
            if first and last and last < first:
                self.add_error("date_to", _("The last day is before the first."))
            elif first and last and (last - first).days > LONGEST_DAYS:
                self.add_error("date_to", _("Choose at most three years."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data if self.is_valid() else {}
        community = data.get("community")
        ids = (community.pk,) if community else tuple(self.community_ids)

        def pk(name):
            value = data.get(name)
            return value.pk if value is not None else None

        return Scope(
            community_ids=ids,
            grid_id=pk("grid"),
            category_id=pk("category"),
            route_id=pk("route"),
            source=data.get("source") or "",
            handler_id=pk("handler"),
        )

    def periods(self):
        data = self.cleaned_data if self.is_valid() else {}
        return period_of(
            data.get("period") or "this_month",
            timezone.localdate(),
            data.get("date_from"),
            data.get("date_to"),
        )

    def query(self, **extra) -> str:
        """This form's valid values as a query string (for links), with `extra` on top."""
        data = self.cleaned_data if self.is_valid() else {}
        values = {}
        for name in ("period", "date_from", "date_to", "source"):
            if data.get(name):
                values[name] = data[name]
        for name in ("community", "grid", "category", "route", "handler"):
            if data.get(name) is not None:
                values[name] = data[name].pk
        values.update(extra)
        return urlencode(values)


class FigureFilterForm(forms.Form):
    """The request list behind one dashboard number: `?figure=response&part=hit&fig_from=…`.

    The list applies the very condition the number was counted with (figures.rows_of), within the
    communities the user supervises, so the list's count equals the number."""

    figure = forms.ChoiceField(required=False, choices=[("", "")])
    part = forms.ChoiceField(required=False, choices=[("base", "base"), ("hit", "hit")])
    fig_from = BoundedDateField()
    fig_until = BoundedDateField()
    route = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, data):
        super().__init__(data)
        from requests.dashboard.figures import FIGURES

        self.fields["figure"].choices = [("", ""), *((name, f.label) for name, f in FIGURES.items())]

    def active(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data.get("figure") or self.cleaned_data.get("route"))

    def label(self) -> str:
        from requests.dashboard.figures import FIGURES

        name = self.cleaned_data.get("figure")
        return str(FIGURES[name].label) if name else ""

    def apply(self, rows, *, supervised: list[int], at):
        """Narrow the list's rows; a figure also needs its period and the user's supervision."""
        from requests.dashboard.figures import rows_of

        if not self.is_valid():
            return rows
        data = self.cleaned_data
        if data.get("route"):
            rows = rows.filter(desk_session__route_id=data["route"])
        if data.get("figure"):
            first = data.get("fig_from") or timezone.localdate()
            last = data.get("fig_until") or first
            period = Period(_midnight(first), _midnight(last + dt.timedelta(days=1)))
            rows = rows.filter(community_id__in=supervised).filter(
                rows_of(data["figure"], data.get("part") or "base", period, at)
            )
        return rows

"""Forms of the desk pages. They parse and show errors next to fields; the rules are in services."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desks import health, selectors
from desks.models import DeskSession, Route, Screening, Stop
from desks.services import MAX_WEEKS, StopVisit, visit_problems
from residents.fields import BoundedDateField, IdField
from residents.templatetags.doorstep import person_name

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarFilters(forms.Form):
    """The calendar's query string: ?week=<any date in it>, ?community=<id>. A value out of bounds
    is refused (the page says so next to the weeks and shows this week)."""

    week = BoundedDateField(label=_("week"), required=False)
    community = IdField(label=_("community"), required=False)

    def values(self) -> tuple[dt.date | None, int | None]:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return data.get("week"), data.get("community")


class TeamField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return person_name(obj)


def _services_field(label):
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=DeskSession.Service.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class StopForm(forms.ModelForm):
    class Meta:
        model = Stop
        fields = ["name", "kind", "address", "grids"]
        widgets = {"grids": forms.CheckboxSelectMultiple}

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = selectors.community_grids(community_id=community_id)


class RouteForm(forms.ModelForm):
    team = TeamField(label=_("default team"), queryset=None, required=False)
    services = _services_field(_("services offered"))

    class Meta:
        model = Route
        fields = ["name", "weekday", "start_time", "end_time", "team", "partners", "services", "is_active"]
        widgets = {"start_time": TIME_WIDGET, "end_time": TIME_WIDGET}
        labels = {"is_active": _("in use")}
        help_texts = {
            "is_active": _("A route not in use plans no sessions; its future planned ones are removed.")
        }

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.team_candidates(community_id=community_id)
        weekday = self.fields["weekday"]
        weekday.choices = [("", "—") if value == "" else (value, label) for value, label in weekday.choices]


class VisitForm(forms.Form):
    stop = forms.ModelChoiceField(label=_("stop"), queryset=None)
    start_time = forms.TimeField(label=_("from"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("until"), widget=TIME_WIDGET)

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stop"].queryset = selectors.community_stops(community_id=community_id)
        self.fields["stop"].empty_label = "—"  # not Django's "---------"


class BaseVisitFormSet(forms.BaseFormSet):
    """The route's stops in the order given by the "order" numbers (blank rows are skipped)."""

    window: tuple | None = None

    def visits(self) -> list[StopVisit]:
        chosen = [f for f in self.ordered_forms if f.cleaned_data.get("stop")]
        return [
            StopVisit(f.cleaned_data["stop"], f.cleaned_data["start_time"], f.cleaned_data["end_time"])
            for f in chosen
        ]

    def clean(self):
        super().clean()
        if any(self.errors) or self.window is None:
            return
        start, end = self.window
        problems = visit_problems(start_time=start, end_time=end, visits=self.visits())
        if problems:
            raise forms.ValidationError(problems)


VisitFormSet = forms.formset_factory(
    VisitForm, formset=BaseVisitFormSet, extra=2, can_order=True, can_delete=True
)


def visit_initial(route: Route) -> list[dict]:
    return [
        {"stop": rs.stop, "start_time": rs.start_time, "end_time": rs.end_time, "ORDER": rs.position}
        for rs in route.route_stops.all()
    ]


class SessionForm(forms.ModelForm):
    team = TeamField(label=_("team"), queryset=None, required=False)
    services = _services_field(_("services offered"))

    class Meta:
        model = DeskSession
        fields = ["stop", "date", "start_time", "end_time", "team", "partners", "services"]
        widgets = {"date": DATE_WIDGET, "start_time": TIME_WIDGET, "end_time": TIME_WIDGET}

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stop"].queryset = selectors.community_stops(community_id=community_id)
        self.fields["stop"].empty_label = "—"  # not Django's "---------"
        self.fields["team"].queryset = selectors.team_candidates(community_id=community_id)
        if self.instance.pk and self.instance.route_id:
            # How the route finds its session again: cancel it and plan a one-off to move it.
            self.fields["stop"].disabled = self.fields["date"].disabled = True
            self.fields["date"].help_text = _("A route's session keeps its stop and date.")

    def clean_date(self):
        """A new date within reach: a session held up to PAST_DAYS ago may still be entered
        afterwards; 1999 or 2099 is a typo."""
        day = self.cleaned_data["date"]
        if "date" in self.changed_data and day is not None:
            today = timezone.localdate()
            if not today - dt.timedelta(days=PAST_DAYS) <= day <= today + dt.timedelta(days=366):
                raise forms.ValidationError(
                    _("Choose a date from %(days)s days ago to a year ahead; check the year.")
                    % {"days": PAST_DAYS}
                )
        return day

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The session must end after it starts."))
        return cleaned


# How far back a session that was held may still be entered (a desk recorded on paper).
PAST_DAYS = 60


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for cancelling"),
        max_length=200,
        help_text=_("Residents and the team see it, e.g. rain."),
        widget=forms.TextInput(attrs={"list": "cancel-reasons", "autocomplete": "off"}),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class GenerateForm(forms.Form):
    weeks = forms.IntegerField(label=_("weeks ahead"), min_value=1, max_value=MAX_WEEKS, initial=6)


class ScreeningForm(forms.ModelForm):
    """The readings; `health.reading_problems` says what is implausible, next to the field."""

    class Meta:
        model = Screening
        fields = ["systolic", "diastolic", "glucose", "glucose_kind", "notes"]
        widgets = {
            "systolic": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "diastolic": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "glucose": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
            "glucose_kind": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["glucose_kind"].choices = Screening.GlucoseKind.choices
        self.fields["glucose_kind"].required = False

    def reading(self) -> health.Reading:
        data = self.cleaned_data
        return health.Reading(
            systolic=data.get("systolic"),
            diastolic=data.get("diastolic"),
            glucose=data.get("glucose"),
            glucose_kind=data.get("glucose_kind") or "",
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for field, message in health.reading_problems(self.reading()).items():
            self.add_error(None if field == "__all__" else field, message)
        return cleaned

"""Forms of 党员联户 and 志愿服务: parse and bound the input; the services decide."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desks.household_models import HouseholdLink, Visit
from residents.models import Resident

EARLIEST = dt.date(2000, 1, 1)


class DayField(forms.DateField):
    """A date between 2000 and a year from now, refused next to the field otherwise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        latest = timezone.localdate() + dt.timedelta(days=366)
        if day is not None and not EARLIEST <= day <= latest:
            raise forms.ValidationError(_("Enter a date between 2000 and a year from now."))
        return day


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.last_name}{obj.first_name}".strip() or obj.get_username()


class LinkForm(forms.Form):
    member = MemberChoiceField(label=_("member"), queryset=None)
    kind = forms.ChoiceField(label=_("households"), choices=HouseholdLink.Kind.choices)
    compound = forms.CharField(label=_("compound"), max_length=60, required=False)
    building = forms.CharField(label=_("building"), max_length=20, required=False)
    unit = forms.CharField(label=_("unit"), max_length=20, required=False)
    residents = forms.ModelMultipleChoiceField(
        label=_("residents"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    starts_on = DayField(label=_("from"))
    ends_on = DayField(label=_("until"), required=False)

    def __init__(self, *args, community, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = get_user_model().objects.filter(pk__in=[m.pk for m in members])
        self.fields["member"].empty_label = "—"
        self.fields["residents"].queryset = Resident.objects.filter(
            community=community, anonymised_at__isnull=True
        ).order_by("compound", "building", "unit", "room", "name")
        self.fields["starts_on"].initial = timezone.localdate()


class EndLinkForm(forms.Form):
    ends_on = DayField(label=_("until"))


class VisitForm(forms.Form):
    visited_on = DayField(label=_("date"))
    mode = forms.ChoiceField(
        label=_("how"), choices=Visit.Mode.choices, widget=forms.RadioSelect, initial=Visit.Mode.IN_PERSON
    )
    minutes = forms.IntegerField(label=_("minutes"), min_value=1, max_value=600, initial=30)
    note = forms.CharField(
        label=_("note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class HoursCorrectionForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_value=24, max_digits=4, decimal_places=1)
    reason = forms.CharField(label=_("reason"), max_length=200)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class HoursFilterForm(forms.Form):
    year = YearField(label=_("year"))

    def year_or_this(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year

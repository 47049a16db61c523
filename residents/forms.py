"""Forms of the resident directory: the resident form (crispy) and the directory's filter parser."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from residents import idnumbers
from residents.models import Community, Grid, Resident
from residents.phones import normalize_phone
from residents.roles import Can
from residents.scoping import can
from residents.selectors import resident_with_id_number, residents_sharing_phone
from residents.services import EDITABLE_FIELDS, id_number_taken


class ResidentForm(forms.ModelForm):
    """Add or edit a resident. Phone and ID number are write-only: editing never shows them in full."""

    phone = forms.CharField(
        label=_("mobile phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("e.g. 138 1234 5678; a landline with its area code, 0395-1234567"),
    )
    remove_phone = forms.BooleanField(label=_("remove the phone number"), required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    confirm_shared_phone = forms.BooleanField(
        label=_("Save anyway: the residents share this number (e.g. a family phone)"), required=False
    )

    class Meta:
        model = Resident
        fields = list(EDITABLE_FIELDS)
        labels = {"name": _("full name")}
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.community = community
        self.shared_phone_residents: list[Resident] = []
        self.fields["grid"].queryset = Grid.objects.filter(community=community).order_by("id")
        self.fields["grid"].empty_label = "—"
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        editing = bool(self.instance.pk)
        if editing:
            self.fields["phone"].label = _("new mobile phone")
            self.fields["phone"].help_text = (
                _("Leave empty to keep the current number (%(masked)s).")
                % {"masked": self.instance.masked_phone}
                if self.instance.phone
                else _("No number yet.")
            )
            if not self.instance.phone:
                del self.fields["remove_phone"]
            self.fields["id_number"].label = _("new ID number")
            if self.instance.id_number_masked and can(user, community.pk, Can.VIEW_ID_NUMBER):
                self.fields["id_number"].help_text = _(
                    "Leave empty to keep the current ID number (%(masked)s)."
                ) % {"masked": self.instance.id_number_masked}
            elif self.instance.id_number_masked:  # its digits are not for this role (DESIGN §4.2)
                self.fields["id_number"].help_text = _("An ID number is recorded; leave empty to keep it.")
        else:
            del self.fields["remove_phone"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        who = ["name", "phone", "remove_phone", "contact_name", "contact_relation", "id_number", "birth_date"]
        self.helper.layout = Layout(
            Fieldset(_("Who"), *(Field(f) for f in who if f in self.fields)),
            Fieldset(
                _("Where"),
                "grid",
                "compound",
                Row(
                    Column("building", css_class="col-4"),
                    Column("unit", css_class="col-4"),
                    Column("room", css_class="col-4"),
                ),
            ),
            Fieldset(_("Consents"), *Resident.CONSENTS),
            Fieldset(_("Needs"), *Resident.FLAGS),
            Fieldset(_("Notes"), "notes"),
        )

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if not value.strip():
            return ""
        id_number = idnumbers.normalize_id_number(value)
        other = resident_with_id_number(
            community_id=self.community.pk,
            fingerprint=idnumbers.fingerprint(id_number),
            exclude_pk=self.instance.pk,
        )
        if other is not None:
            raise id_number_taken(other)
        return id_number

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone and cleaned.get("remove_phone"):
            self.add_error("remove_phone", _("Either enter a new number or remove it, not both."))
        elif phone and phone != self.instance.phone and not cleaned.get("confirm_shared_phone"):
            self.shared_phone_residents = residents_sharing_phone(
                user=self.user, phone=phone, exclude_pk=self.instance.pk
            )
            if self.shared_phone_residents:
                self.add_error(
                    "confirm_shared_phone",
                    _("This number already belongs to the residents above. Tick here to save anyway."),
                )
        return cleaned

    def service_data(self) -> dict:
        """What resident_create / resident_update take: a phone or ID number left empty on edit is kept."""
        cleaned = self.cleaned_data
        data = {field: cleaned[field] for field in EDITABLE_FIELDS if field in cleaned}
        if not self.instance.pk:
            data["phone"] = cleaned["phone"]
        elif cleaned.get("remove_phone"):
            data["phone"] = ""
        elif cleaned["phone"]:
            data["phone"] = cleaned["phone"]
        if cleaned["id_number"]:
            data["id_number"] = cleaned["id_number"]
        return data


MAX_ID = 2**63 - 1  # a bigger number is no id, and SQLite cannot even compare it


class DirectoryFilters(forms.Form):
    """Parses the directory's query string; a bad value is ignored, never an error page."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    community = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    grid = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    compound = forms.CharField(required=False, max_length=60)
    flags = forms.MultipleChoiceField(
        required=False,
        choices=[(flag, Resident._meta.get_field(flag).verbose_name) for flag in Resident.FLAGS],
    )

    def search_params(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": cleaned.get("q") or "",
            "community_id": cleaned.get("community"),
            "grid_id": cleaned.get("grid"),
            "compound": cleaned.get("compound") or None,
            "flags": cleaned.get("flags") or (),
        }

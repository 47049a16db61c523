"""Forms of the request pages: the intake form at the desk and the list's filters.

Forms parse and check input; the services (requests/services/) decide. A ValidationError a
service raises is put next to its field with `add_service_errors`.
"""

import re
import secrets
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from requests.category_models import Category
from requests.request_models import Source, Status
from requests.selectors import ListFilters
from residents.fields import BoundedDateField, BoundedDateTimeField, IdField
from residents.phones import normalize_phone

TOKEN_BYTES = 16
# An idempotency token is the server's (secrets.token_urlsafe, drawn into the form for the no-JS
# path) or the browser's: a UUID that static/js/intake.js makes for each form it shows
# (crypto.randomUUID), so that the next request needs no round trip for its token.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_TOKEN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def clean_token(value: str) -> str:
    """The token as stored: a UUID in its canonical lower-case form, a server token as it is."""
    value = (value or "").strip()
    if CLIENT_TOKEN.fullmatch(value):
        return str(uuid.UUID(value))
    if TOKEN.fullmatch(value):
        return value
    raise ValidationError(_("This form is out of date: reload the page and enter the request again."))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one <input type=file multiple>; the service checks each file's bytes."""

    def __init__(self, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(file, initial) for file in files if file]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields it names, the rest at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices from the queryset's own rows, read once (not `.iterator()`, which on PostgreSQL
    opens a server-side cursor: three round trips for a short list)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class HandlerChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "—")  # not Django's "---------"
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.last_name}{obj.first_name}".strip() or obj.get_username()


class IntakeCategoryField(forms.ModelChoiceField):
    """A category a request can be logged under, found among the cached intake categories (no
    query per submit)."""

    def to_python(self, value):
        from requests.selectors.intake import intake_category

        if value in self.empty_values:
            return None
        try:
            category_id = int(str(value))
        except (TypeError, ValueError):
            category_id = None
        category = intake_category(category_id=category_id) if category_id is not None else None
        if category is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return category


class IntakeForm(forms.Form):
    """Log a request at the desk. The resident is picked (hidden `resident`), added inline (name and
    phone), or the request is marked anonymous."""

    # data-client-token: static/js/intake.js replaces the server's token with a UUID of its own.
    idempotency_token = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-client-token": True}), max_length=64
    )
    community = IdField(widget=forms.HiddenInput)
    resident = IdField(widget=forms.HiddenInput, required=False)
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    new_name = forms.CharField(
        label=_("full name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_phone = forms.CharField(
        label=_("mobile phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    new_sms_consent = forms.BooleanField(label=_("agrees to status SMS"), required=False)
    category = IntakeCategoryField(
        label=_("category"),
        queryset=Category.objects.filter(is_active=True, is_group=False),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a category."), "invalid_choice": _("Choose a category.")},
    )
    description = forms.CharField(
        label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    photos = PhotosField(label=_("photos"))
    answered = forms.BooleanField(label=_("answered on the spot"), required=False)
    answer = forms.CharField(
        label=_("the answer"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.DESK)
    hotline_reference = forms.CharField(label=_("12345 hotline reference"), max_length=40, required=False)
    hotline_due_at = BoundedDateTimeField(
        label=_("the hotline's deadline"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    desk_session = forms.ModelChoiceField(label=_("desk session"), queryset=None, required=False)
    desk_session.iterator = ListedChoiceIterator
    handler = HandlerChoiceField(label=_("handler"), queryset=None, required=False)
    # What the page proposed in the handler box (the category's rule): an empty box is "leave it to
    # the supervisors" only when something was proposed and the user emptied it; a box the page
    # had not filled yet (a slow connection) still gets the rule.
    handler_proposed = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, sessions, handlers=None, can_add_resident: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_add_resident = can_add_resident
        self.fields["desk_session"].queryset = sessions
        self.fields["desk_session"].empty_label = _("not at a desk session")
        self.fields["desk_session"].label_from_instance = lambda s: f"{s.date:%m-%d} {s.stop.name}"
        if handlers is None:  # only desk staff and supervisors choose the handler at intake
            del self.fields["handler"]
            del self.fields["handler_proposed"]
        else:
            self.fields["handler"].queryset = handlers
            self.fields["handler"].empty_label = _("— a supervisor assigns")
            self.fields["handler"].help_text = _(
                "Filled in by the category's rule; change it if needed. Left empty, a supervisor assigns."
            )
        if not can_add_resident:
            for name in ("new_name", "new_phone", "new_sms_consent"):
                del self.fields[name]

    def clean_idempotency_token(self) -> str:
        return clean_token(self.cleaned_data.get("idempotency_token", ""))

    def clean_new_phone(self) -> str:
        value = self.cleaned_data.get("new_phone", "")
        return normalize_phone(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        resident, anonymous = cleaned.get("resident"), cleaned.get("anonymous")
        new_name = (cleaned.get("new_name") or "").strip()
        chosen = [bool(resident), bool(anonymous), bool(new_name or cleaned.get("new_phone"))]
        if sum(chosen) == 0 and "new_phone" not in self.errors:
            self.add_error(
                "resident",
                _("Pick the resident, add them, or tick “anonymous”.")
                if self.can_add_resident
                else _("Pick the resident or tick “anonymous”."),
            )
        elif sum(chosen) > 1:
            self.add_error("resident", _("Either pick a resident, add one, or tick “anonymous” — only one."))
        elif chosen[2] and not new_name:
            self.add_error("new_name", _("Enter the new resident's name."))
        if cleaned.get("answered"):
            if not (cleaned.get("answer") or "").strip():
                self.add_error("answer", _("Write down the answer given."))
            if cleaned.get("photos"):
                self.add_error("photos", _("A question answered on the spot keeps no photos."))
        return cleaned


class ListFilterForm(forms.Form):
    """The all-requests list's filters, from the query string (also the export's); a value out of
    bounds is refused next to its field and left out of the filter, never a 500."""

    community = IdField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    descriptions = forms.BooleanField(label=_("Search descriptions too"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False)
    category = IdField(label=_("category"), required=False)
    grid = IdField(label=_("grid"), required=False)
    handler = IdField(label=_("handler"), required=False)
    session = IdField(required=False, widget=forms.HiddenInput)
    resident = IdField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("source"), required=False, choices=[("", "—"), *Source.choices])
    overdue = forms.BooleanField(label=_("overdue"), required=False)
    date_from = BoundedDateField(
        label=_("logged from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label=_("logged until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—"), *Status.choices]

    def filters(self) -> ListFilters:
        """The valid filters; a field with a bad value is left out."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ListFilters(
            community_id=data.get("community"),
            status=data.get("status") or "",
            category_id=data.get("category"),
            grid_id=data.get("grid"),
            handler_id=data.get("handler"),
            session_id=data.get("session"),
            resident_id=data.get("resident"),
            source=data.get("source") or "",
            overdue=bool(data.get("overdue")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
            descriptions=bool(data.get("descriptions")),
        )

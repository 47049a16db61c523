"""One small form per action on a request's page (DESIGN §4.1), and the service each one calls.

ACTIONS maps a transitions.Action value to its form, the call to its service, and the message
shown when it is done. The detail page shows only the actions selectors.actions_for() allows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from requests import services
from requests.forms import HandlerChoiceField, PhotosField
from requests.request_models import Attachment, Rating
from requests.services.actions import RESIDENT_RESULT_LENGTH
from requests.transitions import Action

NO_ANSWER = "no_answer"


def _text(label, *, max_length: int = 1000, required: bool = True, rows: int = 2):
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class ActionForm(forms.Form):
    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "handler" in self.fields:
            self.fields["handler"].queryset = (
                handlers if handlers is not None else self.fields["handler"].queryset
            )


class EmptyForm(ActionForm):
    pass


class AssignForm(ActionForm):
    handler = HandlerChoiceField(label=_("handler"), queryset=None)
    note = _text(_("note"), max_length=300, required=False)


class ReasonForm(ActionForm):
    reason = _text(_("reason"))


class ShortReasonForm(ActionForm):
    reason = _text(_("reason"), max_length=300)


class ReferForm(ActionForm):
    unit = forms.CharField(label=_("outside unit"), max_length=100, help_text=_("e.g. 物业, 城管, 供电所"))
    unit_reference = forms.CharField(label=_("their reference"), max_length=60)
    note = _text(_("note"), max_length=300, required=False)


class ExtensionForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("new due time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = _text(_("reason"), max_length=300)


class DecideExtensionForm(ActionForm):
    approve = forms.TypedChoiceField(
        choices=[("1", _("approve")), ("0", _("deny"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    note = _text(_("note"), max_length=300, required=False)


class NoteForm(ActionForm):
    note = _text(_("note"), max_length=300)


class ResolveForm(ActionForm):
    result = _text(_("result"), max_length=4000, rows=3)
    resident_result = forms.CharField(
        label=_("result for the resident"),
        max_length=RESIDENT_RESULT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What the resident is told by SMS and on the status page. No names, phones or internal notes."
        ),
    )
    photos = PhotosField(label=_("photos after"))


class ReturnVisitForm(ActionForm):
    # No answer is chosen in advance: a default "satisfied" pressed by habit would lift the
    # satisfaction rate supervisors are judged by.
    rating = forms.ChoiceField(
        label=_("rating"),
        choices=[
            ("", _("— choose what the resident said")),
            *Rating.choices,
            (NO_ANSWER, _("no answer this time")),
        ],
    )
    note = _text(_("note"), max_length=1000, required=False)


class ReviewForm(ActionForm):
    reopen = forms.TypedChoiceField(
        choices=[("1", _("reopen")), ("0", _("close"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = _text(_("reason"))


class ReopenForm(ActionForm):
    reason = _text(_("reason"))
    handler = HandlerChoiceField(label=_("handler"), queryset=None, required=False)


class PhotoForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("photo type"), choices=Attachment.Kind.choices, initial=Attachment.Kind.BEFORE
    )
    photos = PhotosField(label=_("photos"))


@dataclass(frozen=True)
class ActionSpec:
    form: type[ActionForm]
    call: Callable  # (actor, request_id, cleaned_data) → the updated request
    done: str | Callable[[dict], str]  # the message, or made from the cleaned data
    button_class: str = "btn-outline-primary"
    needs_handlers: bool = False
    multipart: bool = False


def _rating(data):
    return None if data["rating"] == NO_ANSWER else data["rating"]


ACTIONS: dict[str, ActionSpec] = {
    Action.ACCEPT: ActionSpec(
        EmptyForm,
        lambda actor, pk, d: services.request_accept(actor=actor, request_id=pk),
        _("Accepted. The request is yours to work on."),
        "btn-primary",
    ),
    Action.ASSIGN: ActionSpec(
        AssignForm,
        lambda actor, pk, d: services.request_assign(
            actor=actor, request_id=pk, handler=d["handler"], note=d["note"]
        ),
        _("Assigned."),
        "btn-primary",
        needs_handlers=True,
    ),
    Action.RETURN: ActionSpec(
        ReasonForm,
        lambda actor, pk, d: services.request_return(actor=actor, request_id=pk, reason=d["reason"]),
        _("Returned for a supervisor to assign."),
        "btn-outline-secondary",
    ),
    Action.REFER: ActionSpec(
        ReferForm,
        lambda actor, pk, d: services.request_refer(
            actor=actor, request_id=pk, unit=d["unit"], unit_reference=d["unit_reference"], note=d["note"]
        ),
        _("Referred."),
    ),
    Action.REQUEST_EXTENSION: ActionSpec(
        ExtensionForm,
        lambda actor, pk, d: services.request_extension_request(
            actor=actor, request_id=pk, new_due_at=d["new_due_at"], reason=d["reason"]
        ),
        _("The extension was requested; a supervisor decides."),
    ),
    Action.DECIDE_EXTENSION: ActionSpec(
        DecideExtensionForm,
        lambda actor, pk, d: services.request_extension_decide(
            actor=actor, request_id=pk, approve=d["approve"], note=d["note"]
        ),
        lambda d: _("The extension was approved.") if d["approve"] else _("The extension was refused."),
        "btn-primary",
    ),
    Action.ESCALATE: ActionSpec(
        NoteForm,
        lambda actor, pk, d: services.request_escalate(actor=actor, request_id=pk, note=d["note"]),
        _("Escalated: the handler was told."),
        "btn-outline-danger",
    ),
    Action.RESOLVE: ActionSpec(
        ResolveForm,
        lambda actor, pk, d: services.request_resolve(
            actor=actor,
            request_id=pk,
            result=d["result"],
            resident_result=d["resident_result"],
            photos=d["photos"],
        ),
        _("Resolved. A return visit is scheduled."),
        "btn-success",
        multipart=True,
    ),
    Action.RETURN_VISIT: ActionSpec(
        ReturnVisitForm,
        lambda actor, pk, d: services.request_return_visit(
            actor=actor, request_id=pk, rating=_rating(d), note=d["note"]
        ),
        _("The return visit was recorded."),
        "btn-primary",
    ),
    Action.REVIEW: ActionSpec(
        ReviewForm,
        lambda actor, pk, d: services.request_review(
            actor=actor, request_id=pk, reopen=d["reopen"], reason=d["reason"]
        ),
        _("The review was recorded."),
        "btn-primary",
    ),
    Action.REOPEN: ActionSpec(
        ReopenForm,
        lambda actor, pk, d: services.request_reopen(
            actor=actor, request_id=pk, reason=d["reason"], handler=d["handler"]
        ),
        _("Reopened."),
        needs_handlers=True,
    ),
    Action.WITHDRAW: ActionSpec(
        ReasonForm,
        lambda actor, pk, d: services.request_withdraw(actor=actor, request_id=pk, reason=d["reason"]),
        _("Withdrawn."),
        "btn-outline-secondary",
    ),
    Action.REJECT: ActionSpec(
        ShortReasonForm,
        lambda actor, pk, d: services.request_reject(actor=actor, request_id=pk, reason=d["reason"]),
        _("Rejected. The resident is told the reason."),
        "btn-outline-danger",
    ),
    Action.ADD_PHOTO: ActionSpec(
        PhotoForm,
        lambda actor, pk, d: services.request_add_photo(
            actor=actor, request_id=pk, photos=d["photos"], kind=d["kind"]
        ),
        _("The photos were added."),
        "btn-outline-secondary",
        multipart=True,
    ),
}


def make_form(action: str, *, data=None, files=None, handlers=None) -> ActionForm:
    spec = ACTIONS[action]
    return spec.form(data, files, prefix=action, handlers=handlers if spec.needs_handlers else None)

"""Administration of SMS templates (with a preview and its segment count) and a read-only view of
the outbox and the replies, phones masked (DESIGN §6)."""

import string

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from residents.sms.models import SmsInbound, SmsMessage, SmsTemplate
from residents.sms.text import fill, segment_count, with_signature

PLACEHOLDERS = (
    "reference",
    "link",
    "category",
    "due",
    "reason",
    "result",
    "answer",
    "outcome",
    "date",
    "time",
)
PLACEHOLDERS += ("place", "text")
SAMPLE = {
    "reference": "BX-2026-000123",
    "link": "https://doorstep.example.cn/s/BX-2026-000123/?t=AbCdEfGhIjKlMnOpQrStUv",
    "category": "路灯报修",
    "due": "2026-12-09 17:30",
    "reason": "等待配件",
    "result": "已更换楼道灯泡，请您查看。",
    "answer": "医保缴费可在“豫事办”办理。",
    "outcome": "已办结",
    "date": "12月3日",
    "time": "09:00",
    "place": "冶金厂家属院门口",
    "text": "BX-2026-000123 待签收",
}


def preview_text(template: SmsTemplate, signature: str = "滨西社区") -> str:
    return with_signature(signature, fill(template.text, SAMPLE))


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["kind", "language", "text", "provider_code"]

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        try:
            names = [
                name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None
            ]
        except ValueError:
            raise forms.ValidationError(
                _("A brace { or } is not closed. Write placeholders as {reference}.")
            ) from None
        unknown = sorted({n for n in names if n not in PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Use %(known)s.")
                % {"names": ", ".join(unknown), "known": " ".join("{" + p + "}" for p in PLACEHOLDERS)}
            )
        if "【" in text or "】" in text:
            raise forms.ValidationError(
                _("Leave out the 【signature】: it is added in front of every message.")
            )
        return text


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    form = SmsTemplateForm
    list_display = ["kind", "language", "segments", "provider_code", "updated_at"]
    list_filter = ["language", "kind"]
    readonly_fields = ["preview"]
    fields = ["kind", "language", "text", "provider_code", "preview"]

    @admin.display(description=_("segments (example)"))
    def segments(self, obj):
        return segment_count(preview_text(obj))

    @admin.display(description=_("preview with an example"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return "—"
        text = preview_text(obj)
        return format_html(
            '<div style="max-width:30em;white-space:pre-wrap">{}</div><div>{}</div>',
            text,
            _("%(n)s characters, %(segments)s segment(s)")
            % {"n": len(text), "segments": segment_count(text)},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "community",
        "kind",
        "masked_phone",
        "subject",
        "state",
        "hold_reason",
        "segments",
    ]
    list_filter = ["state", "kind", "hold_reason", "community"]
    search_fields = ["subject"]
    list_select_related = ["community"]
    exclude = ["phone", "params"]
    readonly_fields = ["masked_phone"]

    @admin.display(description=_("number"))
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(SmsInbound)
class SmsInboundAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "kind", "masked_phone", "subject", "outcome"]
    list_filter = ["kind", "outcome"]
    exclude = ["phone"]
    readonly_fields = ["masked_phone"]

    @admin.display(description=_("number"))
    def masked_phone(self, obj):
        from residents.phones import mask_phone

        return mask_phone(obj.phone)

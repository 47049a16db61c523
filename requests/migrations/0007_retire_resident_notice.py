"""One queue, not two: the pending SMS notices of open requests become rows of the SMS outbox
(residents.sms, DESIGN §4.5); the rest (handed over, dropped, or of closed requests — news nobody
waits for any more) are dropped, and the migration says how many. Then ResidentNotice goes."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone, translation


def notices_to_outbox(apps, schema_editor):
    from requests.notifications import sms_params
    from residents.sms.defaults import DEFAULT_TEMPLATES
    from residents.sms.text import fill, segment_count, with_signature

    ResidentNotice = apps.get_model("requests", "ResidentNotice")
    SmsMessage = apps.get_model("residents", "SmsMessage")
    SmsTemplate = apps.get_model("residents", "SmsTemplate")
    language = settings.LANGUAGE_CODE
    now = timezone.now()
    moved = 0
    pending = ResidentNotice.objects.filter(state="pending").exclude(request__status="closed")
    with translation.override(language):
        for notice in pending.select_related("request__resident", "request__community").order_by("id"):
            sr, resident = notice.request, notice.request.resident
            if resident is None or not resident.phone or resident.anonymised_at:
                continue
            row = SmsTemplate.objects.filter(kind=notice.kind, language=language).first()
            body = row.text if row else DEFAULT_TEMPLATES[notice.kind][language]
            signature = (sr.community.sms_signature or sr.community.name).strip()
            text = with_signature(signature, fill(body, sms_params(sr, notice.kind, notice.params or {})))
            SmsMessage.objects.create(
                community=sr.community,
                kind=notice.kind,
                purpose="status",
                phone=resident.phone,
                resident=resident,
                subject=sr.reference,
                language=language,
                text=text,
                template_code=row.provider_code if row else "",
                segments=segment_count(text),
                state="pending",  # the sweep queues it; delivery checks consent, quiet hours, cap
                created_at=notice.created_at,
                next_attempt_at=now,
            )
            moved += 1
    dropped = ResidentNotice.objects.count() - moved
    if moved or dropped:
        print(
            f"\n  SMS notices: {moved} moved to the outbox, {dropped} dropped (sent, or of closed requests)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0006_requestevent_action_words"),
        ("residents", "0009_sms_default_templates"),
    ]

    operations = [
        migrations.RunPython(notices_to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="ResidentNotice"),
    ]

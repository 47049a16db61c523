"""The SMS templates a new installation starts with (residents/sms/defaults.py); kept when edited."""

from django.db import migrations

# A copy, so that later edits of the defaults do not change what this migration wrote.
TEMPLATES = {
    "acknowledgement": {
        "zh-hans": "您的诉求已登记，编号{reference}，我们会尽快办理。进度：{link}",
        "en": "Your request {reference} is logged; we will deal with it soon. Progress: {link}",
    },
    "answered": {
        "zh-hans": "您的诉求{reference}已当场解答：{answer} 详情：{link}",
        "en": "Your request {reference} was answered on the spot: {answer} Details: {link}",
    },
    "accepted": {
        "zh-hans": "您的诉求{reference}已受理，预计{due}前办结。进度：{link}",
        "en": "Your request {reference} is accepted and due by {due}. Progress: {link}",
    },
    "extended": {
        "zh-hans": "您的诉求{reference}办理期限延至{due}，原因：{reason}。进度：{link}",
        "en": "Your request {reference} now has until {due}: {reason}. Progress: {link}",
    },
    "resolved": {
        "zh-hans": "您的诉求{reference}已办结：{result} 满意回复1，基本满意回复2，不满意回复3。{link}",
        "en": "Your request {reference} is resolved: {result} Reply 1 satisfied, 2 fairly satisfied, "
        "3 dissatisfied. {link}",
    },
    "closed": {
        "zh-hans": "您的诉求{reference}已结束：{outcome}。{reason}详情：{link}",
        "en": "Your request {reference} is closed: {outcome}. {reason}Details: {link}",
    },
    "reopened": {
        "zh-hans": "您的诉求{reference}已重新办理，我们会尽快处理。进度：{link}",
        "en": "Your request {reference} is being worked on again. Progress: {link}",
    },
    "opt_out": {
        "zh-hans": "您已退订社区短信，不再收到诉求进度和流动办公桌通知。恢复请联系社区。",
        "en": "You will get no more SMS from the community. Ask the community office to start again.",
    },
    "announcement": {
        "zh-hans": "流动办公桌{date} {time}在{place}，欢迎咨询办事。回复T退订",
        "en": "The mobile desk is at {place} on {date} {time}. Reply T to stop.",
    },
    "staff_reminder": {"zh-hans": "{text}", "en": "{text}"},
}


def add_defaults(apps, schema_editor):
    SmsTemplate = apps.get_model("residents", "SmsTemplate")
    for kind, texts in TEMPLATES.items():
        for language, text in texts.items():
            SmsTemplate.objects.get_or_create(kind=kind, language=language, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("residents", "0008_sms_outbox")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

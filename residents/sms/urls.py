"""Provider callbacks, mounted at /sms/ in config/urls.py (no login, no CSRF: signed or tokened)."""

from django.urls import path

from residents.sms import webhooks

app_name = "sms"
urlpatterns = [
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    path("aliyun/<str:token>/receipt/", webhooks.aliyun_receipt, name="aliyun_receipt"),
    path("aliyun/<str:token>/reply/", webhooks.aliyun_reply, name="aliyun_reply"),
]

"""The SMS outbox, its templates and what providers send back (DESIGN §4.5).

An outbox row names its recipient (a number, and the resident or staff user it belongs to) and a
`subject` string (a request's reference), never a foreign key into `desks` or `requests`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from residents.phones import mask_phone


class Kind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    ANSWERED = "answered", _("Acknowledgement with the answer")
    ACCEPTED = "accepted", _("Accepted")
    EXTENDED = "extended", _("Extended")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    OPT_OUT = "opt_out", _("Opt-out confirmation")
    ANNOUNCEMENT = "announcement", _("Desk session announcement")
    STAFF_REMINDER = "staff_reminder", _("Staff reminder")


class Purpose(models.TextChoices):
    """Which consent a message needs (status SMS and announcements are separate consents)."""

    STATUS = "status", _("Status SMS")
    ANNOUNCEMENT = "announcement", _("Announcement")
    STAFF = "staff", _("Staff")
    SERVICE = "service", _("Service message")  # the one opt-out confirmation


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")
    HELD = "held", pgettext_lazy("sms state", "Held")  # not a desk session's "held" (已开展)
    UNKNOWN = "unknown", _("Unknown")


class HoldReason(models.TextChoices):
    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    DAILY_CAP = "daily_cap", _("Daily cap reached")
    NO_CONSENT = "no_consent", _("No consent")
    OFFICE_HOURS = "office_hours", _("Outside office hours")


# Rows the sweep reads: a partial index keeps its idle query cheap at a million messages.
WAITING_STATES = (State.PENDING, State.HELD)


class SmsMessage(models.Model):
    community = models.ForeignKey(
        "residents.Community",
        on_delete=models.PROTECT,
        related_name="sms_messages",
        verbose_name=_("community"),
        db_index=False,  # smsmessage_community_state
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    purpose = models.CharField(_("consent needed"), max_length=12, choices=Purpose.choices)
    phone = models.CharField(_("number"), max_length=20)
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sms_messages",
        verbose_name=_("resident"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    subject = models.CharField(
        _("subject"), max_length=40, blank=True, help_text=_("e.g. a request's reference")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    text = models.TextField(_("text"))
    template_code = models.CharField(_("provider template code"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), default=1)

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    hold_reason = models.CharField(_("held because"), max_length=12, choices=HoldReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=80, blank=True)
    # News that is worthless after a moment (a desk session's announcement after the session has
    # begun) is dropped (failed) rather than sent late; None: it never goes stale.
    expires_at = models.DateTimeField(_("too late after"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resent by"),
    )
    resent_at = models.DateTimeField(_("resent"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "held"]),
                name="smsmessage_waiting",
            ),
            models.Index(fields=["lease_until"], condition=Q(state="sending"), name="smsmessage_sending"),
            models.Index(fields=["community", "state", "-created_at"], name="smsmessage_community_state"),
            models.Index(fields=["phone", "sent_at"], name="smsmessage_phone_sent"),
            models.Index(fields=["subject"], condition=~Q(subject=""), name="smsmessage_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id"], condition=~Q(provider_id=""), name="smsmessage_unique_provider_id"
            ),
            # One announcement of one desk session (its subject) per number, however often the
            # announcing task runs: a second send is impossible, not just unlikely.
            models.UniqueConstraint(
                fields=["subject", "phone"],
                condition=Q(kind="announcement"),
                name="smsmessage_unique_announcement",
            ),
        ]

    def __str__(self):
        return f"{self.pk} {self.kind} {mask_phone(self.phone)} {self.state}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class SmsTemplate(models.Model):
    """The words of one kind of message in one language; {placeholders} are filled at queue time.

    Text backends (console, file, Twilio) send the text; Aliyun sends only pre-approved templates:
    `provider_code` names the one approved for this kind, and the same placeholders go as its
    named parameters.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {reference} {link} {category} {due} {reason} {result} {answer} {outcome} "
            "{date} {time} {place} {text}. The community's signature 【…】 is added in front."
        ),
    )
    provider_code = models.CharField(
        _("provider template code"), max_length=40, blank=True, help_text=_("Aliyun: e.g. SMS_123456789")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="smstemplate_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


class SmsInbound(models.Model):
    """A reply or a delivery receipt as the provider sent it, once per provider message id: providers
    deliver callbacks more than once, and the unique id makes a repeat change nothing."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        RECEIPT = "receipt", _("Delivery receipt")

    class Outcome(models.TextChoices):
        RATING = "rating", _("Rating")
        OPT_OUT = "opt_out", _("Opt-out")
        KEPT = "kept", _("Kept for staff")
        RECEIPT = "receipt", _("Receipt recorded")
        IGNORED = "ignored", _("Ignored")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=120, unique=True)
    phone = models.CharField(_("number"), max_length=20, blank=True)
    community = models.ForeignKey(
        "residents.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    text = models.CharField(_("text"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS reply or receipt")
        verbose_name_plural = _("SMS replies and receipts")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["subject"], condition=~Q(subject=""), name="smsinbound_subject")]

    def __str__(self):
        return f"{self.kind} {mask_phone(self.phone)} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

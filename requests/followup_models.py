"""What a change leaves for later: reminder steps (DESIGN §4.4) and staff inbox items. The services
write them in the same transaction as the change; a resident's SMS is a row in the outbox of
residents.sms (§4.5), written through requests.notifications.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.versioned_cache import BumpingQuerySet

# The cache's name for the inbox items' state, which the badge counts: bumped by every change, one
# item (requests.signals) or many (InboxItemQuerySet). The intake form's ETag names it.
INBOX = "inbox"


class InboxItemQuerySet(BumpingQuerySet):
    cache_names = (INBOX,)


class Step(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    ACCEPT = "accept", _("Accept")
    DUE_SOON = "due_soon", _("Due soon")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    APPROVE_EXTENSION = "approve_extension", _("Approve extension")
    REVIEW = "review", _("Review")
    RETURN_VISIT = "return_visit", _("Return visit")


# Who each step goes to (the reminder sweep reads it).
STEP_TO_SUPERVISORS = frozenset({Step.ASSIGN, Step.APPROVE_EXTENSION, Step.REVIEW})
STEP_TO_HANDLER = frozenset({Step.ACCEPT, Step.DUE_SOON, Step.DUE, Step.OVERDUE})
# Return visit: to the community's staff who may visit, the handler excepted.


class ReminderStep(models.Model):
    """A reminder that falls due at `due_at` while the request is open (催办 / 督办).

    The unique (request, step, sequence) makes a second send of the same step impossible; the
    partial index on pending rows keeps the sweep's idle query cheap at a million requests.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.ForeignKey(
        "requests.ServiceRequest", on_delete=models.CASCADE, related_name="reminder_steps", db_index=False
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder step")
        verbose_name_plural = _("reminder steps")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "step", "sequence"], name="reminderstep_unique")
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="reminderstep_pending_due"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.step}#{self.sequence} {self.status}"


class InboxItem(models.Model):
    """Something a staff member should look at: a reminder, an escalation."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("To assign")
        ACCEPT = "accept", _("To accept")
        DUE_SOON = "due_soon", _("Due soon")
        DUE = "due", _("Due")
        OVERDUE = "overdue", _("Overdue")
        APPROVE_EXTENSION = "approve_extension", _("Extension to approve")
        REVIEW = "review", _("Dissatisfaction to review")
        RETURN_VISIT = "return_visit", _("Return visit to make")
        ESCALATION = "escalation", _("Escalation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items", db_index=False
    )
    request = models.ForeignKey(
        "requests.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="inbox_items",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = InboxItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="inboxitem_user"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="inboxitem_unread"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.request_id}"

"""A service request, its reference counter, its append-only timeline and its photos (DESIGN §3, §4).

Only the services in requests/services/ write `status` (DESIGN §4.1); everything here is data.
Indexes are chosen for a million rows: every list the staff pages show (a community's requests by
status, a handler's open requests, what falls due) reads a composite or partial index.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    LOGGED = "logged", _("Logged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Open: not closed (a resolved request still waits for its return visit).
OPEN_STATUSES = (Status.LOGGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED)
# Still to be worked on: past its resolve-by time in one of these, a request is overdue (unassigned
# ones too); assign and withdraw start from these.
UNRESOLVED_STATUSES = (Status.LOGGED, Status.ASSIGNED, Status.IN_PROGRESS)


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    ANSWERED_ON_THE_SPOT = "answered_on_the_spot", _("Answered on the spot")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")


class Source(models.TextChoices):
    DESK = "desk", _("Mobile desk")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("12345 hotline")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    HOUSEHOLD_VISIT = "household_visit", _("Household visit")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


class RatingSource(models.TextChoices):
    SMS = "sms", _("SMS reply")
    RETURN_VISIT = "return_visit", _("Return visit")


# The columns the dashboard's daily summary reads (times, state, scope dimensions).
SUMMED_FIELDS = (
    "logged_at",
    "closed_at",
    "accept_due_at",
    "accepted_at",
    "resolve_due_at",
    "resolved_at",
    "status",
    "outcome",
    "rating",
    "grid_id",
    "category_id",
    "desk_session_id",
    "source",
    "handler_id",
)


class ServiceRequest(models.Model):
    community = models.ForeignKey(
        "residents.Community",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("community"),
        db_index=False,  # every index below starts with community
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.DESK)
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("resident"),
        db_index=False,  # request_resident below
        help_text=_("Empty: the request is anonymous."),
    )
    grid = models.ForeignKey(
        "residents.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("grid"),
    )
    desk_session = models.ForeignKey(
        "desks.DeskSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("desk session"),
    )
    screening = models.OneToOneField(
        "desks.Screening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_request",
        verbose_name=_("health screening"),
    )
    category = models.ForeignKey(
        "requests.Category",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.LOGGED)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)

    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    referred_reference = models.CharField(_("their reference"), max_length=60, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    extension_pending = models.BooleanField(_("extension requested"), default=False)
    extension_due_at = models.DateTimeField(_("requested due time"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    review_pending = models.BooleanField(_("dissatisfaction to review"), default=False)

    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_requests",
        verbose_name=_("handler"),
        db_index=False,  # request_handler_status below
    )
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    original_resolve_due_at = models.DateTimeField(_("first resolve-by time"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    resident_result = models.TextField(
        _("result for the resident"),
        blank=True,
        help_text=_(
            "Written at resolve for the resident: the status page and the SMS show it, not the result."
        ),
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_source = models.CharField(_("rated by"), max_length=16, choices=RatingSource.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    return_visit_tries = models.PositiveSmallIntegerField(
        _("return-visit tries without an answer"), default=0
    )

    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    hotline_reference = models.CharField(_("12345 hotline reference"), max_length=40, blank=True)
    idempotency_token = models.CharField(max_length=64, blank=True, editable=False)
    # The receipt's 4-digit pickup code of a request without a phone, as requests.pickup hashes it.
    pickup_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-logged_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-logged_at"], name="request_community_status"),
            models.Index(fields=["community", "-logged_at"], name="request_community_logged"),
            models.Index(fields=["handler", "status", "resolve_due_at"], name="request_handler_status"),
            models.Index(fields=["resident", "-logged_at"], name="request_resident"),
            models.Index(fields=["community", "category", "-logged_at"], name="request_community_category"),
            models.Index(
                fields=["community", "closed_at"],
                condition=Q(status="closed"),
                name="request_community_closed",
            ),
            models.Index(
                fields=["resolve_due_at"],
                condition=Q(status__in=["assigned", "in_progress"]),
                name="request_open_resolve_due",
            ),
            # What is open now (open, overdue, status, handlers' workload) whatever the scope, read
            # from the index alone on PostgreSQL.
            models.Index(
                fields=["community", "status"],
                include=[
                    "id",
                    "grid",
                    "category",
                    "handler",
                    "source",
                    "desk_session",
                    "resolve_due_at",
                    "outcome",
                ],
                condition=Q(status__in=["logged", "assigned", "in_progress", "resolved"]),
                name="request_open_now",
            ),
            # Time to close (a percentile over the period's closed requests, always live): on
            # PostgreSQL read from the index alone, without visiting the table.
            models.Index(
                fields=["community", "closed_at"],
                include=["logged_at"],
                condition=Q(status="closed") & ~Q(outcome="withdrawn"),
                name="request_closed_took",
            ),
            # The dashboard's period figures (DESIGN §5) find their rows by each measured event.
            models.Index(fields=["community", "accept_due_at"], name="request_community_accept_due"),
            models.Index(fields=["community", "accepted_at"], name="request_community_accepted"),
            models.Index(fields=["community", "resolve_due_at"], name="request_community_resolve_due"),
            models.Index(fields=["community", "resolved_at"], name="request_community_resolved"),
            models.Index(
                fields=["accept_due_at"],
                condition=Q(status__in=["logged", "assigned"]),
                name="request_unaccepted_due",
            ),
            models.Index(
                fields=["hotline_reference"], condition=~Q(hotline_reference=""), name="request_hotline_ref"
            ),
            # The newest first across communities: a street office's list (community IN (…)) walks it.
            models.Index(fields=["-logged_at", "-id"], name="request_logged"),
            # The list's filters, each in the list's order, so a page and its bounded count read an
            # index (status and category are above; overdue below).
            models.Index(fields=["community", "handler", "-logged_at"], name="request_community_handler"),
            models.Index(fields=["community", "grid", "-logged_at"], name="request_community_grid"),
            models.Index(fields=["community", "source", "-logged_at"], name="request_community_source"),
            # Still to be worked on, by resolve-by time: the list's overdue filter.
            models.Index(
                fields=["community", "resolve_due_at"],
                condition=Q(status__in=["logged", "assigned", "in_progress"]),
                name="request_unresolved_due",
            ),
            # My requests for supervisors: extensions to decide, reviews, return visits to make.
            models.Index(
                fields=["community", "updated_at"],
                condition=Q(extension_pending=True),
                name="request_extension",
            ),
            models.Index(
                fields=["community", "rated_at"], condition=Q(review_pending=True), name="request_review"
            ),
            models.Index(
                fields=["community", "resolved_at"],
                condition=Q(status="resolved", review_pending=False),
                name="request_awaiting_visit",
            ),
            # The same oldest-first for a user of several communities (a street office): the index
            # above gives each community's rows in order, but not the merge of two communities'.
            # With the community and handler beside each entry, the home page's count of visits to
            # make (not one's own) is read from the index alone.
            models.Index(
                fields=["resolved_at", "id"],
                include=["community", "handler"],
                condition=Q(status="resolved", review_pending=False),
                name="request_awaiting_visit_all",
            ),
        ]
        constraints = [
            # A double tap on "log" makes one request.
            models.UniqueConstraint(
                fields=["community", "idempotency_token"],
                condition=~Q(idempotency_token=""),
                name="request_unique_token",
            ),
            # An outcome exactly when closed.
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="")) | (~Q(status="closed") & Q(outcome="")),
                name="request_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(handler__isnull=False) | ~Q(status__in=["assigned", "in_progress", "resolved"]),
                name="request_handler_when_assigned",
            ),
        ]

    def __str__(self):
        return self.reference

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the dashboard's daily summary counts this request by, as loaded: a change to any of
        # it marks the summed days it leaves and enters (requests/dashboard/summary.py).
        loaded = dict(zip(field_names, values, strict=True))
        instance._summed_as = {name: loaded.get(name) for name in SUMMED_FIELDS if name in loaded}
        return instance

    @property
    def is_anonymous(self) -> bool:
        return self.resident_id is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, at=None) -> bool:
        from requests import clock

        at = at or clock.now()
        return (
            self.status in UNRESOLVED_STATUSES
            and self.resolve_due_at is not None
            and self.resolve_due_at < at
        )

    @property
    def state_label(self) -> str:
        """The status; a closed request's with its outcome (已结束 · 已办结 / 当场解答 / 已撤销 / 不予
        受理), so it never reads like a resolved one still waiting for its return visit."""
        if self.status == Status.CLOSED and self.outcome:
            return _("%(status)s · %(outcome)s") % {
                "status": Status.CLOSED.label,
                "outcome": Outcome(self.outcome).label,
            }
        return str(Status(self.status).label)


class ReferenceCounter(models.Model):
    """The last sequence number used in a community's references for one year (locked per intake)."""

    community = models.ForeignKey("residents.Community", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="referencecounter_unique")]

    def __str__(self):
        return f"{self.community_id}-{self.year}: {self.last}"


class EventBy(models.TextChoices):
    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")
    SYSTEM = "system", _("System")


class EventAction(models.TextChoices):
    """What a timeline line says happened (RequestEvent.action); the services write these words,
    the transition table (transitions.py) names the actions that lead to them."""

    LOG = "log", _("Logged")
    ANSWER = "answer", _("Answered on the spot")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Reassigned")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned")
    REFER = "refer", _("Referred")
    REQUEST_EXTENSION = "request_extension", _("Asked for an extension")
    APPROVE_EXTENSION = "approve_extension", _("Extension approved")
    DENY_EXTENSION = "deny_extension", _("Extension denied")
    ESCALATE = "escalate", _("Escalated")
    RESOLVE = "resolve", _("Resolved")
    RETURN_VISIT = "return_visit", _("Return visit")
    RETURN_VISIT_NO_ANSWER = "return_visit_no_answer", _("Return visit: no answer")
    RATE_BY_SMS = "rate_by_sms", _("Rated by SMS")
    REVIEW_REOPEN = "review_reopen", _("Reviewed: reopened")
    REVIEW_CLOSE = "review_close", _("Reviewed: closed")
    REOPEN = "reopen", _("Reopened")
    WITHDRAW = "withdraw", _("Withdrawn")
    REJECT = "reject", _("Rejected")
    ADD_PHOTO = "add_photo", _("Photo added")
    NEW_PICKUP_CODE = "new_pickup_code", _("New pickup code")
    REMIND = "remind", _("Reminder")  # the reminder sweep (requests/services/sweep.py), data["step"]


class RequestEvent(models.Model):
    """One line of a request's timeline: who did what, when, and why. Never changed or deleted."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    by = models.CharField(_("by"), max_length=10, choices=EventBy.choices, default=EventBy.STAFF)
    action = models.CharField(_("what"), max_length=24, choices=EventAction.choices)
    from_status = models.CharField(_("from status"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    public = models.BooleanField(
        _("shown on the public status page"),
        default=False,
        help_text=_("The action and its time may be shown to the resident; the note never is."),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at", "id"], name="requestevent_timeline"),
            # Reminders and escalations sent in a period, for the dashboard.
            models.Index(
                fields=["created_at"],
                condition=Q(action__in=["remind", "escalate"]),
                name="requestevent_reminders",
            ),
        ]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        from requests.followup_models import Step  # it imports this module

        try:
            label = str(EventAction(self.action).label)
        except ValueError:
            return self.action
        step = self.data.get("step") if isinstance(self.data, dict) else None
        if self.action == EventAction.REMIND and step in Step.values:
            return _("%(reminder)s: %(step)s") % {"reminder": label, "step": Step(step).label}
        return label


def attachment_path(instance, filename: str) -> str:
    """requests/<year>/<month>/<random>.<ext>: the resident's file name may hold personal data."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    now = timezone.localtime()
    return f"requests/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("request")
    )
    kind = models.CharField(_("photo"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.kind} {self.file.name}"

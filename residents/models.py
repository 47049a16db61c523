"""Where people live, who works for them, who they are, and what is done with their data
(DESIGN §3, §6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents import idnumbers
from residents.addresses import address_text
from residents.phones import mask_phone
from residents.roles import Role
from residents.versioned_cache import BumpingQuerySet


class Community(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.CharField(
        _("short code"),
        max_length=8,
        unique=True,
        help_text=_("Letters used in request references, e.g. BX for 滨西社区."),
    )
    street_office = models.CharField(_("street office"), max_length=60)
    district = models.CharField(_("district"), max_length=60)
    sms_signature = models.CharField(
        _("SMS signature"),
        max_length=20,
        blank=True,
        help_text=_(
            "The name in 【】 at the start of every SMS, as registered with the provider; empty: the name."
        ),
    )
    office_phone = models.CharField(
        _("office phone"),
        max_length=30,
        blank=True,
        help_text=_("The number residents call about their requests; printed on the receipt."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Grid(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grids",
        verbose_name=_("grid worker"),
    )

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        # The order the office set them up in: by name, 第一 第三 第二 第五 (Unicode order of numerals).
        ordering = ["community", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name")]

    def __str__(self):
        return self.name


class MembershipQuerySet(BumpingQuerySet):
    """Bulk changes outdate the cached places too (single rows do through residents.signals)."""

    cache_names = ("places",)  # residents.scoping.PLACES


class Membership(models.Model):
    """A person's place in one community: their role there (roles.py says what it may do), and how
    they want to be reached. `user.memberships` is what scoping.py reads (cached between requests:
    every change, one row or many, outdates the cache)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("community")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    staff_phone = models.CharField(_("staff phone"), max_length=20, blank=True)
    wants_sms_reminders = models.BooleanField(_("SMS reminders"), default=False)
    health_permission = models.BooleanField(
        _("may record health screenings"),
        default=False,
        help_text=_("Volunteers, desk staff and grid workers need this to record or read screenings."),
    )
    is_party_member = models.BooleanField(
        _("party member"),
        default=False,
        help_text=_("Party-member volunteers keep in touch with households (党员联户)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        db_table = "desks_membership"  # moved from desks without moving the rows (migration 0007)
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["community", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="membership_unique_user_community")
        ]

    def __str__(self):
        return f"{self.user} · {self.community} · {self.get_role_display()}"


# One ID number per community (by its HMAC); residents without one, or anonymised (cleared), don't count.
ID_NUMBER_UNIQUE = "resident_id_number_unique_per_community"


def violates_id_number_unique(error: IntegrityError) -> bool:
    """Whether the database refused a write for ID_NUMBER_UNIQUE: PostgreSQL names the constraint,
    SQLite its columns ("UNIQUE constraint failed: residents_resident.community_id, ….id_number_hmac")."""
    text = str(error)
    return ID_NUMBER_UNIQUE in text or "residents_resident.id_number_hmac" in text


def validate_birth_date(value) -> None:
    """A date a living resident can have been born on: not in the future, not before 1900."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("A date of birth cannot be in the future."), code="future")
    if value.year < 1900:
        raise ValidationError(
            _("Check the year: a date of birth before 1900 is not plausible."), code="too_old"
        )


class Resident(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="residents", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("grid"),
    )
    name = models.CharField(_("name"), max_length=50)
    # Every reading, full and initials ("wangyuzhi wyz ..."), so desk staff type pinyin to find.
    name_pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, editable=False)
    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +8613812345678")
    )
    contact_name = models.CharField(
        _("contact person"),
        max_length=50,
        blank=True,
        help_text=_("Whose phone it is, when not the resident's own."),
    )
    contact_relation = models.CharField(_("relation to the resident"), max_length=20, blank=True)
    compound = models.CharField(_("compound"), max_length=60, blank=True)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_hmac = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    # Imported without its ID number (Excel had turned it into a number): the office completes it.
    id_number_pending = models.BooleanField(_("ID number to be completed"), default=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True, validators=[validate_birth_date])
    notes = models.TextField(_("notes"), blank=True)

    sms_consent = models.BooleanField(_("agrees to status SMS"), default=False)
    sms_consent_at = models.DateTimeField(_("status SMS consent changed"), null=True, blank=True)
    announcement_consent = models.BooleanField(_("agrees to desk announcements"), default=False)
    announcement_consent_at = models.DateTimeField(_("announcement consent changed"), null=True, blank=True)
    health_consent = models.BooleanField(_("agrees to health data being kept"), default=False)
    health_consent_at = models.DateTimeField(_("health data consent changed"), null=True, blank=True)

    lives_alone = models.BooleanField(_("elderly living alone"), default=False)
    limited_mobility = models.BooleanField(_("limited mobility"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    low_income = models.BooleanField(_("minimum living allowance"), default=False)

    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    FLAGS = ("lives_alone", "limited_mobility", "disability", "low_income")
    CONSENTS = ("sms_consent", "announcement_consent", "health_consent")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["community", "name"], name="resident_community_name"),
            models.Index(fields=["community", "compound", "building"], name="resident_address"),
            models.Index(fields=["phone"], name="resident_phone"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_hmac"],
                condition=~Q(id_number_hmac=""),
                name=ID_NUMBER_UNIQUE,
            )
        ]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def address(self) -> str:
        return address_text(compound=self.compound, building=self.building, unit=self.unit, room=self.room)

    @property
    def flags(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FLAGS if getattr(self, f)]

    def set_id_number(self, id_number: str, *, encrypted: str = "") -> None:
        """Store a normalised ID number encrypted, with its HMAC and masked form; '' clears it.
        `encrypted`: the number already encrypted (a roster import does it ahead of its write).
        Residents' writers call this through residents.services, which own the rules around it."""
        if not id_number:
            self.id_number_encrypted = self.id_number_hmac = self.id_number_masked = ""
            return
        self.id_number_encrypted = encrypted or idnumbers.encrypt(id_number)
        self.id_number_hmac = idnumbers.fingerprint(id_number)
        self.id_number_masked = idnumbers.mask_id_number(id_number)
        self.birth_date = self.birth_date or idnumbers.birth_date(id_number)

    def id_number(self) -> str:
        return idnumbers.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""


class AccessLog(models.Model):
    """Who saw or took personal data: a full phone, an ID number, an export, an import (PIPL)."""

    class Action(models.TextChoices):
        REVEAL_PHONE = "reveal_phone", _("Revealed a phone number")
        VIEW_ID_NUMBER = "view_id_number", _("Viewed an ID number")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        ANONYMISE = "anonymise", _("Anonymised")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="access_logs", verbose_name=_("community")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("whom"),
    )
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    detail = models.CharField(
        _("detail"), max_length=200, blank=True, help_text=_("what was exported, and how")
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"

    def export_filter_text(self) -> str:
        """What an export selected (DESIGN §6: who, what filter, how many rows), in the reader's
        language: made from `filters` when shown, not from text stored in the writer's."""
        data = self.filters or {}
        parts = []
        if data.get("grid_name"):
            parts.append(_("grid %(name)s") % {"name": data["grid_name"]})
        if data.get("compound"):
            parts.append(_("compound %(name)s") % {"name": data["compound"]})
        parts += [
            str(Resident._meta.get_field(f).verbose_name)
            for f in data.get("flags", [])
            if f in Resident.FLAGS
        ]
        if data.get("q"):
            parts.append(_("search “%(text)s”") % {"text": data["q"]})
        return " · ".join(parts) if parts else str(_("every resident"))


class RosterImport(models.Model):
    """An uploaded roster, kept in the database so a worker on another machine can read it."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Awaiting confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(
        default=list, blank=True, help_text="[{row, column, reason, message, params, kind, level, resident}]"
    )
    # Chosen at confirmation: rows whose ID number Excel stored as a number are imported without it,
    # the resident marked id_number_pending.
    ids_pending = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When it was queued or started running: the sweep re-sends or fails imports stuck since then.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


from residents.sms.models import SmsInbound, SmsMessage, SmsTemplate  # noqa: E402, F401  (the outbox)

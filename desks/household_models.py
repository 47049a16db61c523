"""党员联户 and 志愿服务: the households a member looks after, their visits (走访), and corrections
to the volunteer hours the records give (DESIGN §2, §3).

Hours are not stored: they come from what the records already say (a closed session's length for
each team member, a visit's duration); an HoursCorrection replaces one person's hours at one
session, with the reason, and the latest correction counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import Community


class HouseholdLink(models.Model):
    """A member keeps in touch with households: a building, one unit of it, or named residents."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("A building")
        UNIT = "unit", _("A unit")
        RESIDENTS = "residents", _("Named residents")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="household_links", verbose_name=_("community")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="household_links",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("households"), max_length=10, choices=Kind.choices)
    compound = models.CharField(_("compound"), max_length=60, blank=True)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    residents = models.ManyToManyField(
        "residents.Resident", blank=True, related_name="household_links", verbose_name=_("residents")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("linked by")
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("household link")
        verbose_name_plural = _("household links")
        ordering = ["community", "member", "compound", "building", "unit", "id"]
        indexes = [models.Index(fields=["community", "member"], name="householdlink_member")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="householdlink_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.place}"

    @property
    def place(self) -> str:
        if self.kind == self.Kind.RESIDENTS:
            return str(_("named residents"))
        place = f"{self.compound} {self.building}号楼"
        return f"{place} {self.unit}单元" if self.kind == self.Kind.UNIT else place

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Visit(models.Model):
    """A visit (走访) to a household, in person or by phone. Never holds health readings."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="visits", verbose_name=_("community")
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="visits", verbose_name=_("resident")
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visited by"),
    )
    visited_on = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The request logged in the same step (requests may not be named here: DESIGN §3).
    request_reference = models.CharField(_("request logged"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["resident", "-visited_on"], name="visit_resident"),
            models.Index(fields=["community", "visitor", "visited_on"], name="visit_visitor"),
        ]

    def __str__(self):
        return f"{self.resident} {self.visited_on}"


class HoursCorrection(models.Model):
    """A supervisor's correction of one member's hours at one closed session, with the reason."""

    session = models.ForeignKey(
        "desks.DeskSession",
        on_delete=models.PROTECT,
        related_name="hours_corrections",
        verbose_name=_("session"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=200)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("corrected by")
    )
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        verbose_name = _("hours correction")
        verbose_name_plural = _("hours corrections")
        ordering = ["-corrected_at", "-id"]
        indexes = [models.Index(fields=["session", "member", "-corrected_at"], name="hourscorrection_latest")]

    def __str__(self):
        return f"{self.member} {self.session_id}: {self.hours}"

"""How staff reach residents: routes, desk sessions, screenings (membership lives in residents)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from residents.models import Community
from residents.versioned_cache import BumpingQuerySet

# The cache's name for what the intake form offers of the desk: sessions and their stops (bumped by
# desks.signals and by the querysets' bulk changes, such as the night's closing of sessions left open).
DESK_SESSIONS = "desk-sessions"


class DeskQuerySet(BumpingQuerySet):
    cache_names = (DESK_SESSIONS,)


class Stop(models.Model):
    """A place the desk goes: a compound gate, a plaza, a building entrance."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("Compound")
        PLAZA = "plaza", _("Plaza")
        BUILDING_ENTRANCE = "building_entrance", _("Building entrance")
        OTHER = "other", _("Other")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="stops", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPOUND)
    address = models.CharField(_("address"), max_length=120, blank=True)
    grids = models.ManyToManyField(
        "residents.Grid", blank=True, related_name="stops", verbose_name=_("grids covered")
    )

    objects = DeskQuerySet.as_manager()

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["community", "name"]

    def __str__(self):
        return self.name


class Route(models.Model):
    """Fixed time, fixed route, fixed area: ordered stops on a weekday, in a time window."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="routes", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=80)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("default team")
    )
    partners = models.CharField(
        _("partner organisations"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the community health station that measures blood pressure"),
    )
    services = models.JSONField(_("services offered"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["community", "weekday", "start_time"]

    def __str__(self):
        return self.name

    @property
    def service_labels(self) -> list[str]:
        return service_labels(self.services)


class RouteStop(models.Model):
    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="route_stops", verbose_name=_("route")
    )
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+", verbose_name=_("stop"))
    position = models.PositiveSmallIntegerField(_("order"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="routestop_unique_position")
        ]

    def __str__(self):
        return f"{self.position}. {self.stop}"


class DeskSession(models.Model):
    """One outing of the desk to one stop, on one date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Service(models.TextChoices):
        POLICY_ADVICE = "policy_advice", _("policy advice")
        REQUEST_INTAKE = "request_intake", _("request intake")
        DISPUTE_MEDIATION = "dispute_mediation", _("dispute mediation")
        ERRANDS = "errands", _("errands")
        HEALTH_SCREENING = "health_screening", _("health screening")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="desk_sessions", verbose_name=_("community")
    )
    route = models.ForeignKey(
        Route,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("route"),
    )
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("stop"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("team")
    )
    partners = models.CharField(_("partner organisations"), max_length=200, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Nobody closed it on its day: the night's sweep did (sessions_close_left_open).
    closed_automatically = models.BooleanField(_("closed automatically"), default=False)
    walk_up_count = models.PositiveIntegerField(
        _("walk-ups who only asked"),
        default=0,
        help_text=_("Residents served with a quick answer and no record."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Set when a person changes times, team, partners or services of a route's session: from then
    # on, generating the route's sessions leaves this one as it is.
    edited_by_hand = models.BooleanField(_("edited by hand"), default=False)
    # The day before, residents of the grids the stop covers who agreed are told by SMS; set once,
    # in the transaction that writes the messages, so announcing twice sends nothing new.
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)

    objects = DeskQuerySet.as_manager()

    class Meta:
        verbose_name = _("desk session")
        verbose_name_plural = _("desk sessions")
        ordering = ["date", "start_time", "id"]
        indexes = [models.Index(fields=["community", "date"], name="desksession_community_date")]
        constraints = [
            # Generating a route's sessions twice must create nothing new.
            models.UniqueConstraint(
                fields=["route", "stop", "date"],
                condition=models.Q(route__isnull=False),
                name="desksession_unique_route_stop_date",
            )
        ]

    def __str__(self):
        return f"{self.date} {self.stop}"

    @property
    def service_labels(self) -> list[str]:
        return service_labels(self.services)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.CANCELLED)


def service_labels(services: list[str]) -> list[str]:
    """The labels of a session's or route's services, in the order of DeskSession.Service."""
    chosen = set(services or [])
    return [str(label) for value, label in DeskSession.Service.choices if value in chosen]


class Screening(models.Model):
    """A health screening at the desk (义诊): sensitive personal information (DESIGN §6)."""

    class GlucoseKind(models.TextChoices):
        FASTING = "fasting", _("Fasting")
        AFTER_MEAL = "after_meal", _("After a meal")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    session = models.ForeignKey(
        DeskSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("desk session"),
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="screenings", verbose_name=_("resident")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    glucose = models.DecimalField(
        _("blood glucose (mmol/L)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    glucose_kind = models.CharField(
        _("glucose measured"), max_length=12, choices=GlucoseKind.choices, blank=True
    )
    bp_flagged = models.BooleanField(_("high blood pressure"), default=False)
    glucose_flagged = models.BooleanField(_("high blood glucose"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("health screening")
        verbose_name_plural = _("health screenings")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.resident} {self.recorded_at:%Y-%m-%d}"

    @property
    def flagged(self) -> bool:
        return self.bp_flagged or self.glucose_flagged


from desks.household_models import HoursCorrection, HouseholdLink, Visit  # noqa: E402,F401

"""Request categories: what a request is about, its deadlines, SMS on/off and who handles it by default.

Categories are reference data: a data migration loads the standard list, administrators edit it.
Names are stored in both languages (`name_zh`, `name_en`) and shown in the active one, so the
zh/en switch works for rows an administrator adds without a new translation file.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from residents.members import members
from residents.roles import Can

# The category a flagged screening's follow-up is logged under: health data (DESIGN §6), so only
# members with the health permission see its details or are named its handler by the rule.
HEALTH_FOLLOW_UP = "health_follow_up"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Working days")
    WORKING_HOURS = "working_hours", _("Working hours")
    # Round the clock, from the moment it is logged: for urgent repairs (a burst pipe at night).
    CALENDAR_HOURS = "calendar_hours", _("Calendar hours")


class HandlerRule(models.TextChoices):
    NONE = "none", _("A supervisor assigns")
    GRID_WORKER = "grid_worker", _("The grid worker of the resident's grid")
    NAMED = "named", _("A named member of the community")


def in_language(zh: str, en: str) -> str:
    """The Chinese text unless English is the active language (and there is English text)."""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    return en if language.startswith("en") and en else zh


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"is_group": True},
        verbose_name=_("in the group"),
    )
    is_group = models.BooleanField(
        _("group heading"),
        default=False,
        help_text=_("A heading for the categories under it; requests are logged under those, not here."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    accept_within = models.PositiveSmallIntegerField(_("accept within"), default=1)
    accept_unit = models.CharField(
        _("time unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    resolve_within = models.PositiveSmallIntegerField(_("resolve within"), default=5)
    resolve_unit = models.CharField(
        _("time unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    sms_enabled = models.BooleanField(
        _("SMS to the resident"),
        default=True,
        help_text=_("Off for subjects a message on a shared family phone should not reveal."),
    )
    handler_rule = models.CharField(
        _("default handler"), max_length=16, choices=HandlerRule.choices, default=HandlerRule.NONE
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    @property
    def name(self) -> str:
        return in_language(self.name_zh, self.name_en)

    @property
    def is_health(self) -> bool:
        return self.code == HEALTH_FOLLOW_UP

    @property
    def label(self) -> str:
        """The name with its group's in front, e.g. 政策咨询 · 医疗保险 (needs `parent` loaded)."""
        if self.parent_id is None:
            return self.name
        return f"{self.parent.name} · {self.name}"

    def clean(self):
        if self.is_group and self.parent_id:
            raise ValidationError({"parent": _("A group heading cannot itself sit under a group.")})
        if self.parent_id and not self.parent.is_group:
            raise ValidationError({"parent": _("Only a group heading can hold categories.")})


class CategoryHandler(models.Model):
    """The named default handler of a category in one community (rule *named*, or the fallback
    of rule *grid worker* when the resident's grid has none)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="handlers", verbose_name=_("category")
    )
    community = models.ForeignKey(
        "residents.Community", on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("handler")
    )

    class Meta:
        verbose_name = _("default handler")
        verbose_name_plural = _("default handlers")
        constraints = [
            models.UniqueConstraint(fields=["category", "community"], name="categoryhandler_unique")
        ]

    def __str__(self):
        return f"{self.category} · {self.community} · {self.user}"

    def clean(self):
        if not (self.user_id and self.community_id):
            return
        if not members(self.community_id, Can.BE_HANDLER).filter(pk=self.user_id).exists():
            raise ValidationError({"user": _("This person cannot be a handler in this community.")})
        health = self.category_id and self.category.is_health
        if health and not members(self.community_id, Can.HEALTH).filter(pk=self.user_id).exists():
            raise ValidationError(
                {"user": _("A health follow-up's handler needs the health permission in this community.")}
            )

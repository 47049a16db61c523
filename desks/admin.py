"""Administration of stops, routes, desk sessions and screenings (staff: residents/admin.py).

Only superusers work here (no role gives the admin to anyone else), so, like the other admins,
these show every community. No full phone appears in a list: residents are shown by name and
staff phones masked. Screenings are listed without their readings: DESIGN §4.2 gives
administrators no access to health data, so the readings stay on the desk pages for the roles
that hold Can.HEALTH. Statuses change only through the services, so the session's status fields
are read-only here.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from desks.models import DeskSession, Route, RouteStop, Screening, Stop
from desks.services.sessions import ROUTE_FIELDS
from residents.admin_scoping import CommunityScopedAdmin, members_of


@admin.register(Stop)
class StopAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "community", "address"]
    list_filter = ["community", "kind"]
    search_fields = ["name", "address"]
    list_select_related = ["community"]
    filter_horizontal = ["grids"]


class RouteStopInline(CommunityScopedAdmin, admin.TabularInline):
    community_path = "route__community"
    model = RouteStop
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["stop"]


class TeamForm(forms.ModelForm):
    """A route's or a session's team: members of its community only."""

    def clean(self):
        data = super().clean()
        community, team = data.get("community"), data.get("team")
        if community is not None and team:
            members = set(members_of([community.pk]).values_list("pk", flat=True))
            if any(user.pk not in members for user in team):
                self.add_error(
                    "team", _("Only members of %(community)s can be on its team.") % {"community": community}
                )
        return data


class TeamPickerAdmin:
    """The team picker of a saved route or session lists the members of its community."""

    form = TeamForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "team" in form.base_fields:
            form.base_fields["team"].queryset = members_of([obj.community_id])
        return form


@admin.register(Route)
class RouteAdmin(TeamPickerAdmin, CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "community", "weekday", "start_time", "end_time", "is_active"]
    list_filter = ["community", "weekday", "is_active"]
    search_fields = ["name"]
    list_select_related = ["community"]
    filter_horizontal = ["team"]
    inlines = [RouteStopInline]


@admin.register(DeskSession)
class DeskSessionAdmin(TeamPickerAdmin, CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["date", "start_time", "stop", "community", "status", "route", "walk_up_count"]
    list_filter = ["community", "status", "closed_automatically", "date"]
    search_fields = ["stop__name", "route__name", "partners"]
    date_hierarchy = "date"
    list_select_related = ["community", "stop", "route"]
    filter_horizontal = ["team"]
    readonly_fields = [
        "status",
        "cancel_reason",
        "opened_at",
        "closed_at",
        "closed_automatically",
        "edited_by_hand",
    ]
    autocomplete_fields = ["stop"]

    # The rule of session_save: a route's session whose times, team, partners or services are
    # changed by hand is the route's no longer, so generating sessions at night leaves it alone.
    def save_model(self, request, obj, form, change):
        if obj.route_id is not None and set(form.changed_data) & {*ROUTE_FIELDS, "team"}:
            obj.edited_by_hand = True
        super().save_model(request, obj, form, change)


@admin.register(Screening)
class ScreeningAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["recorded_at", "resident_name", "session", "community", "recorded_by"]
    list_filter = ["community"]
    list_select_related = ["resident", "session__stop", "community", "recorded_by"]
    date_hierarchy = "recorded_at"
    fields = ["community", "session", "resident_name", "recorded_by", "recorded_at"]
    readonly_fields = fields

    @admin.display(description=_("resident"))
    def resident_name(self, obj):
        return obj.resident.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

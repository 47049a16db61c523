"""Administration of communities, grids, staff and residents — masked, and no way around the access log.

Full phones and ID numbers are never shown here: the change form offers write-only fields to set
new values, and revealing stays the logged action on the resident page. Staff phones are masked in
the membership list; the user admin lists each user's memberships (where they work, in which role).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from residents.admin_scoping import CommunityScopedAdmin
from residents.idnumbers import fingerprint, normalize_id_number
from residents.models import AccessLog, Community, Grid, Membership, Resident, RosterImport
from residents.phones import mask_phone, normalize_phone
from residents.selectors import resident_with_id_number
from residents.services import EDITABLE_FIELDS, resident_admin_save


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    community_path = "pk"
    list_display = ["name", "code", "street_office", "district"]
    search_fields = ["name", "code", "street_office"]


@admin.register(Grid)
class GridAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "community", "grid_worker"]
    list_filter = ["community"]
    search_fields = ["name"]
    list_select_related = ["community", "grid_worker"]
    autocomplete_fields = ["grid_worker"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "user",
            "community",
            "role",
            "health_permission",
            "staff_phone",
            "wants_sms_reminders",
            "is_active",
        ]

    # Stored as E.164 like residents' phones, so it can be masked and texted.
    def clean_staff_phone(self):
        value = self.cleaned_data["staff_phone"]
        return normalize_phone(value) if value.strip() else ""


@admin.register(Membership)
class MembershipAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    form = MembershipForm
    list_display = [
        "user",
        "community",
        "role",
        "health_permission",
        "is_party_member",
        "is_active",
        "masked_staff_phone",
    ]
    list_filter = ["community", "role", "is_party_member", "is_active"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    list_select_related = ["user", "community"]
    autocomplete_fields = ["user", "community"]

    @admin.display(description=_("staff phone"))
    def masked_staff_phone(self, membership):
        return mask_phone(membership.staff_phone)


class MembershipInline(CommunityScopedAdmin, admin.TabularInline):
    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["community"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(CommunityScopedAdmin, UserAdmin):
    """Django's user admin, with the user's memberships: where they work and in which role."""

    community_path = "memberships__community"

    inlines = [*UserAdmin.inlines, MembershipInline]


class ResidentAdminForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=_("new mobile phone"), required=False, help_text=_("Leave empty to keep the current number.")
    )
    new_id_number = forms.CharField(
        label=_("new ID number"), required=False, help_text=_("Leave empty to keep the current ID number.")
    )
    # Two residents sharing an ID number (e.g. found by migration 0004) are put right by clearing
    # the one entered for the wrong person.
    clear_id_number = forms.BooleanField(
        label=_("clear the ID number"),
        required=False,
        help_text=_("For an ID number entered for the wrong person."),
    )

    class Meta:
        model = Resident
        fields = ["community", *EDITABLE_FIELDS]

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_new_id_number(self):
        value = self.cleaned_data["new_id_number"]
        return normalize_id_number(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        grid, community = cleaned.get("grid"), cleaned.get("community")
        if grid and community and grid.community_id != community.pk:
            raise ValidationError({"grid": _("This grid belongs to another community.")})
        if cleaned.get("clear_id_number") and cleaned.get("new_id_number"):
            self.add_error(
                "clear_id_number", _("Either enter a new ID number or clear the current one, not both.")
            )
        elif community and not cleaned.get("clear_id_number"):
            self._check_id_number_unique(community, cleaned.get("new_id_number"))
        return cleaned

    def _check_id_number_unique(self, community: Community, new_id_number: str | None) -> None:
        """One ID number per community (the database's constraint), said next to the field that
        breaks it: a new ID number, or a move to a community where someone has this one. The other
        resident is not named: only the community chosen is searched, and only that is said."""
        moved = self.instance.pk is not None and community.pk != self.instance.community_id
        if new_id_number:
            field, hmac = "new_id_number", fingerprint(new_id_number)
        elif moved:
            field, hmac = "community", self.instance.id_number_hmac
        else:
            return
        if not hmac:
            return
        if resident_with_id_number(community_id=community.pk, fingerprint=hmac, exclude_pk=self.instance.pk):
            self.add_error(
                field,
                ValidationError(
                    _("Another resident of %(community)s already has this ID number.")
                    % {"community": community.name},
                    code="duplicate",
                ),
            )


@admin.register(Resident)
class ResidentAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    form = ResidentAdminForm
    list_display = [
        "name",
        "masked_phone_column",
        "community",
        "grid",
        "compound",
        "building",
        "room",
        "lives_alone",
    ]
    list_filter = ["community", "grid", "lives_alone", "limited_mobility", "disability", "low_income"]
    search_fields = ["name", "name_pinyin", "compound", "room"]
    list_select_related = ["community", "grid"]
    readonly_fields = ["masked_phone_column", "id_number_masked", "anonymised_at", "created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description=_("mobile phone"))
    def masked_phone_column(self, resident):
        return resident.masked_phone

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checks the ID number (clean); someone may register it between that check and the
        # save. The database refuses, the service says so, the admin's transaction rolls back: say
        # so, not a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if "id_number" not in getattr(error, "error_dict", {}):
                raise
            self.message_user(
                request,
                _("Nothing was saved: another resident of this community got this ID number meanwhile."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def has_change_permission(self, request, obj=None):
        # An anonymised resident stays anonymised (DESIGN §6): the admin shows the record, read-only.
        if obj is not None and obj.anonymised_at:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Through residents.services, like the resident form and the roster import: pinyin readings,
        consent dates and the ID number's encryption are theirs."""
        cleaned = form.cleaned_data
        data = {field: cleaned[field] for field in form.Meta.fields if field in cleaned}
        if cleaned.get("new_phone"):
            data["phone"] = cleaned["new_phone"]
        if cleaned.get("new_id_number"):
            data["id_number"] = cleaned["new_id_number"]
        elif cleaned.get("clear_id_number"):
            data["id_number"] = ""
        saved = resident_admin_save(actor=request.user, resident=obj if change else None, data=data)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(AccessLog)
class AccessLogAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    """Read-only: the log is evidence, kept at least three years (DESIGN §6)."""

    list_display = ["created_at", "actor", "action", "community", "resident", "detail", "row_count"]
    list_filter = ["action", "community"]
    list_select_related = ["actor", "community", "resident"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RosterImport)
class RosterImportAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "community",
        "uploaded_by",
        "status",
        "total_rows",
        "created_count",
    ]
    list_filter = ["status", "community"]
    exclude = ["content"]
    list_select_related = ["community", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from residents.sms import admin as sms_admin  # noqa: E402, F401  (templates, outbox)

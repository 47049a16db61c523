"""Administration of categories (deadlines, SMS, default handlers) and the working-day calendar.

Requests themselves are shown read-only: only the services of requests/services/ change them
(DESIGN §4.1), and no phone number appears here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from requests import clock
from requests.models import CalendarDay, Category, CategoryHandler, RequestEvent, ServiceRequest
from residents.admin_scoping import CommunityScopedAdmin


class CategoryHandlerInline(CommunityScopedAdmin, admin.TabularInline):
    model = CategoryHandler
    extra = 0
    autocomplete_fields = ["community", "user"]


@admin.register(Category)
class CategoryAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    community_path = None  # shared by every community
    list_display = [
        "name_zh",
        "name_en",
        "parent",
        "accept_within",
        "accept_unit",
        "resolve_within",
        "resolve_unit",
        "sms_enabled",
        "handler_rule",
        "is_active",
        "position",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "sms_enabled", "handler_rule"]
    list_select_related = ["parent"]
    search_fields = ["name_zh", "name_en", "code"]
    inlines = [CategoryHandlerInline]
    fieldsets = [
        (None, {"fields": ["code", "name_zh", "name_en", "parent", "is_group", "position", "is_active"]}),
        (_("Deadlines"), {"fields": [("accept_within", "accept_unit"), ("resolve_within", "resolve_unit")]}),
        (_("Handling"), {"fields": ["sms_enabled", "handler_rule"]}),
    ]


@admin.register(CalendarDay)
class CalendarDayAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    community_path = None  # shared by every community
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    # Deadlines read these days through a per-process cache: start afresh after a change here.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clock.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        clock.clear_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        clock.clear_cache()


class RequestEventInline(CommunityScopedAdmin, admin.TabularInline):
    community_path = "request__community"
    model = RequestEvent
    fields = ["created_at", "actor", "by", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(CommunityScopedAdmin, admin.ModelAdmin):
    list_display = ["reference", "community", "category", "status", "outcome", "handler", "logged_at"]
    list_filter = ["community", "status", "outcome", "source"]
    list_select_related = ["community", "category", "category__parent", "handler"]
    search_fields = ["reference", "hotline_reference"]
    date_hierarchy = "logged_at"
    inlines = [RequestEventInline]
    exclude = ["resident", "screening", "desk_session", "grid"]
    readonly_fields = ["resident_name"]

    @admin.display(description=_("resident"))
    def resident_name(self, obj):
        return obj.resident.name if obj.resident_id else _("anonymous")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

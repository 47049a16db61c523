"""Scoping in the Django admin: a per-community administrator sees only their communities.

A superuser sees every community. Any other staff user of the admin (is_staff with model
permissions) sees, in every list, picker, autocomplete and sidebar filter, only the communities
where they are an active administrator, and the people and objects of those. Every ModelAdmin of
the project mixes in `CommunityScopedAdmin` and says where its rows' community is
(`community_path`, or None for reference data shared by all communities).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from residents.models import Community
from residents.roles import Role
from residents.scoping import places


def admin_community_ids(request) -> list[int] | None:
    """The communities this admin user administers; None: all of them (a superuser)."""
    user = request.user
    if user.is_superuser:
        return None
    return sorted(cid for cid, place in places(user).items() if place.role == Role.ADMINISTRATOR)


def community_path_of(model) -> str | None:
    """The path from a model to its community, for the pickers of related objects."""
    if model is Community:
        return "pk"
    if model is get_user_model():
        return "memberships__community"
    names = {field.name for field in model._meta.get_fields()}
    return "community" if "community" in names else None


def limit(queryset: QuerySet, path: str | None, community_ids) -> QuerySet:
    """Rows of `community_ids` only (`path` leads to the community); people through an active
    membership; unchanged when nothing says where the community is."""
    if path is None:
        return queryset
    if path == "memberships__community":
        people = get_user_model().objects.filter(
            memberships__community__in=community_ids, memberships__is_active=True
        )
        return queryset.filter(pk__in=people.values("pk"))
    return queryset.filter(**{f"{path}__in": community_ids})


def members_of(community_ids) -> QuerySet:
    """The people with an active membership in these communities (a team picker's choices)."""
    return limit(get_user_model().objects.all(), "memberships__community", community_ids).order_by(
        "last_name", "first_name", "username"
    )


class CommunityScopedAdmin:
    """Lists, change pages, pickers and sidebar filters limited to the admin user's communities."""

    community_path: str | None = "community"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_community_ids(request)
        return queryset if ids is None else limit(queryset, self.community_path, ids)

    def _scope_choices(self, formfield, request):
        ids = admin_community_ids(request)
        queryset = getattr(formfield, "queryset", None) if formfield is not None else None
        if ids is not None and queryset is not None:
            formfield.queryset = limit(queryset, community_path_of(queryset.model), ids)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scope_choices(formfield, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scope_choices(formfield, request)

    def get_list_filter(self, request):
        """A sidebar filter on a related object lists only those of the admin user's rows."""
        filters = list(super().get_list_filter(request))
        if admin_community_ids(request) is None:
            return filters
        scoped = []
        for entry in filters:
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and community_path_of(field.related_model) is not None:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

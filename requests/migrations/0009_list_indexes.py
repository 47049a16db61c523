"""Indexes for the request list at a million requests (issue 16): a composite index per filter in the
list's order, partial indexes for what My requests shows supervisors and for the overdue filter, and
on PostgreSQL a trigram index on descriptions (their words are searched only when asked). SQLite
keeps the B-tree indexes; the GIN index is PostgreSQL's only.
"""

from django.conf import settings
from django.db import migrations, models


def create_description_trigram(apps, schema_editor):
    # pg_trgm belongs to residents 0002, which created it and drops it on the way back: this one
    # only makes sure of it (a TrigramExtension here would drop it under residents' indexes).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS request_description_trgm "
            "ON requests_servicerequest USING gin (description gin_trgm_ops)"
        )


def drop_description_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS request_description_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("desks", "0005_households"),
        ("requests", "0008_households"),
        ("residents", "0002_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_description_trigram, drop_description_trigram, elidable=False),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                fields=["community", "handler", "-logged_at"], name="request_community_handler"
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["community", "grid", "-logged_at"], name="request_community_grid"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["community", "source", "-logged_at"], name="request_community_source"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("status__in", ["logged", "assigned", "in_progress"])),
                fields=["community", "resolve_due_at"],
                name="request_unresolved_due",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("extension_pending", True)),
                fields=["community", "updated_at"],
                name="request_extension",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("review_pending", True)),
                fields=["community", "rated_at"],
                name="request_review",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("review_pending", False), ("status", "resolved")),
                fields=["community", "resolved_at"],
                name="request_awaiting_visit",
            ),
        ),
    ]

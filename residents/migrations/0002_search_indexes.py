"""Trigram indexes for as-you-type search on PostgreSQL; SQLite keeps its plain indexes.

Search filters with `contains` (LIKE '%…%'), which a B-tree cannot serve: pg_trgm's GIN indexes
can, for queries of three characters or more. The operation is chosen by the database vendor.
"""

from django.db import migrations

COLUMNS = ("name", "name_pinyin", "phone", "compound")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS resident_{column}_trgm "
            f"ON residents_resident USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS resident_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]

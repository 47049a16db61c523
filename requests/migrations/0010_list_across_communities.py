"""The request list of a user of several communities (a street office) is newest first over
community IN (…): a B-tree index on (logged_at, id) descending lets it read the newest rows first
instead of sorting every row of its communities (issue 16)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("requests", "0009_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["-logged_at", "-id"], name="request_logged"),
        ),
    ]

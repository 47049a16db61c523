"""The daily summary gains month and week rows (requests/dashboard/summary.py, SPANS). A summary kept
before has none: forget every community's summary state, so that the dashboard counts live until the next
refresh (hourly, by beat) sums everything again with its span rows."""

from django.db import migrations


def forget_summaries(apps, schema_editor):
    apps.get_model("requests", "DailyFigureState").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("requests", "0013_english_choice_names_capitalised")]

    operations = [migrations.RunPython(forget_summaries, migrations.RunPython.noop)]

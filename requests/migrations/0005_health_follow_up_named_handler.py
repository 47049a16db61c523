"""A flagged screening's follow-up takes the handler its category names, like any other intake:
the health follow-up category's rule becomes *named* (it was *a supervisor assigns*). The standard
categories' English names start with a capital, as names do in English pages."""

from importlib import import_module

from django.db import migrations


def named(apps, schema_editor):
    Category = apps.get_model("requests", "Category")
    Category.objects.filter(code="health_follow_up", handler_rule="none").update(handler_rule="named")
    for row in import_module("requests.migrations.0003_categories").CATEGORIES:
        code, english = row[0], row[3]  # capitalised there now; an administrator's own name stays
        lower = english[0].lower() + english[1:]
        Category.objects.filter(code=code, name_en=lower).update(name_en=english)


def back(apps, schema_editor):
    Category = apps.get_model("requests", "Category")
    Category.objects.filter(code="health_follow_up", handler_rule="named").update(handler_rule="none")


class Migration(migrations.Migration):
    dependencies = [("requests", "0004_dashboard_indexes")]
    operations = [migrations.RunPython(named, back)]

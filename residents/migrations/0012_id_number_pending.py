from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0011_addresses_in_one_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_number_pending",
            field=models.BooleanField(default=False, verbose_name="ID number to be completed"),
        ),
        migrations.AddField(
            model_name="rosterimport",
            name="ids_pending",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="rosterimport",
            name="report",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="[{row, column, reason, message, params, kind, level, resident}]",
            ),
        ),
    ]

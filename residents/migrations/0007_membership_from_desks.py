# Staff membership moved here from desks (DESIGN §3). The table desks_membership, created by
# desks.0001, keeps its name and its rows: this migration only tells Django's state that
# residents owns it now (after desks.0004 let go of it), and moves the content type so existing
# admin permissions and log entries follow the model.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=target, model="membership").exists():
        return  # already there (a database that ran post_migrate in between): leave both alone
    ContentType.objects.using(db).filter(app_label=source, model="membership").update(app_label=target)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="desks", target="residents")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="residents", target="desks")


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0006_grid_order_as_set_up"),
        ("desks", "0004_membership_moved_to_residents"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("volunteer", "volunteer"),
                                    ("desk_staff", "desk staff"),
                                    ("grid_worker", "grid worker"),
                                    ("supervisor", "supervisor"),
                                    ("administrator", "administrator"),
                                ],
                                max_length=20,
                                verbose_name="role",
                            ),
                        ),
                        (
                            "staff_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="staff phone"),
                        ),
                        (
                            "wants_sms_reminders",
                            models.BooleanField(default=False, verbose_name="SMS reminders"),
                        ),
                        (
                            "health_permission",
                            models.BooleanField(
                                default=False,
                                help_text="Volunteers, desk staff and grid workers need this to record or read screenings.",
                                verbose_name="may record health screenings",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="residents.community",
                                verbose_name="community",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "staff membership",
                        "verbose_name_plural": "staff memberships",
                        "db_table": "desks_membership",
                        "ordering": ["community", "role", "user"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "community"), name="membership_unique_user_community"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

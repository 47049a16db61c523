# Staff membership moved to residents (DESIGN §3). Only Django's state changes here: the table
# desks_membership stays where it is, with its rows; residents.0007 takes the model over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("desks", "0003_session_closed_automatically"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]

from django.db import migrations


def reread_names(apps, schema_editor):
    """Every resident's pinyin in its new form (residents/pinyin.py): whole syllables plus the
    surname alone, abbreviations marked with ":" and surname + initials (:zengxm) added, cut to the
    column's 400 characters. Anonymised residents keep an empty reading."""
    from residents.pinyin import name_readings

    Resident = apps.get_model("residents", "Resident")
    changed = []
    rows = Resident.objects.filter(anonymised_at__isnull=True).only("pk", "name", "name_pinyin")
    for resident in rows.order_by("pk").iterator(chunk_size=2000):
        reading = name_readings(resident.name)
        if reading != resident.name_pinyin:
            resident.name_pinyin = reading
            changed.append(resident)
        if len(changed) >= 2000:
            Resident.objects.bulk_update(changed, ["name_pinyin"], batch_size=500)
            changed = []
    Resident.objects.bulk_update(changed, ["name_pinyin"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("residents", "0012_id_number_pending")]

    operations = [migrations.RunPython(reread_names, migrations.RunPython.noop, elidable=True)]

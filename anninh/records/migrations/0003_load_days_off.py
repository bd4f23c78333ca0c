from django.db import migrations


def load(apps, schema_editor):
    from anninh.records.reference import days_off_load

    days_off_load(apps.get_model("records", "DayOff"))


class Migration(migrations.Migration):
    dependencies = [("records", "0002_load_offences")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def load(apps, schema_editor):
    from anninh.records.offences import offences_load

    offences_load(apps.get_model("records", "Offence"))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""The command log refuses UPDATE and DELETE in the database (anninh.events.append_only)."""

from django.db import migrations


def install(apps, schema_editor):
    from anninh.events import append_only

    append_only.run(append_only.INSTALL, schema_editor.connection)


def uninstall(apps, schema_editor):
    from anninh.events import append_only

    append_only.run(append_only.UNINSTALL, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]

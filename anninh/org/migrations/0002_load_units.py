"""Data migration: seed the City Police, its departments and the 114 commune police units.

Same loader as `manage.py load_units`, with the migration's historical models. Runs after the
communes are loaded (geo/0002), since each commune police unit points at its commune.
"""

from django.db import migrations


def load(apps, schema_editor):
    from anninh.org.services import load_units

    load_units(
        apps.get_model("org", "Unit"),
        apps.get_model("geo", "Commune"),
        audit=False,
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("geo", "0002_load_communes"),
    ]

    operations = [
        # Reversing leaves the rows: the schema migration before this one drops the table.
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]

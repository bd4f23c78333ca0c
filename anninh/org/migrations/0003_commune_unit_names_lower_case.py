"""Data migration: commune police units keep the generic word in lower case
("Công an phường Hồng Bàng", not "Công an Phường Hồng Bàng"), as Vietnamese administrative
usage writes a unit's name. Re-runs the seed loader, which rewrites the seeded fields (name,
short name, search keys) of the seeded codes and leaves every other row alone."""

from django.db import migrations


def rename(apps, schema_editor):
    from anninh.org.services import load_units

    load_units(
        apps.get_model("org", "Unit"),
        apps.get_model("geo", "Commune"),
        audit=False,
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_load_units"),
    ]

    operations = [
        # Reversing keeps the new names (the old capitalisation was a mistake, not data).
        migrations.RunPython(rename, migrations.RunPython.noop, elidable=True),
    ]

"""Data migration: load the 114 commune-level units of Hai Phong (from anninh/geo/data).

Every fresh database, test databases included, gets the communes. The loader is the same one
`manage.py load_geography` runs; it takes the migration's historical model.
"""

from django.db import migrations


def load(apps, schema_editor):
    from anninh.geo.services import load_communes

    Commune = apps.get_model("geo", "Commune")
    load_communes(Commune, audit=False, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: the schema migration before this one drops the table.
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]

from django.db import migrations


def load(apps, schema_editor):
    from anninh.requests.catalogue import catalogue_load

    catalogue_load(
        apps.get_model("requests", "Service"),
        apps.get_model("requests", "RouteRule"),
        apps.get_model("requests", "AnswerTemplate"),
        apps.get_model("org", "Unit"),
    )


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

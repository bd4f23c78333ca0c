"""Create the chain head (pk=1, genesis hash) once, here, so that concurrent first writers on
PostgreSQL only ever lock an existing row and never race on get_or_create."""

from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    if AuditEvent.objects.using(db).exists():
        raise RuntimeError("audit rows exist without a chain head; refusing to start a new chain over them")
    AuditChainHead.objects.using(db).get_or_create(
        pk=1, defaults={"last_event_id": None, "last_hash": GENESIS, "count": 0}
    )


def remove_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).filter(pk=1, count=0).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_head, remove_head)]

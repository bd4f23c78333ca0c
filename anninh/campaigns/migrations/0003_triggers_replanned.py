"""PostgreSQL: the statement triggers' functions replaced by today's, whose statements run
static for one row and through EXECUTE for more, so a bulk write is planned for its
transition tables' sizes (a plan kept from a session's first, one-row call made a later bulk
write run for hours; see anninh/lib/pgsql.py). Same results, so nothing is recomputed.
SQLite has no such functions."""

from django.db import migrations


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from anninh.campaigns.offenders import PG_FUNCTIONS

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PG_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_cleared_suspects")]

    operations = [migrations.RunPython(replace_functions, migrations.RunPython.noop, elidable=True)]

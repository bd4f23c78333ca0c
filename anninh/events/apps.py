from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "anninh.events"
    label = "events"
    verbose_name = _("Event security")

    def ready(self) -> None:
        from anninh.events import append_only

        append_only.open_sqlite_flush()
        # SQLite drops a table's triggers when a migration rebuilds it: put them back after
        # every migrate run (as records' and compstat's triggers are).
        post_migrate.connect(append_only.ensure_installed, sender=self, dispatch_uid="events_log_append_only")

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import pgettext_lazy


class RecordsConfig(AppConfig):
    name = "anninh.records"
    label = "records"
    verbose_name = pgettext_lazy("admin section", "Records")

    def ready(self):
        from anninh.records import (
            checks,  # noqa: F401 - registers the system checks
            occurrence,
        )

        # Once per migrate run (sender = this app), after every app's migrations.
        pre_migrate.connect(
            occurrence.drop_before_migrate, sender=self, dispatch_uid="records_case_occurred_pre"
        )
        post_migrate.connect(occurrence.ensure_installed, sender=self, dispatch_uid="records_case_occurred")

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class CompstatConfig(AppConfig):
    name = "anninh.compstat"
    label = "compstat"
    verbose_name = _("CompStat")

    def ready(self) -> None:
        from anninh.compstat import aggregates

        # Once per migrate run (sender = this app), before and after every app's migrations.
        pre_migrate.connect(
            aggregates.drop_before_migrate, sender=self, dispatch_uid="compstat_aggregates_pre"
        )
        post_migrate.connect(aggregates.ensure_installed, sender=self, dispatch_uid="compstat_aggregates")

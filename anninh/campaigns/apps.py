from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "anninh.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from anninh.campaigns import offenders

        # Once per migrate run (sender = this app), before and after every app's migrations.
        pre_migrate.connect(
            offenders.drop_before_migrate, sender=self, dispatch_uid="campaigns_offenders_pre"
        )
        post_migrate.connect(offenders.ensure_installed, sender=self, dispatch_uid="campaigns_offenders")

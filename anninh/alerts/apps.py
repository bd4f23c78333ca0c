from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "anninh.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self):
        # The records never import the early warning: they announce a collector account's
        # change after commit, and the fraud rule is re-run for it (a task: a worker in
        # production, inline with the immediate backend).
        from anninh.records.services.report_collector import collector_account_changed

        collector_account_changed.connect(_collector_changed, dispatch_uid="alerts_collector_changed")


def _collector_changed(sender, *, report_id: int, before: str, after: str, **kwargs) -> None:
    from anninh.alerts.tasks import alerts_fraud_task

    alerts_fraud_task.enqueue(report_id=report_id, before=before, after=after)

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RecordsConfig(AppConfig):
    name = "anninh.records"
    label = "records"
    verbose_name = pgettext_lazy("admin section", "Records")

    def ready(self):
        from anninh.records import checks  # noqa: F401 - registers the system checks

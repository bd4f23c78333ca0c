from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "anninh.records"
    label = "records"

    def ready(self):
        from anninh.records import checks  # noqa: F401 - registers the system checks

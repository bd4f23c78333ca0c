from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "anninh.records"
    label = "records"

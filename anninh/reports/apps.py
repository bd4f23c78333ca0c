from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "anninh.reports"
    label = "reports"

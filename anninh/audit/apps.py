from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "anninh.audit"
    label = "audit"

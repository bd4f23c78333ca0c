from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "anninh.org"
    label = "org"

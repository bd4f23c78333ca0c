from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "anninh.patrols"
    label = "patrols"

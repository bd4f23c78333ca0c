from django.apps import AppConfig


class HotspotsConfig(AppConfig):
    name = "anninh.hotspots"
    label = "hotspots"

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anninh.web"
    label = "web"

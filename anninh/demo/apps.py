from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "anninh.demo"
    label = "demo"

from django.apps import AppConfig


class CompstatConfig(AppConfig):
    name = "anninh.compstat"
    label = "compstat"

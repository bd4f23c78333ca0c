from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "anninh.field"
    label = "field"
    verbose_name = _("Patrols in the field")

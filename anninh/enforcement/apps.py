from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "anninh.enforcement"
    label = "enforcement"
    verbose_name = _("Arrests and wanted persons")

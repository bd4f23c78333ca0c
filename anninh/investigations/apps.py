from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "anninh.investigations"
    verbose_name = _("Investigations")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilDefenceConfig(AppConfig):
    name = "anninh.civildefence"
    label = "civildefence"
    verbose_name = _("Civil defence")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "anninh.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anninh.geo.models import Commune

        # Any change to a commune outdates the in-memory lookup index and map layer.
        post_save.connect(_invalidate, sender=Commune, dispatch_uid="geo_commune_saved")
        post_delete.connect(_invalidate, sender=Commune, dispatch_uid="geo_commune_deleted")


def _invalidate(**kwargs) -> None:
    from anninh.geo import lookup

    lookup.invalidate()

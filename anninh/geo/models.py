"""Geography of Hai Phong: the 114 commune-level units (since 1 July 2025).

Every place in the platform is keyed on the 5-digit NSO commune code. Boundaries come from
simplified polygons (see anninh/geo/data/SOURCES.md): fit for maps and analysis, not for
legal boundaries.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CommuneKind(models.TextChoices):
    WARD = "phuong", _("Ward (phường)")
    COMMUNE = "xa", _("Commune (xã)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class Commune(models.Model):
    code = models.CharField(_("NSO code"), max_length=5, primary_key=True)
    kind = models.CharField(_("type"), max_length=10, choices=CommuneKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_ascii = models.CharField(_("name without diacritics"), max_length=100)
    search_key = models.CharField(_("search key"), max_length=120, db_index=True)
    # Vietnamese order of the proper name, as a string (anninh.geo.collation.name_sort_key).
    sort_key = models.CharField(max_length=400, db_index=True, editable=False)
    former_province = models.CharField(_("former province"), max_length=100, blank=True)
    former_district = models.CharField(_("former district (legacy)"), max_length=200, blank=True)
    area_km2 = models.FloatField(_("area (km²)"))
    population = models.PositiveIntegerField(_("population"))
    # GeoJSON geometry (MultiPolygon, lon/lat) after repair; kept as JSON so SQLite needs no
    # spatial extension. Lookups use an in-memory index (anninh.geo.lookup).
    boundary = models.JSONField(_("boundary"))
    centroid_lat = models.FloatField(_("centre latitude"))
    centroid_lon = models.FloatField(_("centre longitude"))
    # A point guaranteed to lie inside the unit (a centroid may fall outside a concave unit).
    point_lat = models.FloatField(_("representative point latitude"))
    point_lon = models.FloatField(_("representative point longitude"))
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["sort_key", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("geo:commune_detail", args=[self.code])

    @property
    def density(self) -> float | None:
        """People per km² (from the official area and population)."""
        return self.population / self.area_km2 if self.area_km2 else None


class LandmarkKind(models.TextChoices):
    LANDMARK = "landmark", _("Landmark")
    STREET = "street", _("Street")


class Landmark(models.Model):
    """A named place people on the street know (a market, a bridge, a school, a point on a
    street), to name forecast cells and patrol assignments by ("120 m north of Chợ Sắt").
    Reference data a deployment loads from its own gazetteer (`manage.py load_landmarks`,
    e.g. an OpenStreetMap extract): anninh ships none, so labels fall back to checkpoint
    sites and the commune's centre."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=LandmarkKind.choices, default=LandmarkKind.LANDMARK
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("landmark")
        verbose_name_plural = _("landmarks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "lat", "lon"], name="geo_landmark_unique_place"),
        ]
        indexes = [models.Index(fields=["commune"], name="geo_landmark_commune")]

    def __str__(self) -> str:
        return self.name

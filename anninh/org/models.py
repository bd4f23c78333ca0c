"""The police organisation as data: units with codes, parents and validity periods.

Units are never enums: departments are reorganised and renamed, so a unit has a validity
window and history is kept by closing one row and opening another.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anninh.geo.collation import name_sort_key
from anninh.lib.text import fold


class UnitKind(models.TextChoices):
    CITY = "city", _("City police")
    DEPARTMENT = "department", _("Department")
    COMMUNE = "commune", _("Commune police")


class UnitQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    commune = models.ForeignKey(
        "geo.Commune",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="police_units",
    )
    valid_from = models.DateField(_("valid from"), default=dt.date(2025, 7, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Officers on the unit's strength (its headcount), for per-officer figures (campaigns).
    # Empty when not recorded: figures per officer are then shown as not available.
    officers = models.PositiveIntegerField(_("officers (headcount)"), null=True, blank=True)
    # Derived on save (see `unit_keys`): Vietnamese order of the name, and the folded search key.
    sort_key = models.CharField(max_length=400, db_index=True, editable=False, blank=True)
    search_key = models.CharField(max_length=600, editable=False, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["kind", "sort_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="org_unit_code_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_unit_valid_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.short_name or self.name}"

    def save(self, *args, **kwargs):
        self.sort_key, self.search_key = unit_keys(self.code, self.name, self.short_name, self.name_en)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "sort_key", "search_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("org:unit_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == UnitKind.COMMUNE and not self.commune_id:
            errors["commune"] = _("A commune police unit needs its commune (territory).")
        if self.kind != UnitKind.COMMUNE and self.commune_id:
            errors["commune"] = _("Only commune police units have a territory.")
        if self.kind == UnitKind.CITY and self.parent_id:
            errors["parent"] = _("The city police has no parent unit.")
        if self.kind != UnitKind.CITY and not self.parent_id:
            errors["parent"] = _("Every unit below the city police needs a parent unit.")
        if self.parent_id and self.pk:
            seen, node = set(), self.parent
            while node is not None and node.pk not in seen:
                if node.pk == self.pk:
                    errors["parent"] = _("A unit cannot report to itself or to a unit below it.")
                    break
                seen.add(node.pk)
                node = node.parent
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, on: dt.date | None = None) -> bool:
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


def unit_keys(code: str, name: str, short_name: str = "", name_en: str = "") -> tuple[str, str]:
    """(sort_key, search_key) of a unit. Also used by the loader, whose migration-time model
    has no custom save()."""
    search = " ".join(fold(part) for part in (code, name, short_name, name_en) if part)
    return name_sort_key(name), search[:600]

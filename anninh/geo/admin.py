"""Communes in the Django admin: read-only (the loader owns them; see load_geography)."""

from __future__ import annotations

from django.contrib import admin

from anninh.audit.admin_mixins import AuditedAdminMixin
from anninh.geo.models import Commune, Landmark
from anninh.lib.text import fold


@admin.register(Commune)
class CommuneAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "former_district", "area_km2", "population")
    list_filter = ("kind", "former_province")
    search_fields = ("code", "name", "name_ascii", "search_key")
    ordering = ("sort_key", "code")
    fields = (
        "code",
        "kind",
        "name",
        "name_ascii",
        "former_province",
        "former_district",
        "area_km2",
        "population",
        "centroid_lat",
        "centroid_lon",
        "point_lat",
        "point_lon",
    )
    readonly_fields = fields
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # Folded search too: "hong bang" finds "Phường Hồng Bàng".
        base = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term or "")
        if folded:
            extra = base
            for word in folded.split():
                extra = extra.filter(search_key__contains=word)
            queryset = queryset | extra
        return queryset, may_have_duplicates

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Landmark)
class LandmarkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The gazetteer: loaded with `manage.py load_landmarks`, corrected here."""

    list_display = ("name", "kind", "commune", "lat", "lon", "source")
    list_filter = ("kind",)
    search_fields = ("name", "source")
    autocomplete_fields = ()
    raw_id_fields = ("commune",)

"""Police units in the Django admin: administrators edit them here, and every save or delete
writes an audit row in the same transaction (AuditedAdminMixin)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from anninh.audit.admin_mixins import AuditedAdminMixin
from anninh.lib.text import fold
from anninh.org.models import Unit


class ActiveListFilter(admin.SimpleListFilter):
    title = _("active today")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Active")), ("no", _("Not active"))]

    def queryset(self, request, queryset):
        active = Unit.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "parent", "commune", "valid_from", "valid_to")
    list_filter = ("kind", ActiveListFilter, "valid_from", "valid_to")
    list_select_related = ("parent", "commune")
    search_fields = ("code", "name", "name_en", "short_name", "search_key")
    autocomplete_fields = ("parent", "commune")
    ordering = ("kind", "sort_key", "code")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "short_name", "kind")}),
        (_("Place in the force"), {"fields": ("parent", "commune", "officers")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to")}),
    )

    def get_search_results(self, request, queryset, search_term):
        # Folded search too: "cong an hong bang" finds "Công an phường Hồng Bàng".
        base = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term or "")
        if folded:
            extra = base
            for word in folded.split():
                extra = extra.filter(search_key__contains=word)
            queryset = queryset | extra
        return queryset, may_have_duplicates

"""Records in the Django admin, read-mostly.

- Offences and days off are reference data the administrators maintain (a new law version, next
  year's holidays): editable, every change audited; never deleted (records point at them).
- Persons and crime reports are written only through their services (register numbers, the
  clock, the person index): the admin shows them read-only, without personal data (no names,
  identity numbers, phones, reporters or summaries), since administrators do not hold a
  personal-data role.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from anninh.audit.admin_mixins import AuditedAdminMixin
from anninh.lib.text import fold
from anninh.records.models import CrimeReport, DayOff, Offence, Person
from anninh.records.services.clock import reports_reclock


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Offence)
class OffenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("article", "name", "chapter", "group", "law_version", "valid_from", "valid_to")
    list_filter = ("chapter", "group", "law_version")
    search_fields = ("article", "name", "name_en", "search_key")
    ordering = ("article", "-valid_from")
    fields = (
        "article",
        "name",
        "name_en",
        "chapter",
        "group",
        "handling_unit_code",
        "threshold_vnd",
        "victim_request_clause1",
        "law_version",
        "valid_from",
        "valid_to",
    )

    def save_model(self, request, obj, form, change):
        obj.search_key = fold(f"{obj.article} {obj.name} {obj.name_en}")[:400]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DayOff)
class DayOffAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "name")
    ordering = ("-date",)
    date_hierarchy = "date"
    search_fields = ("name",)

    # A changed table changes the deadlines: recompute the open reports' due dates (audited,
    # in the same transaction as the change).
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            reports_reclock(actor=request.user, reason="days_off_changed")

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            reports_reclock(actor=request.user, reason="days_off_changed")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                super().delete_model(request, obj)
            reports_reclock(actor=request.user, reason="days_off_changed")


class _Masked:
    """A person as the admin templates may show it: every attribute but the name."""

    def __init__(self, obj, label: str):
        self._obj, self._label = obj, label

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return self._label


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Counts and housekeeping only: the person index is read on its own (audited) pages, so
    the admin never shows a name (not even in titles) and has no history view."""

    list_display = ("id", "version", "created_at", "updated_at")
    fields = ("version", "created_at", "updated_at")
    readonly_fields = fields
    ordering = ("-id",)
    show_full_result_count = False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            label = _("Person #%(id)s") % {"id": obj.pk}
            context.update(subtitle=label, original=_Masked(obj, label))
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def history_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(CrimeReport)
class CrimeReportAdmin(ReadOnlyAdmin):
    list_display = ("register_number", "received_at", "kind", "channel", "status", "handling_unit", "due_on")
    list_filter = ("status", "kind", "channel", "register_year")
    search_fields = ("register_number",)
    ordering = ("-received_at",)
    list_select_related = ("handling_unit",)
    fields = (
        "register_number",
        "register_year",
        "register_seq",
        "receiving_unit",
        "handling_unit",
        "transfer_to",
        "kind",
        "channel",
        "received_at",
        "commune",
        "suspected_offence",
        "status",
        "due_on",
        "extended",
        "procuracy_extended",
        "decided_on",
        "decided_within_deadline",
        "reporter_notified_on",
        "procuracy_notified_on",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    show_full_result_count = False

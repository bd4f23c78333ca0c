"""The audit log in the Django admin: read-only, and for administrators only (auditors read
it on their own page, /audit/). Nobody can add, change or delete a row here. Administrators
hold no personal-data role: an opened row shows keyed hashes instead of personal values
(anninh.audit.masking)."""

from __future__ import annotations

from django.contrib import admin

from anninh.accounts.roles import Role
from anninh.audit.masking import mask_event
from anninh.audit.models import AuditEvent
from anninh.audit.services import audit_log_viewed


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "at",
        "actor_username",
        "actor_unit_code",
        "action",
        "object_type",
        "object_id",
        "client_ip",
    )
    list_filter = ("action",)
    search_fields = ("=actor_username", "=object_id")
    ordering = ("-id",)
    list_per_page = 50
    # A count(*) over millions of rows on every page is not worth it.
    show_full_result_count = False
    actions = None
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        # The administrator role, as the admin's gate (anninh.accounts.admin) decides: not
        # is_staff, not is_superuser.
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR))

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        return mask_event(event, viewer=request.user) if event is not None else None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            audit_log_viewed(actor=request.user, filters=dict(request.GET.items()), via="admin")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            event = self.get_object(request, object_id)
            if event is not None:
                audit_log_viewed(actor=request.user, event=event, via="admin")
        return response

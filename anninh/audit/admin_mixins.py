"""Django admin edits go through the audit trail too (admin bypasses our services)."""

from __future__ import annotations

from django.db import transaction

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot


class AuditedAdminMixin:
    """Mixin for ModelAdmin: every save and delete writes its audit row in the same
    transaction, with before/after snapshots. Fields listed in `audit_exclude` (e.g.
    password hashes) are left out of snapshots."""

    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change and obj.pk is not None:
                old = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = snapshot(old, exclude=self.audit_exclude) if old is not None else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                target=obj,
                before=before,
                after=snapshot(obj, exclude=self.audit_exclude),
                extra={"via": "admin"},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = snapshot(obj, exclude=self.audit_exclude)
            pk, text, model = obj.pk, str(obj), obj._meta
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action=AuditAction.DELETE,
                object_type=f"{model.app_label}.{model.model_name}",
                object_id=pk,
                object_repr=text,
                before=before,
                extra={"via": "admin"},
            )

    def delete_queryset(self, request, queryset):
        # One audited delete per row, so bulk deletion in the admin leaves a full trail.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

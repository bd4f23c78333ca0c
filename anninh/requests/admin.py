"""Administrators edit the catalogue of services, the routing rules, the answer templates and
the Open311 clients (keys are made by `manage.py open311_client_create`). Requests themselves
are never edited here: their personal data stays behind the staff pages' scope."""

from django.contrib import admin

from anninh import pagecache
from anninh.audit.admin_mixins import AuditedAdminMixin
from anninh.requests.models import AnswerTemplate, Open311Client, RouteRule, Service


@admin.register(Service)
class ServiceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_vi", "group", "answer_days", "may_become_crime_report", "listed", "active")
    list_filter = ("group", "active")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Open311 GET shows the catalogue and each request's service name.
        pagecache.bump(pagecache.SERVICES, pagecache.REQUESTS)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.bump(pagecache.SERVICES, pagecache.REQUESTS)


@admin.register(RouteRule)
class RouteRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("service", "commune", "unit")
    list_filter = ("service",)
    raw_id_fields = ("commune", "unit")


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "service")


@admin.register(Open311Client)
class Open311ClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "active", "created_at")
    readonly_fields = ("created_at",)
    audit_exclude = ("key_hash",)

"""User administration in the Django admin, and the admin's gate.

The admin is reachable only by users holding the administrator role (the role is the one
source of truth; `is_staff` plays no part). Signing in to the admin goes through our login
page, so the lockout and the second factor apply. Every change is audited: user rows by
AuditedAdminMixin (the password hash is never in a snapshot), role changes and password
resets here.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anninh.accounts import services, views
from anninh.accounts.models import APIToken, RoleAssignment, User
from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.accounts.text import fold
from anninh.audit.admin_mixins import AuditedAdminMixin
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record

# ---- the gate ------------------------------------------------------------------------------


def admin_has_permission(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR))


def _guarded_admin_view(original):
    def admin_view(view, cacheable=False):
        inner = original(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not admin_has_permission(request):
                audit_denied(request, reason="role")
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    return admin_view


def install_admin_gate(site: admin.AdminSite) -> None:
    """Administrators only; sign-in, sign-out and password change through our pages."""
    if getattr(site, "_anninh_gate", False):
        return
    site.has_permission = admin_has_permission
    site.admin_view = _guarded_admin_view(site.admin_view)
    site.login = views.admin_login
    site.logout = views.logout_view
    site.password_change = views.admin_password_change
    site._anninh_gate = True


install_admin_gate(admin.site)


# ---- users -----------------------------------------------------------------------------------


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    fields = ("role", "granted_at")
    readonly_fields = ("granted_at",)
    verbose_name = _("role")
    verbose_name_plural = _("roles")


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_exclude = ("password",)
    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "unit", "role_list", "is_active", "last_login")
    list_filter = (("unit", admin.RelatedOnlyFieldListFilter), "role_assignments__role", "is_active")
    list_select_related = ("unit",)
    search_fields = ("username", "search_key")
    search_help_text = _("Search by user name or full name, with or without diacritics.")
    ordering = ("username",)
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "rank", "unit", "language")}),
        (_("Access"), {"fields": ("is_active", "personal_data_granted")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    add_form = UserCreationForm  # a password is always required: there is no other way in
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(Role(r).label) for r in sorted(obj.roles))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            from anninh.org.models import Unit

            kwargs["queryset"] = Unit.objects.active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))

    def save_related(self, request, form, formsets, change):
        """Role changes made in the inline get their own audit row (before/after roles)."""
        user = form.instance
        before = sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        super().save_related(request, form, formsets, change)
        after = sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user.forget_cached_roles()
        if before != after:
            audit_record(
                actor=request.user,
                action=AuditAction.UPDATE,
                target=user,
                before={"roles": before},
                after={"roles": after},
                extra={"field": "roles", "via": "admin"},
            )

    def user_change_password(self, request, id, form_url=""):
        """Setting another user's password in the admin is audited (without the password) and
        revokes that user's API tokens."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and isinstance(response, HttpResponseRedirect):
                user = self.get_object(request, id)
                if user is not None:
                    audit_record(
                        actor=request.user,
                        action=AuditAction.UPDATE,
                        target=user,
                        extra={"field": "password", "via": "admin"},
                    )
                    # The user's tokens go with the old password (a reset often means the
                    # account was in the wrong hands).
                    services.api_tokens_revoke_all(actor=request.user, user=user, reason="password_reset")
        return response

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        done = sum(services.two_factor_reset(actor=request.user, user=user) for user in queryset)
        messages.success(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)d user.",
                "Two-factor authentication was reset for %(count)d users.",
                done,
            )
            % {"count": done},
        )


@admin.register(APIToken)
class APITokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_exclude = ("hashed_secret",)
    list_display = (
        "name",
        "prefix",
        "user",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("scope", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__search_key")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("hashed_secret",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, who alone sees the secret

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The selected tokens were revoked."))

"""Users of the platform: every user belongs to a police unit and holds one or more roles.

Also the two credentials besides the password: an authenticator (TOTP) device and personal
API tokens. Neither secret is ever stored in the clear: the TOTP seed is sealed (encrypted,
see anninh.accounts.crypto) and an API token is kept only as the SHA-256 of its secret.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.text import fold


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("police unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    rank = models.CharField(_("rank"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    # Analysts see personal data only when a commander grants it (need-to-know).
    personal_data_granted = models.BooleanField(_("personal data granted"), default=False)
    # The unit's leader: approves the records of their unit (review workflow).
    is_supervisor = models.BooleanField(_("unit supervisor"), default=False)
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)
    # Full name and user name folded (lower case, no diacritics) for search.
    search_key = models.CharField(_("search key"), max_length=310, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.full_name} {self.username}")[:310]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "username"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def roles(self) -> frozenset[str]:
        """The user's role codes, loaded once per request (prefetch-friendly)."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if self.pk is None:
                cached = frozenset()
            else:
                cached = frozenset(r.role for r in self.role_assignments.all())
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def forget_cached_roles(self) -> None:
        """Drop the per-object caches after the user's roles changed."""
        for attr in ("_roles_cache", "_scope_cache"):
            self.__dict__.pop(attr, None)
        prefetched = getattr(self, "_prefetched_objects_cache", None)
        if prefetched:
            prefetched.pop("role_assignments", None)

    # Administrators run the Django admin: inside it they hold every model permission.
    # (Apps keep personal data out of the admin, or restrict their ModelAdmin further.)
    def has_perm(self, perm, obj=None) -> bool:
        if self.is_active and self.has_role(Role.ADMINISTRATOR):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.has_role(Role.ADMINISTRATOR):
            return True
        return super().has_module_perms(app_label)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="accounts_user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        """A business account never holds a staff role, and a staff account never becomes a
        business account: checked here, under every way of granting a role (services, the
        admin's inline, the shell). The transaction around the grant rolls it back."""
        from django.core.exceptions import ValidationError

        others = set(
            RoleAssignment.objects.filter(user_id=self.user_id)
            .exclude(pk=self.pk)
            .values_list("role", flat=True)
        )
        if self.role == Role.BUSINESS:
            mixed = bool(others - {Role.BUSINESS})
        else:
            mixed = Role.BUSINESS in others or _speaks_for_a_business(self.user_id)
        if mixed:
            raise ValidationError(
                _("A business account holds the business role only; it can never hold a staff role."),
                code="business_role_mixed",
            )
        super().save(*args, **kwargs)


def _speaks_for_a_business(user_id) -> bool:
    """The user is linked to a business (anninh.business), whatever roles it holds now."""
    from django.apps import apps

    if not apps.is_installed("anninh.business"):
        return False
    return apps.get_model("business", "BusinessAccount").objects.filter(user_id=user_id).exists()


class TOTPDevice(models.Model):
    """A user's authenticator app. Unconfirmed while setup is in progress; the seed is shown
    only then, and never again once a code has confirmed it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    sealed_secret = models.CharField(max_length=300, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The last 30-second time step accepted: a code is never accepted twice.
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"{self.user} · TOTP"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class APITokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class APIToken(models.Model):
    """A personal token for the HTTP API (`Authorization: Bearer <token>`). Only the SHA-256
    of the token is stored; the token itself is shown once, when it is created.

    A token reads only (GET, HEAD, OPTIONS) unless made read-write; it expires (at most
    API_TOKEN_MAX_DAYS after creation) and is revoked when its owner's password changes."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = APITokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

"""Writes on accounts: users, roles, passwords, authenticators and API tokens.

Each service checks that the actor may do it, runs in one transaction and writes its audit
row inside it. Secrets never reach an audit row: snapshots leave out the password hash, the
sealed TOTP seed and the token hash.

Management commands act as `SystemActor` (an operator with shell access to the server);
web views pass `request.user`. Anything else, including None, is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts import twofactor
from anninh.accounts.models import APIToken, RoleAssignment, TOTPDevice, User
from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot

USER_SECRET_FIELDS = ("password",)
DEVICE_SECRET_FIELDS = ("sealed_secret", "last_used_step")
TOKEN_SECRET_FIELDS = ("hashed_secret",)

TOKEN_HARD_MAX_DAYS = 365  # whatever ANNINH_API_TOKEN_MAX_DAYS says, a token lives at most a year
TOKEN_PREFIX = "anh"  # noqa: S105 - the public marker in front of every token, not a secret
PENDING_SEED_MINUTES = 10  # an unconfirmed seed older than this is replaced by a fresh one


@dataclass(frozen=True)
class SystemActor:
    """An operator at the server's command line (management commands)."""

    command: str
    is_authenticated = False
    pk = None

    @property
    def username(self) -> str:
        return f"system:{self.command}"


def _audit(actor, **kwargs):
    if isinstance(actor, SystemActor):
        return audit_record(actor=None, username=actor.username, **kwargs)
    return audit_record(actor=actor, **kwargs)


def _is_user(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated and actor.is_active


def _refuse(actor, what: str):
    if _is_user(actor):
        audit_denied(actor, reason="role", object_type="accounts.user", path=f"service:{what}")
    raise PermissionDenied(what)


def _require_administrator(actor, what: str) -> None:
    if isinstance(actor, SystemActor):
        return
    if not (_is_user(actor) and actor.has_role(Role.ADMINISTRATOR)):
        _refuse(actor, what)


def _require_self(actor, user: User, what: str) -> None:
    if not (_is_user(actor) and actor.pk == user.pk):
        _refuse(actor, what)


def _clean_roles(roles) -> list[str]:
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError(
            _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}, code="role_unknown"
        )
    roles = sorted(set(roles))
    if Role.BUSINESS in roles and len(roles) > 1:
        raise ValidationError(
            _("A business account holds the business role only; it can never hold a staff role."),
            code="business_role_mixed",
        )
    return roles


# ---- users and roles ---------------------------------------------------------------------


def user_create(*, actor, username: str, full_name: str, unit, roles, password: str, **fields) -> User:
    """Create an active user in `unit` with `roles`. Administrators only."""
    _require_administrator(actor, "user_create")
    roles = _clean_roles(roles)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A user with that username already exists."), code="username_taken")
    candidate = User(username=username, full_name=full_name, unit=unit, **fields)
    validate_password(password, candidate)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, full_name=full_name, unit=unit, **fields
        )
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role)
        user.forget_cached_roles()
        _audit(
            actor,
            action=AuditAction.CREATE,
            target=user,
            after={**snapshot(user, exclude=USER_SECRET_FIELDS), "roles": roles},
        )
    return user


def user_set_roles(*, actor, user: User, roles) -> User:
    """Replace the user's roles. Administrators only; the last active administrator keeps
    that role (otherwise nobody could manage accounts any more)."""
    _require_administrator(actor, "user_set_roles")
    wanted = _clean_roles(roles)
    with transaction.atomic():
        current = sorted(
            RoleAssignment.objects.select_for_update().filter(user=user).values_list("role", flat=True)
        )
        if Role.ADMINISTRATOR in current and Role.ADMINISTRATOR not in wanted:
            others = (
                RoleAssignment.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True)
                .exclude(user=user)
                .exists()
            )
            if not others:
                raise ValidationError(
                    _("This is the last administrator; appoint another one first."), code="last_administrator"
                )
        if current == wanted:
            return user
        if (Role.BUSINESS in current) != (Role.BUSINESS in wanted):
            # A business account stays one (disable it instead); a staff account never
            # becomes one (business accounts are made by anninh.business.services).
            raise ValidationError(
                _("A business account holds the business role only; it can never hold a staff role."),
                code="business_role_mixed",
            )
        RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
        for role in set(wanted) - set(current):
            RoleAssignment.objects.create(user=user, role=role)
        user.forget_cached_roles()
        _audit(
            actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": current},
            after={"roles": wanted},
            extra={"field": "roles"},
        )
    return user


def password_change(*, actor, user: User, new_password: str) -> None:
    """Set the user's own password (already checked against the old one by the form), and
    revoke the user's API tokens: a token must not outlive the password that guarded it."""
    _require_self(actor, user, "password_change")
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _audit(actor, action=AuditAction.UPDATE, target=user, extra={"field": "password"})
        _revoke_all_tokens(actor, user, reason="password_change")


# ---- sign-in events (audit only) --------------------------------------------------------------


def record_login(*, user: User, two_factor: bool) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, target=user, extra={"two_factor": two_factor})


def record_login_failed(*, username: str, reason: str) -> None:
    from anninh.accounts.throttle import normalise_username

    audit_record(
        actor=None,
        username=normalise_username(username),
        action=AuditAction.LOGIN_FAILED,
        extra={"reason": reason},
    )


def record_logout(*, user: User, reason: str = "user") -> None:
    audit_record(actor=user, action=AuditAction.LOGOUT, target=user, extra={"reason": reason})


# ---- second factor (TOTP) --------------------------------------------------------------------


def two_factor_begin(*, actor) -> tuple[TOTPDevice, str]:
    """Start (or continue) setting up an authenticator: the pending device and its seed.
    Refused once a device is confirmed: its seed is never shown again."""
    if not _is_user(actor):
        _refuse(actor, "two_factor_begin")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor).first()
        if device is not None and device.confirmed:
            raise ValidationError(_("Two-factor authentication is already on."), code="two_factor_on")
        fresh_after = timezone.now() - dt.timedelta(minutes=PENDING_SEED_MINUTES)
        if device is not None and device.created_at >= fresh_after:
            try:
                return device, twofactor.unseal_secret(device.sealed_secret)
            except ValueError:
                pass  # sealed with a key we no longer have: start again below
        if device is not None:
            device.delete()
        secret = twofactor.new_secret()
        device = TOTPDevice.objects.create(user=actor, sealed_secret=twofactor.seal_secret(secret))
        twofactor.forget_cached_device(actor)
        _audit(
            actor,
            action=AuditAction.CREATE,
            target=device,
            after=snapshot(device, exclude=DEVICE_SECRET_FIELDS),
            extra={"two_factor": "setup_started"},
        )
    return device, secret


def two_factor_confirm(*, actor, code: str) -> TOTPDevice | None:
    """Confirm the pending authenticator with a code from it; None if the code is wrong."""
    if not _is_user(actor):
        _refuse(actor, "two_factor_confirm")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed_at__isnull=True).first()
        if device is None:
            return None
        step = twofactor.matching_step(twofactor.unseal_secret(device.sealed_secret), code)
        if step is None:
            return None
        before = snapshot(device, exclude=DEVICE_SECRET_FIELDS)
        device.confirmed_at = timezone.now()
        device.last_used_step = step
        device.save(update_fields=["confirmed_at", "last_used_step"])
        twofactor.forget_cached_device(actor)
        _audit(
            actor,
            action=AuditAction.UPDATE,
            target=device,
            before=before,
            after=snapshot(device, exclude=DEVICE_SECRET_FIELDS),
            extra={"two_factor": "enabled"},
        )
    return device


def two_factor_check(*, user: User, code: str) -> bool:
    """At sign-in: does `code` come from the user's confirmed authenticator, for a time step
    not used before? The step is consumed atomically, so a replayed code fails even when two
    requests race."""
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    try:
        secret = twofactor.unseal_secret(device.sealed_secret)
    except ValueError:
        return False
    step = twofactor.matching_step(secret, code)
    if step is None:
        return False
    used = (
        TOTPDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    return used == 1


def two_factor_disable(*, actor, password: str) -> bool:
    """Turn the actor's own second factor off; the password must be given again.
    False (and an audited refusal) if it is wrong."""
    if not _is_user(actor):
        _refuse(actor, "two_factor_disable")
    if not actor.check_password(password):
        audit_denied(
            actor, reason="password", object_type="accounts.totpdevice", path="service:two_factor_disable"
        )
        return False
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor).first()
        if device is not None:
            _delete_device(actor, device, reason="disabled")
        twofactor.forget_cached_device(actor)
    return True


def two_factor_reset(*, actor, user: User) -> bool:
    """An administrator removes a user's authenticator (lost phone). True if there was one."""
    _require_administrator(actor, "two_factor_reset")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        _delete_device(actor, device, reason="reset")
        twofactor.forget_cached_device(user)
    return True


def _delete_device(actor, device: TOTPDevice, *, reason: str) -> None:
    before = snapshot(device, exclude=DEVICE_SECRET_FIELDS)
    pk, text = device.pk, str(device)
    device.delete()
    _audit(
        actor,
        action=AuditAction.DELETE,
        object_type="accounts.totpdevice",
        object_id=pk,
        object_repr=text,
        before=before,
        extra={"two_factor": reason},
    )


# ---- API tokens -------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_max_days() -> int:
    """The longest validity a new token may have (ANNINH_API_TOKEN_MAX_DAYS, at most a year)."""
    return max(1, min(int(settings.API_TOKEN_MAX_DAYS), TOKEN_HARD_MAX_DAYS))


def token_default_days() -> int:
    return min(90, token_max_days())


def api_token_create(
    *, actor, user: User, name: str, days: int, scope: str = APIToken.Scope.READ
) -> tuple[APIToken, str]:
    """A new token for `user`, valid `days` days (at most token_max_days()), read only or
    read-write (`scope`): (row, the token). The token is not stored and cannot be shown
    again. A user creates their own; management commands any user's."""
    if not isinstance(actor, SystemActor):
        _require_self(actor, user, "api_token_create")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name."), code="token_name")
    maximum = token_max_days()
    if not 1 <= int(days) <= maximum:
        raise ValidationError(
            _("A token is valid for 1 to %(max)d days.") % {"max": maximum}, code="token_days"
        )
    if scope not in APIToken.Scope.values:
        raise ValidationError(_("A token is either read only or read and write."), code="token_scope")
    if not user.is_active:
        raise ValidationError(_("The account is not active."), code="inactive")
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        while APIToken.objects.filter(prefix=prefix).exists():
            prefix = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        token = APIToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            hashed_secret=hash_token(raw),
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=int(days)),
        )
        _audit(
            actor,
            action=AuditAction.CREATE,
            target=token,
            after=snapshot(token, exclude=TOKEN_SECRET_FIELDS),
            extra={"for_user": user.username},
        )
    return token, raw


def api_token_revoke(*, actor, token: APIToken) -> APIToken:
    """Revoke a token: its owner or an administrator."""
    if not (_is_user(actor) and (actor.pk == token.user_id or actor.has_role(Role.ADMINISTRATOR))):
        _refuse(actor, "api_token_revoke")
    with transaction.atomic():
        token = APIToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        before = snapshot(token, exclude=TOKEN_SECRET_FIELDS)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(
            actor,
            action=AuditAction.UPDATE,
            target=token,
            before=before,
            after=snapshot(token, exclude=TOKEN_SECRET_FIELDS),
            extra={"field": "revoked_at"},
        )
    return token


def api_tokens_revoke_all(*, actor, user: User, reason: str) -> int:
    """Revoke every token of `user` (after an administrator set their password, for instance):
    the user or an administrator. Returns how many were revoked."""
    if not (isinstance(actor, SystemActor) or (_is_user(actor) and actor.pk == user.pk)):
        _require_administrator(actor, "api_tokens_revoke_all")
    with transaction.atomic():
        return _revoke_all_tokens(actor, user, reason=reason)


def _revoke_all_tokens(actor, user: User, *, reason: str) -> int:
    """Inside the caller's transaction: revoke the user's unrevoked tokens, one audit row each."""
    now = timezone.now()
    tokens = list(APIToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        before = snapshot(token, exclude=TOKEN_SECRET_FIELDS)
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        _audit(
            actor,
            action=AuditAction.UPDATE,
            target=token,
            before=before,
            after=snapshot(token, exclude=TOKEN_SECRET_FIELDS),
            extra={"field": "revoked_at", "reason": reason},
        )
    return len(tokens)


LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def api_token_use(raw: str) -> APIToken | None:
    """The usable token matching `raw` (with its active user loaded), or None.
    Marks it used (at most once a minute, to keep API reads from writing on every call)."""
    if not raw or not raw.startswith(f"{TOKEN_PREFIX}_") or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        APIToken.objects.usable(now)
        .select_related("user", "user__unit", "user__totp_device")
        .filter(hashed_secret=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

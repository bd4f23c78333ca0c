"""Account pages: sign in and out, second factor, password, profile and API tokens.

Views parse the request, call a service or selector and render; the rules live in
anninh.accounts.services, signin, throttle and selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anninh.accounts import selectors, services, signin, twofactor
from anninh.accounts.forms import (
    CodeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    TokenCreateForm,
)
from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role

NOTICES = {
    "idle": lambda: _("You were logged out after a period of inactivity. Please log in again."),
    "two_factor": lambda: _("Please log in again and confirm with your authenticator app."),
}


def _locked_message() -> str:
    return _(
        "Too many failed attempts. Logging in is blocked for %(minutes)d minutes; "
        "try again later or ask an administrator."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


def _finish(request: HttpRequest, user, next_url: str) -> HttpResponse:
    response = redirect(signin.safe_next(request, next_url))
    signin.set_language_cookie(response, user.language)
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(signin.safe_next(request, next_url))
    notice = request.session.pop(signin.NOTICE, None)
    if notice in NOTICES:
        messages.info(request, NOTICES[notice]())
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome, user = signin.password_attempt(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if outcome == "locked":
            form.add_error(None, _locked_message())
            status = 429
        elif outcome == "failed":
            form.add_error(None, _("The user name or password is not correct."))
        elif twofactor.confirmed_device(user) is not None:
            signin.begin_pending(request, user, next_url=next_url)
            return redirect("accounts:two_factor_verify")
        else:
            signin.complete_login(request, user, backend=user.backend)
            return _finish(request, user, next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in, for a user with an authenticator."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = signin.pending_of(request)
    user = None
    if pending is not None:
        user = get_user_model()._default_manager.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(signin.PENDING, None)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = signin.code_attempt(request, user=user, code=form.cleaned_data["code"])
        if outcome == "locked":
            request.session.pop(signin.PENDING, None)
            form.add_error(None, _locked_message())
            status = 429
        elif outcome == "failed":
            form.add_error(
                "code", _("That code is not correct, or it was already used. Wait for the next one.")
            )
        else:
            signin.complete_login(
                request, user, backend=pending["backend"], device=twofactor.confirmed_device(user)
            )
            return _finish(request, user, pending.get("next", ""))
    return render(request, "accounts/two_factor_verify.html", {"form": form}, status=status)


@csrf_protect
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        signin.end_session(request, reason="user")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _profile_page(request: HttpRequest, *, token_form=None, new_token=None, status=200) -> HttpResponse:
    context = {
        **selectors.profile_of(viewer=request.user),
        "token_form": token_form or TokenCreateForm(),
        "new_token": new_token,
        "languages": settings.LANGUAGES,
        "active_nav": "profile",
    }
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@require_GET
@require_roles()
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


@never_cache
@require_POST
@require_roles()
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it on this one answer only (nothing stores it)."""
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _profile_page(request, new_token={"token": token, "secret": raw})
    return _profile_page(request, token_form=form, status=400)


@require_POST
@require_roles()
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_scoped_or_404(selectors.api_tokens_visible_to(request.user), request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
@require_roles()
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(
            actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "active_nav": "profile"})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@require_roles()
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: QR code and seed until a code confirms it; afterwards only
    its status and the form to turn it off."""
    user = request.user
    if twofactor.confirmed_device(user) is not None:
        return render(
            request,
            "accounts/two_factor_setup.html",
            {
                "enabled": True,
                "disable_form": PasswordConfirmForm(),
                "active_nav": "profile",
            },
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_confirm(actor=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session[signin.VERIFIED_DEVICE] = device.pk
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:profile")
        form.add_error("code", _("That code is not correct. Check the time on your phone and try again."))
    _device, secret = services.two_factor_begin(actor=user)
    uri = twofactor.provisioning_uri(secret, user.get_username())
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "enabled": False,
            "form": form,
            "qr_svg": twofactor.qr_svg(uri),
            "secret": twofactor.grouped(secret),
            "required": twofactor.required_for(user),
            "active_nav": "profile",
        },
    )


@sensitive_post_parameters("password")
@never_cache
@require_POST
@require_roles()
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid() and services.two_factor_disable(
        actor=request.user, password=form.cleaned_data["password"]
    ):
        request.session.pop(signin.VERIFIED_DEVICE, None)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:profile")
    if form.is_valid():
        form.add_error("password", _("The password is not correct."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "enabled": True,
            "disable_form": form,
            "active_nav": "profile",
        },
        status=400,
    )


# ---- the Django admin goes through our login (and so through the second factor) ----------


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Replaces admin.site.login: our login page for visitors, 403 for non-administrators."""
    next_url = request.GET.get("next") or resolve_url("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not request.user.has_role(Role.ADMINISTRATOR):
        audit_denied(request, reason="role")
        raise PermissionDenied
    return redirect(signin.safe_next(request, next_url))


def admin_password_change(request: HttpRequest, extra_context=None) -> HttpResponse:
    return redirect("accounts:password_change")

"""Per-request account security: idle timeout and the second factor.

Runs right after AuthenticationMiddleware, for signed-in (session) users only:

1. Idle timeout: a session unused for SESSION_IDLE_SECONDS is signed out (audited as a
   logout with reason "idle"); pages redirect to the login page, which says why; the API
   and htmx get 401 (htmx also gets HX-Redirect to the login page).
2. A user with a confirmed authenticator must have passed it in this session; a session
   that did not (opened before the authenticator was set up, or by other means) is signed
   out.
3. A user holding a role in TWO_FACTOR_REQUIRED_ROLES without an authenticator is sent to
   the setup page before anything else (the API answers 403).

The last-activity stamp is written at most once a minute, so reads do not save the session
on every request.
"""

from __future__ import annotations

import contextlib
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from anninh.accounts import signin, twofactor

TOUCH_EVERY_SECONDS = 60


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = self.check(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request, user) -> HttpResponse | None:
        session = request.session
        now = time.time()
        last = session.get(signin.LAST_SEEN)
        if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
            signin.end_session(request, reason="idle", notice="idle")
            return self.signed_out(request)
        if last is None or now - last >= TOUCH_EVERY_SECONDS:
            session[signin.LAST_SEEN] = now

        device = twofactor.confirmed_device(user)
        if device is not None:
            if session.get(signin.VERIFIED_DEVICE) != device.pk:
                signin.end_session(request, reason="two_factor_not_verified", notice="two_factor")
                return self.signed_out(request)
        elif twofactor.required_for(user) and request.path not in self.allowed_during_setup():
            if signin.is_api_request(request):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using the API.")}, status=403
                )
            return redirect("accounts:two_factor_setup")
        return None

    @staticmethod
    def signed_out(request) -> HttpResponse:
        if signin.is_api_request(request):
            response = JsonResponse({"detail": _("Your session has ended. Please log in again.")}, status=401)
            if request.headers.get("HX-Request") == "true":
                response["HX-Redirect"] = reverse(settings.LOGIN_URL)
            return response
        # Come back to the page after logging in again, but not to a form's target (a GET
        # there would fail, e.g. the logout address).
        if request.method in ("GET", "HEAD"):
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)

    @staticmethod
    def allowed_during_setup() -> set[str]:
        paths = {reverse("accounts:two_factor_setup"), reverse("accounts:logout")}
        with contextlib.suppress(NoReverseMatch):
            paths.add(reverse("web:set_language"))
        return paths

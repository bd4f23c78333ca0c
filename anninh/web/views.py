"""The web shell: the home page of each role, and the language switch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.defaults import bad_request as django_bad_request
from django.views.i18n import set_language as django_set_language

from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.public import views as public_views
from anninh.web import selectors


def home(request):
    """Anonymous visitors get the public home page (warnings, how to reach the police);
    signed-in staff get the home page of their roles."""
    if not request.user.is_authenticated:
        return public_views.home(request)
    if request.user.has_role(Role.BUSINESS) and not request.user.unit_id:
        # A business account has no staff home: its own portal, without staff navigation.
        return redirect("business:home")
    return staff_home(request)


@login_required
def staff_home(request):
    viewer = request.user
    sections = selectors.home_sections(viewer=viewer)
    context: dict = {
        "sections": sections,
        "active_nav": "home",
        "attention": selectors.attention(viewer=viewer),
    }
    if set(sections) & {"commander", "analyst", "fire_rescue", "public_relations"}:
        context["city"] = selectors.city_overview()
    if set(sections) & {"commander", "analyst"}:
        context["densest"] = selectors.densest_communes()
        context["population_by_kind"] = selectors.population_by_kind()
        context["densest_chart"] = {
            "labels": [row["name"] for row in context["densest"]],
            "series": [
                {
                    "name": str(_("Residents per km²")),
                    "values": [row["density"] for row in context["densest"]],
                }
            ],
            "horizontal": True,
        }
    if set(sections) & {"investigator", "commune_officer", "fire_rescue", "public_relations"}:
        context["own_unit"] = selectors.own_unit(viewer=viewer)
    if "commander" in sections:
        context["staff"] = selectors.staff_by_unit()
    if "auditor" in sections:
        context["audit"] = selectors.audit_overview(viewer=viewer)
    if "administrator" in sections:
        context["accounts"] = selectors.accounts_overview(viewer=viewer)
    return render(request, "web/home.html", context)


@require_POST
def set_language(request):
    """Switch language; for a signed-in user the choice is also remembered on the account,
    so it follows them to another terminal."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in {"vi", "en"} and user.language != language:
        with transaction.atomic():
            before = {"language": user.language}
            user.language = language
            user.save(update_fields=["language"])
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                target=user,
                before=before,
                after={"language": language},
                extra={"field": "language"},
            )
    return response


@csrf_exempt
@require_POST
def public_language(request):
    """The language switch of the public pages: the language cookie only, never the account
    (that is set_language, with its CSRF token). Without a token the public pages carry nothing
    per visitor, so one rendering serves everyone (anninh.pagecache); a forged post could only
    change the language a browser reads the public pages in."""
    return django_set_language(request)


def bad_request(request, exception):
    """Django's 400 (a malformed request, or a Host outside ALLOWED_HOSTS): API callers get the
    API's JSON error shape, people get the usual page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return django_bad_request(request, exception)

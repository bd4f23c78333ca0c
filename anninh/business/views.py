"""Dialogue pages. Two audiences, never mixed:

- staff (organisers, and the units recommendations are assigned to) under /business/manage/,
  in the staff layout;
- business accounts under /business/ (their own sign-in page, their own light layout with no
  staff navigation), seeing their own business's recommendations only.

Views parse, call one service or selector, render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anninh.accounts import services as account_services
from anninh.accounts import signin, twofactor
from anninh.accounts.forms import LoginForm
from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.business import forms, selectors, services
from anninh.business.models import STAFF_READER_ROLES, Ownership, RecommendationStatus

STAFF = tuple(sorted(STAFF_READER_ROLES))
ORGANISERS = tuple(sorted(services.ORGANISER_ROLES))


# --- The business portal ----------------------------------------------------------------------


def business_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The user must be signed in with a business account linked to a business. Anonymous
    visitors go to the business sign-in page; anyone else is refused (audited)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("business:login"))
        business = selectors.business_of(user) if user.has_role(Role.BUSINESS) else None
        if business is None:
            audit_denied(request, reason="role")
            raise PermissionDenied
        request.business = business
        return view(request, *args, **kwargs)

    wrapped.required_roles = frozenset({Role.BUSINESS})  # type: ignore[attr-defined]
    return wrapped


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def portal_login(request: HttpRequest) -> HttpResponse:
    """Sign-in for business accounts, with the staff sign-in's lockout, audit and second
    factor (anninh.accounts.signin). A staff account is not accepted here: the answer is the
    same as for a wrong password, so this page does not tell which staff accounts exist."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    home = reverse("business:home")
    if not next_url.startswith("/business/"):
        next_url = home
    if request.user.is_authenticated:
        return redirect(home if request.user.has_role(Role.BUSINESS) else "web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        outcome, user = signin.password_attempt(
            request, username=username, password=form.cleaned_data["password"]
        )
        if outcome == "ok" and not (user.has_role(Role.BUSINESS) and selectors.business_of(user)):
            account_services.record_login_failed(username=username, reason="not_business")
            outcome = "failed"
        if outcome == "locked":
            form.add_error(None, _("Too many failed attempts. Try again later."))
            status = 429
        elif outcome == "failed":
            form.add_error(None, _("The user name or password is not correct."))
        elif twofactor.confirmed_device(user) is not None:
            signin.begin_pending(request, user, next_url=next_url)
            return redirect("accounts:two_factor_verify")
        else:
            signin.complete_login(request, user, backend=user.backend)
            response = redirect(signin.safe_next(request, next_url))
            signin.set_language_cookie(response, user.language)
            return response
    return render(request, "business/portal_login.html", {"form": form, "next": next_url}, status=status)


@csrf_protect
@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        signin.end_session(request, reason="user")
    return redirect("business:login")


@require_safe
@business_required
def portal_home(request: HttpRequest) -> HttpResponse:
    recommendations = selectors.own_recommendations(viewer=request.user)
    return render(
        request,
        "business/portal_home.html",
        {
            "business": request.business,
            "recommendations": recommendations,
            "open_count": sum(r.status != RecommendationStatus.RESOLVED for r in recommendations),
        },
    )


@require_safe
@business_required
def portal_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_scoped_or_404(selectors.recommendation_scope(viewer=request.user), request.user, pk=pk)
    rec = selectors.with_clock([rec])[0]
    return render(request, "business/portal_recommendation.html", {"business": request.business, "rec": rec})


# --- Staff pages --------------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_safe
@require_roles(*STAFF)
def recommendation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in RecommendationStatus.values else ""
    overdue = request.GET.get("overdue") == "1"
    unit = _int(request.GET.get("unit"))
    recs = selectors.with_clock(
        selectors.recommendation_list(viewer=request.user, status=status, overdue=overdue, unit=unit)[:300]
    )
    return render(
        request,
        "business/recommendation_list.html",
        {
            "recommendations": recs,
            "status": status,
            "statuses": RecommendationStatus.choices,
            "overdue": overdue,
            "is_organiser": services.is_organiser(request.user),
            "active_nav": "dialogues",
        },
    )


@require_roles(*STAFF)
def business_list(request: HttpRequest) -> HttpResponse:
    form = forms.BusinessForm(request.POST or None)
    if request.method == "POST":
        if not services.is_organiser(request.user):
            audit_denied(request, reason="role")
            raise PermissionDenied
        if form.is_valid():
            try:
                business = services.business_create(
                    actor=request.user, data=services.BusinessInput(**form.cleaned_data)
                )
            except services.DialogueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Business recorded."))
                return redirect(business.get_absolute_url())
    q = request.GET.get("q", "")[:100].strip()
    ownership = request.GET.get("ownership", "")
    ownership = ownership if ownership in Ownership.values else ""
    businesses = selectors.business_list(viewer=request.user, q=q, ownership=ownership)[:300]
    return render(
        request,
        "business/business_list.html",
        {
            "businesses": businesses,
            "form": form,
            "q": q,
            "ownership": ownership,
            "ownerships": Ownership.choices,
            "is_organiser": services.is_organiser(request.user),
            "parks": selectors.park_list(),
            "park_form": forms.ParkForm(),
            "active_nav": "dialogues",
        },
    )


@require_POST
@require_roles(*ORGANISERS)
def park_create(request: HttpRequest) -> HttpResponse:
    form = forms.ParkForm(request.POST)
    if form.is_valid():
        try:
            services.park_create(actor=request.user, **form.cleaned_data)
        except services.DialogueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Industrial park recorded."))
    else:
        messages.error(request, _("Give the park's name and commune."))
    return redirect("business:business_list")


@require_safe
@require_roles(*STAFF)
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = get_scoped_or_404(selectors.business_scope(viewer=request.user), request.user, pk=pk)
    # The security contact is personal data: the read is recorded.
    audit_record(actor=request.user, action=AuditAction.VIEW, target=business)
    recs = selectors.with_clock(selectors.recommendation_list(viewer=request.user, business=business.pk))
    return render(
        request,
        "business/business_detail.html",
        {
            "b": business,
            "recommendations": recs,
            "accounts": business.accounts.select_related("user"),
            "is_organiser": services.is_organiser(request.user),
            "active_nav": "dialogues",
        },
    )


@require_roles(*STAFF)
def meeting_list(request: HttpRequest) -> HttpResponse:
    businesses = selectors.business_scope(viewer=request.user)
    form = forms.MeetingForm(request.POST or None, businesses=businesses)
    if request.method == "POST":
        if not services.is_organiser(request.user):
            audit_denied(request, reason="role")
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(actor=request.user, **data)
            except services.DialogueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Meeting recorded. Now add the recommendations raised."))
                return redirect(meeting.get_absolute_url())
    return render(
        request,
        "business/meeting_list.html",
        {
            "meetings": selectors.meeting_list(viewer=request.user)[:200],
            "form": form,
            "is_organiser": services.is_organiser(request.user),
            "active_nav": "dialogues",
        },
    )


@require_roles(*STAFF)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped_or_404(selectors.meeting_scope(viewer=request.user), request.user, pk=pk)
    businesses = selectors.business_scope(viewer=request.user)
    form = forms.RecommendationForm(request.POST or None, businesses=businesses)
    if request.method == "POST":
        if not services.is_organiser(request.user):
            audit_denied(request, reason="role")
            raise PermissionDenied
        if form.is_valid():
            try:
                services.recommendation_create(actor=request.user, meeting=meeting, **form.cleaned_data)
            except services.DialogueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Recommendation recorded."))
                return redirect(meeting.get_absolute_url())
    recs = selectors.with_clock(selectors.recommendation_list(viewer=request.user, meeting=meeting.pk))
    return render(
        request,
        "business/meeting_detail.html",
        {
            "m": meeting,
            "attending": meeting.businesses.all().order_by("name"),
            "recommendations": recs,
            "form": form,
            "is_organiser": services.is_organiser(request.user),
            "active_nav": "dialogues",
        },
    )


@require_safe
@require_roles(*STAFF)
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_scoped_or_404(selectors.recommendation_scope(viewer=request.user), request.user, pk=pk)
    rec = selectors.with_clock([rec])[0]
    organiser = services.is_organiser(request.user)
    return render(
        request,
        "business/recommendation_detail.html",
        {
            "rec": rec,
            "is_organiser": organiser,
            "may_answer": services.may_answer(request.user, rec)
            and rec.status in (RecommendationStatus.ASSIGNED, RecommendationStatus.ANSWERED),
            "assign_form": forms.AssignForm(initial={"unit": rec.assigned_unit_id, "due_on": rec.due_on}),
            "answer_form": forms.AnswerForm(initial={"answer": rec.answer}),
            "resolve_form": forms.ResolveForm(),
            "reopen_form": forms.ReopenForm(),
            "active_nav": "dialogues",
        },
    )


STEPS = {
    "assign": (
        forms.AssignForm,
        lambda user, rec, d: services.recommendation_assign(
            actor=user, recommendation=rec, unit=d["unit"], due_on=d["due_on"]
        ),
    ),
    "answer": (
        forms.AnswerForm,
        lambda user, rec, d: services.recommendation_answer(
            actor=user, recommendation=rec, answer=d["answer"]
        ),
    ),
    "resolve": (
        forms.ResolveForm,
        lambda user, rec, d: services.recommendation_resolve(
            actor=user, recommendation=rec, resolution=d["resolution"], resolved_on=d["resolved_on"]
        ),
    ),
    "reopen": (
        forms.ReopenForm,
        lambda user, rec, d: services.recommendation_reopen(
            actor=user, recommendation=rec, reason=d["reason"]
        ),
    ),
}


@require_POST
@require_roles(*STAFF)
def recommendation_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEPS:
        raise Http404
    rec = get_scoped_or_404(selectors.recommendation_scope(viewer=request.user), request.user, pk=pk)
    form_class, step = STEPS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(rec.get_absolute_url())
    try:
        step(request.user, rec, form.cleaned_data)
    except services.DialogueError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("Done."))
    return redirect(rec.get_absolute_url())


# --- Business accounts (organisers) ---------------------------------------------------------------


def _link_context(request: HttpRequest, link) -> dict:
    return {"set_password_url": request.build_absolute_uri(link.path), "link_expires": link.expires_at}


def _accounts_page(request: HttpRequest, business, *, form=None, disable_form=None, link=None, status=200):
    context = {
        "b": business,
        "accounts": selectors.business_accounts(viewer=request.user, business=business),
        "form": form or forms.AccountForm(),
        "disable_form": disable_form or forms.DisableForm(),
        "link_hours": services.link_hours(),
        "active_nav": "dialogues",
    }
    if link is not None:
        context.update(_link_context(request, link))
    response = render(request, "business/account_list.html", context, status=status)
    # The page may carry a one-time link: never kept by a cache, never sent on as a referrer.
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
@require_roles(*ORGANISERS)
def account_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A business's sign-in accounts: register one (the set-password link is shown once, on
    the answer to the POST), see them, re-link or disable them."""
    business = get_scoped_or_404(selectors.business_scope(viewer=request.user), request.user, pk=pk)
    if request.method != "POST":
        return _accounts_page(request, business)
    form = forms.AccountForm(request.POST)
    if form.is_valid():
        try:
            _account, link = services.business_account_register(
                actor=request.user, business=business, **form.cleaned_data
            )
        except services.DialogueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Account registered. Hand the business its set-password link."))
            return _accounts_page(request, business, link=link)
    return _accounts_page(request, business, form=form, status=400)


def _account_or_404(request: HttpRequest, pk: int):
    return get_scoped_or_404(selectors.account_scope(viewer=request.user), request.user, pk=pk)


@require_POST
@require_roles(*ORGANISERS)
def account_link(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    try:
        link = services.business_account_issue_link(actor=request.user, account=account)
    except services.DialogueError as exc:
        messages.error(request, str(exc))
        return redirect("business:account_list", account.business_id)
    messages.success(request, _("New set-password link issued; the old password and links no longer work."))
    return _accounts_page(request, account.business, link=link)


@require_POST
@require_roles(*ORGANISERS)
def account_disable(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    form = forms.DisableForm(request.POST)
    if not form.is_valid():
        return _accounts_page(request, account.business, disable_form=form, status=400)
    try:
        services.business_account_disable(actor=request.user, account=account, **form.cleaned_data)
    except services.DialogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Account disabled."))
    return redirect("business:account_list", account.business_id)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The business sets its password through the one-time link the police handed it. An
    invalid, used or expired link gets the same page for everyone (as Django's own reset
    page does): it tells nothing about which accounts exist."""
    user = services.account_for_link(uidb64, token)
    form = forms.SetPasswordForm(request.POST or None) if user is not None else None
    status = 200
    if user is not None and request.method == "POST":
        if form.is_valid():
            try:
                services.business_password_set(
                    uidb64=uidb64, token=token, password=form.cleaned_data["password1"]
                )
            except services.DialogueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your password is set. Sign in with it."))
                return redirect("business:login")
        status = 400
    response = render(request, "business/set_password.html", {"form": form, "account": user}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response

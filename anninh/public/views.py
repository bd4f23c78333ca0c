"""Public warning pages (anonymous visitors: light, no script) and the staff pages where a
press officer drafts and a commander approves. Views parse, call one service or selector,
render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from anninh import pagecache
from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.public import cap, pattern, selectors, services
from anninh.public.forms import WarningForm, commune_choices, initial_from
from anninh.public.models import ScamWarning, Trick, WarningStatus, cap_identifier

STAFF_ROLES = services.DRAFTER_ROLES


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


# --- Public pages ---------------------------------------------------------------------------


@pagecache.public_page(pagecache.WARNINGS)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The public home page (anonymous visitors at /): the warnings in force, how to reach
    the police."""
    warnings = list(selectors.public_warning_list()[:5])
    return render(
        request, "public/home.html", {"warnings": warnings, "lang": _language(), "tricks": Trick.choices}
    )


@pagecache.public_page(pagecache.WARNINGS)
@require_safe
def warning_list(request: HttpRequest) -> HttpResponse:
    trick = request.GET.get("trick", "")
    trick = trick if trick in Trick.values else ""
    commune = request.GET.get("commune", "")
    communes = commune_choices()
    commune = commune if commune in {code for code, _name in communes} else ""
    q = request.GET.get("q", "")[:100]
    include_past = request.GET.get("past") == "1"
    qs = selectors.public_warning_list(trick=trick, commune=commune, q=q, include_past=include_past)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "public/warning_list.html",
        {
            "page": page,
            "warnings": page.object_list,
            "lang": _language(),
            "tricks": Trick.choices,
            "communes": communes,
            "trick": trick,
            "commune": commune,
            "q": q,
            "include_past": include_past,
            "query": params.urlencode(),
        },
    )


def _public_or_404(pk: int) -> ScamWarning:
    warning = selectors.public_warning_get(pk=pk)
    if warning is None:
        raise Http404  # a draft is not public: to a visitor it does not exist
    return warning


@pagecache.public_page(pagecache.WARNINGS)
@require_safe
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _public_or_404(pk)
    cap_messages = selectors.cap_messages(warning=warning)
    cancelled = cap_messages[-1] if cap_messages and warning.status == WarningStatus.CANCELLED else None
    return render(
        request,
        "public/warning_detail.html",
        {
            "w": warning,
            "lang": _language(),
            # Names only: the boundaries (large GeoJSON) are for the CAP message, not the page.
            "communes": sorted(warning.communes.defer("boundary"), key=lambda c: (c.sort_key, c.code)),
            "cancelled": cancelled,
            "share_url": request.build_absolute_uri(warning.get_absolute_url()),
        },
    )


@pagecache.public_page(pagecache.WARNINGS)
@require_safe
def warning_cap(request: HttpRequest, pk: int) -> HttpResponse:
    """The warning's latest CAP 1.2 message (Alert, Update or Cancel)."""
    warning = _public_or_404(pk)
    sent = selectors.cap_messages(warning=warning)
    if not sent:
        raise Http404
    body = cap.cap_message(
        warning, sent[-1], sent[:-1], web=request.build_absolute_uri(warning.get_absolute_url())
    )
    return HttpResponse(body, content_type=f"{cap.CAP_CONTENT_TYPE}; charset=utf-8")


class CapAtomFeed(Atom1Feed):
    """Atom whose entries link to their CAP message (typed, as the CAP feeds note asks) and
    to the page for people."""

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement(
            "link", "", {"href": item["link"], "rel": "alternate", "type": cap.CAP_CONTENT_TYPE}
        )
        handler.addQuickElement("link", "", {"href": item["page"], "rel": "related", "type": "text/html"})
        if item["pubdate"] is not None:
            handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("summary", item["description"], {"type": "text"})
        for category in item["categories"]:
            handler.addQuickElement("category", "", {"term": category})


@pagecache.public_page(pagecache.WARNINGS)
@require_safe
def warning_feed(request: HttpRequest) -> HttpResponse:
    """The Atom feed of the warnings' CAP messages, newest first."""
    lang = _language()
    feed = CapAtomFeed(
        title=_("Scam and safety warnings: Hai Phong City Police"),
        link=request.build_absolute_uri(reverse("public:warning_list")),
        feed_url=request.build_absolute_uri(reverse("public:warning_feed")),
        description=_("Warnings of criminal tricks, in Vietnamese and English, as CAP 1.2 messages."),
        language=lang,
        author_name=_("Hai Phong City Police"),
    )
    for warning in selectors.feed_warnings():
        cap_url = request.build_absolute_uri(reverse("public:warning_cap", args=[warning.pk]))
        feed.add_item(
            title=warning.title(lang),
            link=cap_url,
            description=warning.recognise(lang),
            # One entry id per message: an update or a cancel is a new entry for readers.
            unique_id=f"{cap_url}#{cap_identifier(warning.pk, warning.last_sequence)}",
            updateddate=warning.last_sent,
            pubdate=warning.published_at,
            categories=[str(warning.get_trick_display())],
            page=request.build_absolute_uri(warning.get_absolute_url()),
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


# --- Staff pages ------------------------------------------------------------------------------


@require_safe
@require_roles(*STAFF_ROLES)
def manage_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in WarningStatus.values else ""
    warnings = selectors.staff_warning_list(viewer=request.user, status=status)[:200]
    return render(
        request,
        "public/manage_list.html",
        {
            "warnings": warnings,
            "status": status,
            "statuses": WarningStatus.choices,
            "may_pattern": request.user.has_role(*pattern.PATTERN_ROLES),
            "active_nav": "warnings",
        },
    )


@require_roles(*STAFF_ROLES)
def manage_new(request: HttpRequest) -> HttpResponse:
    form = WarningForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            warning = services.warning_create(actor=request.user, data=form.to_input())
        except services.WarningError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("public:manage_detail", pk=warning.pk)
    return render(
        request,
        "public/manage_form.html",
        {"form": form, "error": error, "warning": None, "active_nav": "warnings"},
    )


def _staff_warning(request: HttpRequest, pk: int) -> ScamWarning:
    return get_scoped_or_404(selectors.staff_warning_scope(viewer=request.user), request.user, pk=pk)


@require_safe
@require_roles(*STAFF_ROLES)
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _staff_warning(request, pk)
    user = request.user
    is_commander = user.has_role(*services.APPROVER_ROLES)
    return render(
        request,
        "public/manage_detail.html",
        {
            "w": warning,
            "communes": sorted(warning.communes.all(), key=lambda c: (c.sort_key, c.code)),
            "cap_messages": selectors.cap_messages(warning=warning),
            "may_edit": warning.status in (WarningStatus.DRAFT, WarningStatus.SUBMITTED)
            or (warning.status == WarningStatus.PUBLISHED and is_commander),
            "may_submit": warning.status == WarningStatus.DRAFT,
            "may_decide": warning.status == WarningStatus.SUBMITTED and is_commander,
            "may_cancel": warning.status == WarningStatus.PUBLISHED and is_commander,
            "active_nav": "warnings",
        },
    )


@require_roles(*STAFF_ROLES)
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _staff_warning(request, pk)
    form = WarningForm(request.POST or None, initial=initial_from(warning))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_update(actor=request.user, warning=warning, data=form.to_input())
        except services.WarningError as exc:
            error = str(exc)
        except PermissionDenied:
            audit_denied(request, reason="role")
            raise
        else:
            messages.success(request, _("Warning saved."))
            return redirect("public:manage_detail", pk=warning.pk)
    return render(
        request,
        "public/manage_form.html",
        {"form": form, "error": error, "warning": warning, "active_nav": "warnings"},
    )


STEPS = {
    "submit": lambda user, w, reason: services.warning_submit(actor=user, warning=w),
    "approve": lambda user, w, reason: services.warning_approve(actor=user, warning=w),
    "return": lambda user, w, reason: services.warning_return(actor=user, warning=w, reason=reason),
    "cancel": lambda user, w, reason: services.warning_cancel(actor=user, warning=w, reason=reason),
}


@require_POST
@require_roles(*STAFF_ROLES)
def manage_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEPS:
        raise Http404
    warning = _staff_warning(request, pk)
    try:
        STEPS[action](request.user, warning, request.POST.get("reason", ""))
    except services.WarningError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    else:
        messages.success(request, _("Done."))
    return redirect("public:manage_detail", pk=warning.pk)


@require_roles(*pattern.PATTERN_ROLES)
def manage_pattern(request: HttpRequest) -> HttpResponse:
    """The communes where frauds rose significantly, and a draft warning made from them."""
    found = pattern.fraud_pattern(viewer=request.user)
    if request.method == "POST":
        trick = request.POST.get("trick", Trick.OTHER)
        trick = trick if trick in Trick.values else Trick.OTHER
        try:
            warning = pattern.warning_draft_from_pattern(actor=request.user, pattern=found, trick=trick)
        except services.WarningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("public:manage_detail", pk=warning.pk)
    return render(
        request,
        "public/manage_pattern.html",
        {"pattern": found, "tricks": Trick.choices, "active_nav": "warnings"},
    )

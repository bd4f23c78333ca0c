"""The public pages: send a request (no script needed, phone first) and follow it with the
tracking code. The code never travels in a URL (it would stay in logs and histories): the
follow-up pages are answers to POSTs that carry it in a hidden field, and nothing is kept in
a session."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from anninh.audit.context import current as audit_context
from anninh.requests import protection, selectors, services
from anninh.requests.forms import SubmitForm
from anninh.requests.models import Anonymity, RequestStatus

REFUSALS = {
    "rate": lambda: _(
        "Too many requests were sent from your connection. Please try again later, or call 113."
    ),
    "honeypot": lambda: _("Your request could not be accepted."),
    "challenge": lambda: _("The anti-spam answer is not right. Please try again."),
    "too_fast": lambda: _("The form was sent too quickly. Please check it and send it again."),
    "challenge_expired": lambda: _("The form is too old. Please send it again."),
    "replay": lambda: _("This form was already sent. Follow your request with its tracking code."),
}


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _retention() -> dict:
    return {
        "contact_days": settings.ANNINH_REQUESTS_CONTACT_RETENTION_DAYS,
        "content_days": settings.ANNINH_REQUESTS_CONTENT_RETENTION_DAYS,
        "mark_hours": settings.ANNINH_REQUESTS_MARK_RETENTION_HOURS,
    }


def _form_page(
    request: HttpRequest,
    form: SubmitForm,
    *,
    error: str = "",
    status: int = 200,
    similar=None,
    checked=False,
    field_errors: dict[str, str] | None = None,
) -> HttpResponse:
    challenge = protection.challenge_issue()
    data = form.data.copy() if form.is_bound else None
    if data is not None and checked:
        # Only a look for similar requests: what was typed stays, without error messages.
        initial = {k: data.get(k) for k in form.fields if k not in ("challenge", "nonce", "answer", "images")}
        form = SubmitForm(initial={**initial, "challenge": challenge["token"]}, lang=_lang())
    elif data is not None:
        # A new challenge for the next try; what the person typed stays.
        data["challenge"], data["nonce"], data["answer"] = challenge["token"], "", ""
        form = SubmitForm(data, form.files, lang=_lang())
        form.is_valid()
        for field, message in (field_errors or {}).items():
            form.add_error(field, message)
    else:
        form.initial["challenge"] = challenge["token"]
    return render(
        request,
        "requests/submit.html",
        {
            "form": form,
            "challenge": challenge,
            "error": error,
            "retention": _retention(),
            "services": selectors.services_active(),
            "lang": _lang(),
            "similar": similar or [],
            "checked": checked,
        },
        status=status,
    )


@never_cache  # a form with a CSRF token and a challenge, or a reporter's own request
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {}
        if request.GET.get("service"):
            initial["service"] = request.GET["service"][:40]
        return _form_page(request, SubmitForm(initial=initial, lang=_lang()))
    form = SubmitForm(request.POST, request.FILES, lang=_lang())
    if "check" in request.POST:
        # "Already reported?": the same listed service, in the same commune, still open.
        similar = selectors.public_similar(
            service_code=request.POST.get("service", "")[:40],
            commune_code=request.POST.get("commune", "")[:5],
        )
        return _form_page(request, form, similar=similar, checked=True)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    cd = form.cleaned_data
    try:
        protection.honeypot_check(cd["website"])
        digest = protection.challenge_check(cd["challenge"], nonce=cd["nonce"], answer=cd["answer"])
    except protection.Refused as exc:
        return _form_page(request, form, error=REFUSALS[exc.code](), status=400)
    images = [f.read() for f in cd["images"]]
    anonymous = cd["anonymity"] == Anonymity.ANONYMOUS
    submission = services.Submission(
        service_code=cd["service"],
        description=cd["description"],
        anonymity=cd["anonymity"],
        commune_code=cd["commune"],
        lat=cd["lat"],
        lon=cd["lon"],
        address=cd["address"],
        name="" if anonymous else cd["name"],
        phone="" if anonymous else cd["phone"],
        email="" if anonymous else cd["email"],
        organisation="" if anonymous else cd["organisation"],
        images=images,
    )
    try:
        created, code = services.request_submit(
            data=submission, client_ip=audit_context().client_ip, challenge_digest=digest
        )
    except services.RequestError as exc:
        if exc.field in form.fields:
            return _form_page(request, form, field_errors={exc.field: exc.message}, status=400)
        return _form_page(request, form, error=exc.message, status=400)
    except protection.Refused as exc:
        return _form_page(
            request, form, error=REFUSALS[exc.code](), status=429 if exc.code == "rate" else 400
        )
    return render(
        request,
        "requests/submitted.html",
        {"r": created, "code": code, "lang": _lang()},
        status=201,
    )


def _track_page(
    request: HttpRequest, found, code: str, *, error: str = "", done: str = "", status: int = 200
):
    context = {"code": code, "error": error, "done": done, "retention": _retention(), "lang": _lang()}
    if found is not None:
        context.update(
            {
                "r": found,
                "notes": selectors.public_notes(found),
                "may_add": found.status not in (RequestStatus.MERGED, RequestStatus.CRIME_REPORT)
                and not found.personal_data_purged_at,
                "may_reopen": found.status == RequestStatus.ANSWERED,
                "may_rate": found.status in (RequestStatus.ANSWERED, RequestStatus.CRIME_REPORT)
                and found.rating is None,
                "ratings": range(1, 6),
            }
        )
    return render(request, "requests/track.html", context, status=status)


@never_cache  # a form with a CSRF token and a challenge, or a reporter's own request
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Follow a request: type the code (GET shows the form), then add information, reopen
    or rate it (POST with `action`)."""
    if request.method != "POST":
        return _track_page(request, None, "")
    code = services.tracking_normalise(request.POST.get("code", ""))
    found = services.request_by_code(code)
    if found is None:
        return _track_page(request, None, code, error=_("No request has this tracking code."), status=400)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            files = request.FILES.getlist("images")[: settings.ANNINH_REQUESTS_MAX_ATTACHMENTS + 1]
            if any(f.size > settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES for f in files):
                raise services.RequestError(
                    "attachment.too_large",
                    _("A picture is larger than %(size)s MB.")
                    % {"size": settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
                    "images",
                )
            images = [f.read() for f in files]
            services.request_add_info(request=found, text=request.POST.get("text", ""), images=images)
            done = _("Your information was added.")
        elif action == "reopen":
            found = services.request_reopen(request=found, reason=request.POST.get("text", ""))
            done = _("Your request is open again.")
        elif action == "rate":
            try:
                rating = int(request.POST.get("rating", ""))
            except ValueError:
                rating = 0
            services.request_rate(request=found, rating=rating)
            done = _("Thank you for your rating.")
        else:
            done = ""
    except services.RequestError as exc:
        return _track_page(request, found, code, error=exc.message, status=400)
    if action:
        found = services.request_by_code(code)
    return _track_page(request, found, code, done=done)

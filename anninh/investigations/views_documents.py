"""Documents held as evidence (with their photographed seal and its check against the register)
and the register of seal specimens."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anninh.accounts.permissions import audit_denied, require_roles
from anninh.accounts.roles import Role
from anninh.investigations import documents, services
from anninh.investigations.access import APP_ROLES, child_or_404, require_team
from anninh.investigations.models import Document, SealCheck, SealSpecimen
from anninh.investigations.views import _ctx, investigation_page
from anninh.lib.dates import InvalidDate, parse_date_vn


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.replace(",", " ").split() if x.isdigit()][:200]


@investigation_page
def document_list(request: HttpRequest, inv) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        require_team(request.user, inv, path=request.path)
        post = request.POST
        issued_on = None
        if post.get("issued_on"):
            try:
                issued_on = parse_date_vn(post["issued_on"])
            except InvalidDate:
                errors.append(_("Not a date: write dd/mm/yyyy."))
        photo = request.FILES.get("photo")
        if not post.get("kind") or not post.get("issuing_body"):
            errors.append(_("Give the document's kind and its issuing body."))
        if not errors:
            try:
                doc = documents.document_create(
                    actor=request.user,
                    investigation=inv,
                    kind=post["kind"][:100],
                    number=post.get("number", "")[:100],
                    issuing_body=post["issuing_body"][:300],
                    issuing_body_code=post.get("issuing_body_code", "")[:40],
                    issued_on=issued_on,
                    seal_text=post.get("seal_text", "")[:300],
                    seal_description=post.get("seal_description", ""),
                    signature_description=post.get("signature_description", ""),
                    photo=photo.read(documents.MAX_PHOTO_BYTES + 1) if photo else None,
                    photo_type=photo.content_type if photo else "",
                )
                return redirect(reverse("investigations:document", args=[inv.pk, doc.pk]))
            except ValidationError as exc:
                errors.extend(exc.messages)
    elif request.method != "GET":
        return HttpResponse(status=405)
    services.investigation_read_record(viewer=request.user, investigation=inv, what="documents")
    rows = list(
        Document.objects.restrict(request.user)
        .filter(investigation=inv)
        .select_related("checked_by")
        .defer("photo")
    )
    return render(request, "investigations/documents.html", _ctx(request, inv, documents=rows, errors=errors))


@investigation_page
def document_detail(request: HttpRequest, inv, did: int) -> HttpResponse:
    doc = child_or_404(Document.objects, request.user, inv, did, path=request.get_full_path()[:500])
    if request.method == "POST":
        require_team(request.user, inv, path=request.path)
        try:
            if request.POST.get("action") == "check":
                documents.document_check(actor=request.user, document=doc, note=request.POST.get("note", ""))
                messages.success(request, _("The check against the register is recorded."))
            elif request.POST.get("action") == "link":
                documents.document_link(
                    actor=request.user,
                    document=doc,
                    entity_ids=_ids(request.POST.get("entities", "")),
                    link_ids=_ids(request.POST.get("links", "")),
                )
                messages.success(request, _("Linked."))
            else:
                messages.error(request, _("Choose what to do."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("investigations:document", args=[inv.pk, doc.pk]))
    if request.method != "GET":
        return HttpResponse(status=405)
    services.investigation_read_record(
        viewer=request.user, investigation=inv, what="document", document=doc.pk
    )
    return render(
        request,
        "investigations/document.html",
        _ctx(
            request,
            inv,
            doc=doc,
            entities=list(doc.entities.restrict(request.user)),
            links=list(doc.links.restrict(request.user).select_related("source", "target")),
            forged=doc.check_result == SealCheck.FORGED,
        ),
    )


@require_GET
@investigation_page
def document_photo(request: HttpRequest, inv, did: int) -> HttpResponse:
    doc = child_or_404(Document.objects, request.user, inv, did, path=request.get_full_path()[:500])
    if not doc.photo:
        raise Http404
    services.investigation_read_record(
        viewer=request.user, investigation=inv, what="document_photo", document=doc.pk
    )
    response = HttpResponse(bytes(doc.photo), content_type=doc.photo_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_roles(*APP_ROLES)
def seal_register(request: HttpRequest) -> HttpResponse:
    """The register of seal specimens of public bodies: read by the investigations roles,
    imported from a file by investigators and commanders (dry run first)."""
    result = None
    if request.method == "POST":
        if not request.user.has_role(Role.INVESTIGATOR, Role.COMMANDER):
            audit_denied(request, reason="role")
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file (CSV or XLSX)."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                path.write_bytes(upload.read())
                result = documents.seal_register_import(
                    actor=request.user,
                    path=path,
                    file_name=upload.name,
                    dry_run=request.POST.get("commit") != "1",
                )
    elif request.method != "GET":
        return HttpResponse(status=405)
    query = (request.GET.get("q") or "").strip()[:100]
    qs = SealSpecimen.objects.order_by("body_name", "id")
    if query:
        qs = qs.filter(body_name__icontains=query) | qs.filter(body_code__iexact=query)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "investigations/seals.html",
        {
            "page": page,
            "query": query,
            "result": result,
            "may_import": request.user.has_role(Role.INVESTIGATOR, Role.COMMANDER),
        },
    )

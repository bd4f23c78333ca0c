"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), in JSON and XML.

    GET  services.{fmt}                 the services (service_code, service_name, ... group)
    GET  services/{service_code}.{fmt}  a service definition (its attributes)
    GET  requests.{fmt}                 requests (by service_request_id, or the listed ones)
    POST requests.{fmt}                 file a request (form-encoded, as the spec says)
    GET  requests/{id}.{fmt}            one request
    GET  tokens/{token}.{fmt}           the request id of a token

Our choices where the spec leaves them open:
- POST needs an `api_key` of an Open311Client (issued by an administrator) while
  ANNINH_OPEN311_KEY_REQUIRED is on (the default): a citizen's own phone uses the web form,
  which has the proof of work; systems that post for many people are known by their key.
  Without the setting, keyless POSTs are limited per address like the form.
- Location: `lat`+`long` (routed by the commune they fall in) or `address_string` (with
  the attribute `commune`, an NSO code, for routing; otherwise the duty desk routes it).
- Every service definition has three attributes: `anonymity` (public, confidential,
  anonymous; default: confidential when a name, email or phone is sent, else anonymous),
  `commune` and `organisation`. `device_id` and `account_id` are not stored.
- The public never gets a request's description, the sender or the exact point: GET
  answers give the service, the status, the police's status notes, the unit, the dates and
  the commune (its name as `address`, its representative point as `lat`/`long`).
  `description` is always empty and `media_url` is never given. Listing without ids returns
  only the services listed publicly (not tips or complaints), of the last 90 days by default.
- The POST answer carries both `service_request_id` and `token`; its `service_notice`
  gives the reporter's tracking code (to pass on to them) and the answer date.
- Errors are the spec's list of {code, description} (XML: <errors><error>), with HTTP 400
  (bad or missing parameter), 403 (api_key), 404 (unknown service, request, token or
  jurisdiction), 429 (too many requests from one address).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from anninh import pagecache
from anninh.accounts.permissions import audit_denied
from anninh.audit.context import current as audit_context
from anninh.geo.models import Commune
from anninh.requests import protection, selectors, services
from anninh.requests.models import Anonymity, Open311Client, RequestSource, Service, ServiceRequest

MAX_RESULTS = 1000

#: The XML element of one item of each list (the spec's names).
XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error"}


def _language(request: HttpRequest) -> str:
    lang = (translation.get_language() or "vi")[:2]
    return "en" if lang == "en" else "vi"


def _xml(root_tag: str, payload) -> bytes:
    def fill(parent: ET.Element, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, list):
                    holder = ET.SubElement(parent, key)
                    child_tag = {"attributes": "attribute", "values": "value"}.get(key, key[:-1])
                    for element in item:
                        fill(ET.SubElement(holder, child_tag), element)
                else:
                    fill(ET.SubElement(parent, key), item)
        elif value is None:
            return
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        else:
            parent.text = str(value)

    root = ET.Element(root_tag)
    if isinstance(payload, list):
        for item in payload:
            fill(ET.SubElement(root, XML_ITEM[root_tag]), item)
    else:
        fill(root, payload)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def _render(fmt: str, root_tag: str, payload, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root_tag, payload), status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return _render(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)


def w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _jurisdiction_ok(request: HttpRequest) -> bool:
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    return given in ("", settings.ANNINH_OPEN311_JURISDICTION)


# --- Services ---------------------------------------------------------------------------------


def service_public(service: Service, lang: str) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name(lang),
        "description": service.description(lang),
        "metadata": True,
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.get_group_display(),
    }


def service_definition(service: Service) -> dict:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": "anonymity",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("How the sender's name may be used."),
                "order": 1,
                "description": _("Anonymity"),
                "values": [{"key": value, "name": str(label)} for value, label in Anonymity.choices],
            },
            {
                "variable": True,
                "code": "commune",
                "datatype": "string",
                "required": False,
                "datatype_description": _("The 5-digit code of the commune, ward or special zone."),
                "order": 2,
                "description": _("Commune"),
            },
            {
                "variable": True,
                "code": "organisation",
                "datatype": "string",
                "required": False,
                "datatype_description": _("For a business: its name."),
                "order": 3,
                "description": _("Business or organisation"),
            },
        ],
    }


@pagecache.public_page(pagecache.SERVICES)
@require_safe
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return _errors(fmt, 404, "jurisdiction_id not found")
    lang = _language(request)
    return _render(fmt, "services", [service_public(s, lang) for s in selectors.services_active()])


@pagecache.public_page(pagecache.SERVICES)
@require_safe
def service_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return _errors(fmt, 404, "jurisdiction_id not found")
    service = selectors.services_active().filter(code=code).first()
    if service is None:
        return _errors(fmt, 404, f"service_code {code} not found")
    return _render(fmt, "service_definition", service_definition(service))


# --- Requests ---------------------------------------------------------------------------------


def request_public(item: ServiceRequest, lang: str) -> dict:
    """What anyone may read about a request (see the module's docstring)."""
    commune = item.commune
    return {
        "service_request_id": item.public_id,
        "status": item.open311_status,
        "status_notes": getattr(item, "last_public_note", None) or "",
        "service_name": item.service.name(lang),
        "service_code": item.service.code,
        "description": "",
        "agency_responsible": item.unit.name_en if lang == "en" and item.unit.name_en else item.unit.name,
        "service_notice": "",
        "requested_datetime": w3c(item.submitted_at),
        "updated_datetime": w3c(item.updated_at),
        "expected_datetime": w3c(timezone.make_aware(dt.datetime.combine(item.due_on, dt.time(23, 59, 59)))),
        "address": commune.name if commune else "",
        "address_id": "",
        "zipcode": "",
        "lat": commune.point_lat if commune else None,
        "long": commune.point_lon if commune else None,
        "media_url": "",
    }


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    problems = []
    start = end = None
    for name in ("start_date", "end_date"):
        raw = params.get(name, "")
        if raw:
            try:
                parsed = parse_datetime(raw)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                problems.append(f"{name} must be a W3C date and time with its offset")
            elif name == "start_date":
                start = parsed
            else:
                end = parsed
    statuses = _split(params.get("status", ""))
    if set(statuses) - {"open", "closed"}:
        problems.append("status must be open, closed or both")
    if problems:
        return _errors(fmt, 400, *problems)
    found = selectors.open311_requests(
        ids=_split(params.get("service_request_id", "")) or None,
        service_codes=_split(params.get("service_code", "")) or None,
        start=start,
        end=end,
        statuses=statuses or None,
        limit=MAX_RESULTS,
    )
    lang = _language(request)
    return _render(fmt, "service_requests", [request_public(r, lang) for r in found])


def _client(request: HttpRequest) -> tuple[Open311Client | None, bool]:
    """(client, ok): the client of the api_key; ok is False when a key is needed and bad."""
    key = request.POST.get("api_key", "")
    client = None
    if key:
        digest = hashlib.sha256(key.encode()).hexdigest()
        client = Open311Client.objects.filter(key_hash=digest, active=True).first()
        if client is None:
            return None, False
    if client is None and settings.ANNINH_OPEN311_KEY_REQUIRED:
        return None, False
    return client, True


def _float(value: str, name: str, problems: list[str]) -> float | None:
    if value in ("", None):
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(f"{name} is not a number")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        problems.append(f"{name} is not a number")
        return None
    return number


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    client, ok = _client(request)
    if not ok:
        audit_denied(request, reason="api_key")
        return _errors(fmt, 403, "api_key missing or invalid")
    data = request.POST
    problems: list[str] = []
    code = data.get("service_code", "")
    if not code:
        problems.append("service_code missing")
    lat = _float(data.get("lat", ""), "lat", problems)
    lon = _float(data.get("long", ""), "long", problems)
    address = data.get("address_string", "") or data.get("address_id", "")
    if (lat is None or lon is None) and not address:
        problems.append("a location is required: lat and long, or address_string")
    attributes = {}
    for key, value in data.items():
        if key.startswith("attribute[") and key.endswith("]"):
            attributes[key[len("attribute[") : -1]] = value
    if problems:
        return _errors(fmt, 400, *problems)
    if not Service.objects.filter(code=code, active=True).exists():
        return _errors(fmt, 404, f"service_code {code} not found")
    name = " ".join(p for p in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if p)
    phone, email = data.get("phone", ""), data.get("email", "")
    anonymity = attributes.pop("anonymity", "") or (
        Anonymity.CONFIDENTIAL if (name or phone or email) else Anonymity.ANONYMOUS
    )
    commune = attributes.pop("commune", "")
    organisation = attributes.pop("organisation", "")
    if data.get("media_url"):
        attributes["media_url"] = data["media_url"][:500]
    submission = services.Submission(
        service_code=code,
        description=data.get("description", ""),
        anonymity=anonymity,
        commune_code=commune,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        address=address,
        name=name,
        phone=phone,
        email=email,
        organisation=organisation,
        attributes=attributes,
    )
    client_ip = None if client is not None else audit_context().client_ip
    try:
        created, tracking = services.request_submit(
            data=submission, client_ip=client_ip, source=RequestSource.OPEN311, api_client=client
        )
    except services.RequestError as exc:
        field = "attribute[anonymity]" if exc.field == "anonymity" else exc.field
        return _errors(fmt, 400, f"{field}: {exc.message}" if field else exc.message)
    except protection.Refused:
        return _errors(fmt, 429, "too many requests from this address; try again later")
    notice = _("Tracking code for the sender: %(code)s. Answer expected by %(date)s.") % {
        "code": tracking,
        "date": created.due_on.strftime("%d/%m/%Y"),
    }
    return _render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": created.public_id,
                "token": created.token,
                "service_notice": notice,
                "account_id": None,
            }
        ],
        status=201,
    )


@csrf_exempt  # a machine API: form-encoded POSTs from other systems, authenticated by api_key
@require_http_methods(["GET", "HEAD", "POST"])
@pagecache.public_page(pagecache.REQUESTS)  # GET only: a POST is never cached
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return _errors(fmt, 404, "jurisdiction_id not found")
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@pagecache.public_page(pagecache.REQUESTS)
@require_safe
def request_detail(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return _errors(fmt, 404, "jurisdiction_id not found")
    found = selectors.open311_requests(ids=[public_id], limit=1)
    if not found:
        return _errors(fmt, 404, f"service_request_id {public_id} not found")
    return _render(fmt, "service_requests", [request_public(found[0], _language(request))])


@require_safe
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return _errors(fmt, 404, "jurisdiction_id not found")
    found = selectors.open311_by_token(token)
    if found is None:
        return _errors(fmt, 404, f"token {token} not found")
    return _render(fmt, "service_requests", [{"service_request_id": found.public_id, "token": found.token}])


def commune_exists(code: str) -> bool:
    return Commune.objects.filter(code=code).exists()

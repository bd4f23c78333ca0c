"""Pages: incidents. The list (filters via htmx, and a map of the same filtered set), one
incident with its review actions and timeline, and the create/edit form with inline
offences, people, losses and the fire-and-rescue report.

Views parse the request, call one service or selector, and render. Reads go through
anninh.records.selectors.incidents (scoped to the viewer); writes through
anninh.records.services.incidents / review.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.datefields import date_message, validate_date_range
from anninh.geo.models import Commune
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.lib.errors import ValidationProblem
from anninh.lib.money import parse_vnd
from anninh.org.models import Unit
from anninh.records.masking import mask_address
from anninh.records.models import (
    FIRE_RESCUE_KINDS,
    IncidentKind,
    OffenceGroup,
    PersonRole,
    PremisesType,
    ReviewStatus,
    River,
    Sex,
)
from anninh.records.permissions import acting_unit_ids, can_review
from anninh.records.scoping import sees_personal_data
from anninh.records.selectors import incidents as selectors
from anninh.records.selectors.incidents import IncidentFilters
from anninh.records.services import incidents as services
from anninh.records.services.review import available_moves, incident_review
from anninh.records.versioning import ConflictError, RecordError

# Who reads incidents (each within their scope), and who writes them.
READER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE)
WRITER_ROLES = services.WRITER_ROLES
FIRE_RESCUE_FILTER = "fire_rescue"  # the kind filter's "every fire, explosion and rescue"
RESCUE_FILTER = "rescue"  # every rescue (not fires or explosions)
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUTS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def forbidden(request: HttpRequest, exc: RecordError) -> None:
    """A service refused for permission: audit it and answer 403."""
    audit_denied(request, reason=exc.code)
    raise PermissionDenied(exc.message)


# Filters --------------------------------------------------------------------------------


def parse_filters(params) -> tuple[IncidentFilters, dict[str, str]]:
    """IncidentFilters from a query string, and messages for the values that were refused."""
    errors: dict[str, str] = {}
    kind = params.get("kind", "")
    kinds: tuple[str, ...] = ()
    if kind == FIRE_RESCUE_FILTER:
        kinds = tuple(sorted(FIRE_RESCUE_KINDS))
    elif kind == RESCUE_FILTER:
        kinds = tuple(
            sorted(k for k in FIRE_RESCUE_KINDS if k not in (IncidentKind.FIRE, IncidentKind.EXPLOSION))
        )
    elif kind in IncidentKind.values:
        kinds = (kind,)
    dates: dict[str, dt.date | None] = {}
    for name in ("date_from", "date_to"):
        raw = params.get(name, "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_date_vn(raw)
            except InvalidDate as exc:
                errors[name] = date_message(exc)
    if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
        errors["date_to"] = _("The end date is before the start date.")
    unit = params.get("unit", "")
    group = params.get("offence_group", "")
    review = params.get("review_status", "")
    commune = params.get("commune", "")
    filters = IncidentFilters(
        q=params.get("q", "")[:200],
        kinds=kinds,
        offence_group=group if group in OffenceGroup.values else "",
        article=params.get("article", "")[:12],
        commune=commune if commune.isdigit() and len(commune) == 5 else "",
        unit_id=int(unit) if unit.isdigit() and len(unit) < 12 else None,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        review_status=review if review in ReviewStatus.values else "",
    )
    return filters, errors


def _filter_options() -> dict[str, Any]:
    return {
        "kinds": IncidentKind.choices,
        "groups": OffenceGroup.choices,
        "review_statuses": ReviewStatus.choices,
        "communes": list(Commune.objects.order_by("sort_key", "code").values_list("code", "name")),
        "units": list(
            Unit.objects.active().order_by("kind", "sort_key", "code").values_list("pk", "code", "name")
        ),
        "fire_rescue_filter": FIRE_RESCUE_FILTER,
        "rescue_filter": RESCUE_FILTER,
    }


def _map_config() -> dict[str, Any]:
    return {
        "dataUrl": reverse("api:records_incident_map"),
        "geojsonUrl": reverse("api:geo_communes_geojson"),
        "detailUrl": reverse("records:incident_detail", args=[0]).replace("/0/", "/{id}/"),
        "kinds": {value: str(label) for value, label in IncidentKind.choices},
        "fireRescueKinds": sorted(FIRE_RESCUE_KINDS),
        "labels": {
            "incidents": _("incidents"),
            "zoomIn": _("Zoom in to see these incidents"),
            "open": _("Open"),
            "loadError": _("The map could not be loaded."),
            "truncated": _("Only the newest incidents are drawn: narrow the filters to see all of them."),
            "withoutPoint": _("incidents in this list have no point on the map."),
        },
    }


@require_roles(*READER_ROLES)
def incident_list(request: HttpRequest) -> HttpResponse:
    from anninh.records.views.cases import READER_ROLES as CASE_READER_ROLES  # cases imports this module

    filters, filter_errors = parse_filters(request.GET)
    page = selectors.incident_page(viewer=request.user, filters=filters, page=request.GET.get("page", 1))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filter_errors": filter_errors,
        "params": request.GET,
        "querystring": params.urlencode(),
        "can_create": request.user.has_role(*WRITER_ROLES) and bool(acting_unit_ids(request.user)),
        # Fire and rescue read incidents but not cases: no link to a page that refuses them.
        "may_read_cases": request.user.has_role(*CASE_READER_ROLES),
        "active_nav": "incidents",
    }
    if request.htmx and request.htmx.target == "incident-results":
        return render(request, "records/incidents/_results.html", context)
    context.update(_filter_options())
    context["map_config"] = _map_config()
    return render(request, "records/incidents/list.html", context)


# One incident ---------------------------------------------------------------------------


def _incident_or_404(request: HttpRequest, pk: int):
    return get_scoped_or_404(selectors.incident_detail_queryset(viewer=request.user), request.user, pk=pk)


def may_edit(user, incident) -> bool:
    if not user.has_role(*WRITER_ROLES):
        return False
    if incident.responsible_unit_id in acting_unit_ids(user) or can_review(
        user, incident.responsible_unit_id
    ):
        return incident.review_status != ReviewStatus.SUBMITTED or can_review(
            user, incident.responsible_unit_id
        )
    return False


@require_roles(*READER_ROLES)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_or_404(request, pk)
    viewer = request.user
    services.incident_viewed(actor=viewer, incident=incident)
    cases = selectors.incident_cases(viewer=viewer, incident=incident)
    can_open_case = (
        viewer.has_role(Role.INVESTIGATOR, Role.COMMUNE_OFFICER)
        and incident.responsible_unit_id in acting_unit_ids(viewer)
        and bool(incident.offence_group)
        and not any(c.status != "transferred" for c in cases)
    )
    personal = sees_personal_data(viewer)
    context = {
        "incident": incident,
        # Without personal data: the street without the house number, and no narrative.
        "address_shown": incident.address if personal else mask_address(incident.address),
        "narrative_withheld": not personal and bool(incident.narrative),
        "offences": selectors.incident_offences(viewer=viewer, incident=incident),
        "persons": selectors.incident_persons(viewer=viewer, incident=incident),
        "losses": list(incident.losses.all()),
        "fire_rescue": selectors.incident_fire_rescue(incident=incident),
        "response_times": selectors.incident_response_times(incident=incident),
        "reports": selectors.incident_reports(viewer=viewer, incident=incident),
        "cases": cases,
        "timeline": selectors.incident_timeline(viewer=viewer, incident=incident),
        "moves": available_moves(viewer, status=incident.review_status, unit_id=incident.responsible_unit_id),
        "can_edit": may_edit(viewer, incident),
        "can_open_case": can_open_case,
        "is_fire_rescue": incident.kind in FIRE_RESCUE_KINDS,
        "point": {"lat": incident.lat, "lon": incident.lon} if incident.lat is not None else None,
        "map_config": {"geojsonUrl": reverse("api:geo_communes_geojson")},
        "active_nav": "incidents",
    }
    return render(request, "records/incidents/detail.html", context)


@require_POST
@require_roles(*WRITER_ROLES)
def incident_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_or_404(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        incident_review(
            actor=request.user,
            incident=incident,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
            version=version,
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
    except RecordError as exc:
        if exc.code.startswith("permission."):
            forbidden(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Review status: %(status)s.") % {"status": ReviewStatus(incident.review_status).label}
        )
    return redirect("records:incident_detail", pk=incident.pk)


# The form -------------------------------------------------------------------------------


class FastSelect(forms.Select):
    """A select rendered in one pass, without a template per option (long lists: the 114
    communes, the police units), with the same attributes as Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        current = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), mark_safe(" selected") if str(v) == current else "", label)
                for v, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class VNDateTimeField(forms.DateTimeField):
    """dd/mm/yyyy hh:mm (24 h), local time, whatever the interface language."""

    widget = forms.DateTimeInput(
        format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}
    )
    input_formats = DATETIME_INPUTS
    default_validators = [validate_date_range]  # years 1 and 9999 parse, then overflow in UTC
    default_error_messages = {
        "invalid": gettext_lazy("Enter the date and time as dd/mm/yyyy hh:mm, e.g. 05/11/2026 14:30.")
    }


class VNDField(forms.CharField):
    """An amount in đồng typed the Vietnamese way ("12.500.000"); whole numbers only."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "placeholder": "12.500.000", "class": "num"})

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return 0 if not self.required else value
        try:
            return parse_vnd(value)
        except ValidationProblem as exc:
            raise forms.ValidationError(services.money_message(exc.code), code=exc.code) from None


class CoordinateField(forms.CharField):
    """A latitude or longitude in decimal degrees; "20,8612" (decimal comma) is accepted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = (super().clean(value) or "").strip().replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a number in decimal degrees, e.g. 20.8612."), code="invalid"
            ) from None
        if not math.isfinite(number):
            raise forms.ValidationError(_("Enter a number in decimal degrees, e.g. 20.8612."), code="invalid")
        return number


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    occurred_from = VNDateTimeField(label=gettext_lazy("Occurred at (or from)"))
    occurred_to = VNDateTimeField(
        label=gettext_lazy("Occurred until"),
        required=False,
        help_text=gettext_lazy("Only when the exact time is unknown: the end of the window."),
    )
    reported_at = VNDateTimeField(label=gettext_lazy("Reported at"))
    responsible_unit = forms.TypedChoiceField(label=gettext_lazy("Responsible unit"), coerce=int)
    lat = CoordinateField(label=gettext_lazy("Latitude"))
    lon = CoordinateField(label=gettext_lazy("Longitude"))
    commune = forms.ChoiceField(
        label=gettext_lazy("Commune"),
        required=False,
        widget=FastSelect,
        help_text=gettext_lazy("Taken from the point when there is one."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    premises = forms.ChoiceField(
        label=gettext_lazy("Premises"), choices=PremisesType.choices, initial=PremisesType.OTHER
    )
    narrative = forms.CharField(
        label=gettext_lazy("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    crime_reports = forms.CharField(
        label=gettext_lazy("Linked crime reports"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Register numbers, separated by commas."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required: this incident is already approved."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = services.writer_kinds(actor)
        self.fields["kind"].choices = [(v, label) for v, label in IncidentKind.choices if v in kinds]
        unit_ids = set(acting_unit_ids(actor))
        if incident is not None:
            unit_ids.add(incident.responsible_unit_id)
        units = Unit.objects.filter(pk__in=unit_ids).order_by("kind", "sort_key", "code")
        self.fields["responsible_unit"].choices = [(u.pk, str(u)) for u in units]
        if len(unit_ids) == 1:
            self.fields["responsible_unit"].initial = next(iter(unit_ids))
        self.fields["commune"].choices = [
            ("", "—"),
            *Commune.objects.order_by("sort_key", "code").values_list("code", "name"),
        ]
        # An edit must say which version it started from (optimistic locking).
        self.fields["version"].required = incident is not None
        if incident is None or incident.review_status != ReviewStatus.APPROVED:
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        return data


class OffenceForm(forms.Form):
    article = forms.CharField(
        label=gettext_lazy("Article"),
        max_length=20,
        widget=forms.TextInput(attrs={"list": "offence-articles", "size": 6}),
    )
    clause = forms.IntegerField(label=gettext_lazy("Clause"), required=False, min_value=1, max_value=10)
    is_main = forms.BooleanField(label=gettext_lazy("Main"), required=False)


SEX_FORM_CHOICES = [("", Sex.UNKNOWN.label), (Sex.MALE, Sex.MALE.label), (Sex.FEMALE, Sex.FEMALE.label)]


class PersonForm(forms.Form):
    person_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[(v, label) for v, label in PersonRole.choices if v != PersonRole.REPORTER],
        initial=PersonRole.VICTIM,
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150, required=False)
    cccd = forms.CharField(
        label=gettext_lazy("Citizen ID (CCCD)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    birth_year = forms.IntegerField(
        label=gettext_lazy("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    # "" stands for not known, so an untouched extra row stays empty (has_changed).
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=SEX_FORM_CHOICES, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    IDENTITY = ("full_name", "cccd", "phone", "birth_year", "sex")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        linked = self.initial.get("person_id") or (
            self.is_bound and self.data.get(self.add_prefix("person_id"))
        )
        if linked:
            # A person already linked: their identity is changed on the person's own page.
            for name in self.IDENTITY:
                self.fields[name].widget.attrs.update({"readonly": True, "tabindex": "-1"})
            self.fields["full_name"].help_text = _("Already on file: only the role and note change here.")


class LossForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Property"), max_length=300)
    value_vnd = VNDField(label=gettext_lazy("Value (đ)"))
    recovered = forms.BooleanField(label=gettext_lazy("Recovered"), required=False)


class FireRescueForm(forms.Form):
    cause = forms.CharField(label=gettext_lazy("Cause"), max_length=300, required=False)
    dead = forms.IntegerField(
        label=gettext_lazy("Dead"), min_value=0, max_value=services.MAX_COUNT, initial=0, required=False
    )
    injured = forms.IntegerField(
        label=gettext_lazy("Injured"), min_value=0, max_value=services.MAX_COUNT, initial=0, required=False
    )
    rescued = forms.IntegerField(
        label=gettext_lazy("People rescued"),
        min_value=0,
        max_value=services.MAX_COUNT,
        initial=0,
        required=False,
    )
    victims_found = forms.IntegerField(
        label=gettext_lazy("Victims found"),
        min_value=0,
        max_value=services.MAX_COUNT,
        initial=0,
        required=False,
    )
    damage_vnd = VNDField(label=gettext_lazy("Property damage (đ)"), required=False)
    forces = forms.IntegerField(
        label=gettext_lazy("Officers mobilised"),
        min_value=0,
        max_value=services.MAX_COUNT,
        initial=0,
        required=False,
    )
    vehicles = forms.IntegerField(
        label=gettext_lazy("Vehicles mobilised"),
        min_value=0,
        max_value=services.MAX_COUNT,
        initial=0,
        required=False,
    )
    river = forms.ChoiceField(
        label=gettext_lazy("River"), choices=[("", "—"), *River.choices], required=False
    )
    vessel = forms.CharField(label=gettext_lazy("Vessel"), max_length=200, required=False)


class ResponseTimeForm(forms.Form):
    unit = forms.CharField(
        label=gettext_lazy("Unit (code)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"list": "unit-codes", "size": 9, "autocomplete": "off", "placeholder": "PC07"}
        ),
    )
    alerted_at = VNDateTimeField(label=gettext_lazy("Alerted"), required=False)
    dispatched_at = VNDateTimeField(label=gettext_lazy("Dispatched"), required=False)
    arrived_at = VNDateTimeField(label=gettext_lazy("Arrived"), required=False)
    controlled_at = VNDateTimeField(label=gettext_lazy("Under control"), required=False)
    ended_at = VNDateTimeField(label=gettext_lazy("Ended"), required=False)

    def __init__(self, *args, unit_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_ids = unit_ids or {}

    def clean_unit(self):
        code = (self.cleaned_data.get("unit") or "").strip().upper()
        if code not in self.unit_ids:
            raise forms.ValidationError(
                _("Choose a unit from the list (its code, e.g. PC07)."), code="unknown"
            )
        return self.unit_ids[code]


OffenceFormSet = forms.formset_factory(
    OffenceForm, extra=1, can_delete=True, max_num=services.MAX_ROWS["offences"], validate_max=True
)
PersonFormSet = forms.formset_factory(
    PersonForm, extra=1, can_delete=True, max_num=services.MAX_ROWS["persons"], validate_max=True
)
LossFormSet = forms.formset_factory(
    LossForm, extra=1, can_delete=True, max_num=services.MAX_ROWS["losses"], validate_max=True
)
ResponseTimeFormSet = forms.formset_factory(
    ResponseTimeForm, extra=1, can_delete=True, max_num=services.MAX_ROWS["response_times"], validate_max=True
)

# Where a service error's field path lands on the page.
_TOP_FIELDS = {
    "kind": "kind",
    "occurred_from": "occurred_from",
    "occurred_to": "occurred_to",
    "reported_at": "reported_at",
    "responsible_unit": "responsible_unit",
    "lat": "lat",
    "lon": "lon",
    "commune": "commune",
    "premises": "premises",
    "address": "address",
    "narrative": "narrative",
    "crime_report_ids": "crime_reports",
    "crime_report_numbers": "crime_reports",
    "reason": "reason",
}


class IncidentEditor:
    """The incident form and its inline rows, bound or not, and the IncidentData they make."""

    def __init__(self, request: HttpRequest, *, incident=None):
        self.request = request
        self.incident = incident
        actor = request.user
        bound = request.method == "POST"
        data = request.POST if bound else None
        self.unit_codes = list(
            Unit.objects.active().order_by("kind", "sort_key", "code").values_list("code", "name")
        )
        unit_ids = dict(Unit.objects.active().values_list("code", "pk"))
        initial = self._initial() if incident is not None and not bound else {}
        self.form = IncidentForm(data, actor=actor, incident=incident, initial=initial.get("main"))
        self.offences = OffenceFormSet(data, prefix="offences", initial=initial.get("offences"))
        self.persons = PersonFormSet(data, prefix="persons", initial=initial.get("persons"))
        self.losses = LossFormSet(data, prefix="losses", initial=initial.get("losses"))
        self.fire_rescue = FireRescueForm(data, prefix="fr", initial=initial.get("fire_rescue"))
        self.response_times = ResponseTimeFormSet(
            data, prefix="rt", initial=initial.get("response_times"), form_kwargs={"unit_ids": unit_ids}
        )
        # Which row each item of the IncidentData lists came from (for error placement).
        self._rows: dict[str, list[forms.Form]] = {}
        self.conflict: str = ""

    def _initial(self) -> dict[str, Any]:
        inc = self.incident
        fr = selectors.incident_fire_rescue(incident=inc)
        people = []
        for link in selectors.person_links_for_form(incident=inc):
            phones = [p.number for p in link.person.phones.all()]
            people.append(
                {
                    "person_id": link.person_id,
                    "role": link.role,
                    "full_name": link.person.full_name,
                    "cccd": link.person.cccd or "",
                    "phone": phones[0] if phones else "",
                    "birth_year": link.person.birth_year,
                    "sex": "" if link.person.sex == Sex.UNKNOWN else link.person.sex,
                    "note": link.note,
                }
            )
        return {
            "main": {
                "kind": inc.kind,
                "occurred_from": inc.occurred_from,
                "occurred_to": inc.occurred_to,
                "reported_at": inc.reported_at,
                "responsible_unit": inc.responsible_unit_id,
                "lat": "" if inc.lat is None else f"{inc.lat:.6f}",
                "lon": "" if inc.lon is None else f"{inc.lon:.6f}",
                "commune": inc.commune_id,
                "address": inc.address,
                "premises": inc.premises,
                "narrative": inc.narrative,
                "version": inc.version,
                "crime_reports": ", ".join(
                    inc.crime_reports.order_by("register_number").values_list("register_number", flat=True)
                ),
            },
            "offences": [
                {"article": link.offence.article, "clause": link.clause, "is_main": link.is_main}
                for link in selectors.incident_offences(viewer=self.request.user, incident=inc)
            ],
            "persons": people,
            "losses": [
                {"description": loss.description, "value_vnd": loss.value_vnd, "recovered": loss.recovered}
                for loss in inc.losses.all()
            ],
            "fire_rescue": {
                name: getattr(fr, name)
                for name in (
                    "cause",
                    "dead",
                    "injured",
                    "rescued",
                    "victims_found",
                    "damage_vnd",
                    "forces",
                    "vehicles",
                    "river",
                    "vessel",
                )
            }
            if fr
            else None,
            "response_times": [
                {"unit": rt.unit.code, **{step: getattr(rt, step) for step in services.RESPONSE_STEPS}}
                for rt in selectors.incident_response_times(incident=inc)
            ],
        }

    @property
    def formsets(self):
        return [self.offences, self.persons, self.losses, self.response_times]

    def is_valid(self) -> bool:
        ok = self.form.is_valid()
        for formset in self.formsets:
            ok = formset.is_valid() and ok
        kind = self.form.cleaned_data.get("kind") if hasattr(self.form, "cleaned_data") else None
        if kind in FIRE_RESCUE_KINDS:
            ok = self.fire_rescue.is_valid() and ok
        return ok

    @staticmethod
    def _rows_of(formset) -> list[forms.Form]:
        """Rows to save: those loaded from the record and those filled in, not deleted."""
        initial = formset.initial_form_count()
        return [
            f
            for i, f in enumerate(formset.forms)
            if (i < initial or f.has_changed()) and not formset._should_delete_form(f)
        ]

    def data(self) -> services.IncidentData:
        c = self.form.cleaned_data
        self._rows = {
            "offences": self._rows_of(self.offences),
            "persons": self._rows_of(self.persons),
            "losses": self._rows_of(self.losses),
            "response_times": self._rows_of(self.response_times),
        }
        fire = None
        if c["kind"] in FIRE_RESCUE_KINDS:
            f = self.fire_rescue.cleaned_data
            fire = services.FireRescueData(
                cause=f.get("cause") or "",
                **{
                    n: f.get(n) or 0
                    for n in ("dead", "injured", "rescued", "victims_found", "forces", "vehicles")
                },
                damage_vnd=f.get("damage_vnd") or 0,
                river=f.get("river") or "",
                vessel=f.get("vessel") or "",
                response_times=tuple(
                    services.ResponseTimeData(
                        unit_id=r.cleaned_data["unit"],
                        **{s: r.cleaned_data.get(s) for s in services.RESPONSE_STEPS},
                    )
                    for r in self._rows["response_times"]
                ),
            )
        numbers = [
            n.strip() for n in (c.get("crime_reports") or "").replace(";", ",").split(",") if n.strip()
        ]
        return services.IncidentData(
            kind=c["kind"],
            occurred_from=c["occurred_from"],
            occurred_to=c.get("occurred_to"),
            reported_at=c["reported_at"],
            responsible_unit_id=c["responsible_unit"],
            lat=c.get("lat"),
            lon=c.get("lon"),
            commune_code=c.get("commune") or "",
            address=c.get("address") or "",
            premises=c["premises"],
            narrative=c.get("narrative") or "",
            offences=tuple(
                services.OffenceData(
                    article=r.cleaned_data["article"],
                    clause=r.cleaned_data.get("clause"),
                    is_main=bool(r.cleaned_data.get("is_main")),
                )
                for r in self._rows["offences"]
            ),
            persons=tuple(
                services.PersonData(
                    role=r.cleaned_data["role"],
                    full_name=r.cleaned_data.get("full_name") or "",
                    cccd=r.cleaned_data.get("cccd") or "",
                    phone=r.cleaned_data.get("phone") or "",
                    birth_year=r.cleaned_data.get("birth_year"),
                    sex=r.cleaned_data.get("sex") or "",
                    note=r.cleaned_data.get("note") or "",
                    person_id=r.cleaned_data.get("person_id"),
                )
                for r in self._rows["persons"]
            ),
            losses=tuple(
                services.LossData(
                    description=r.cleaned_data["description"],
                    value_vnd=r.cleaned_data["value_vnd"],
                    recovered=bool(r.cleaned_data.get("recovered")),
                )
                for r in self._rows["losses"]
            ),
            crime_report_numbers=tuple(numbers),
            fire_rescue=fire,
        )

    def add_errors(self, exc: RecordError) -> None:
        """Put each problem next to its field (or on top of the form)."""
        for error in getattr(exc, "errors", [exc]):
            self._place(error.field or "", error.message)

    def _place(self, path_: str, message: str) -> None:
        parts = path_.split(".")
        head = parts[0]
        if head in _TOP_FIELDS and _TOP_FIELDS[head] in self.form.fields:
            self.form.add_error(_TOP_FIELDS[head], message)
            return
        if head == "fire_rescue" and len(parts) == 2:
            name = parts[1]
            if name in self.fire_rescue.fields:
                self.fire_rescue.add_error(name, message)
                return
        if head in self._rows and len(parts) >= 2 and parts[1].isdigit():
            rows = self._rows[head]
            index = int(parts[1])
            if index < len(rows):
                form = rows[index]
                name = parts[2] if len(parts) > 2 else None
                if name == "unit" or (name and name in form.fields):
                    form.add_error(name, message)
                else:
                    form.add_error(None, message)
                return
        self.form.add_error(None, message)

    def context(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "offences": self.offences,
            "persons": self.persons,
            "losses": self.losses,
            "fire_rescue_form": self.fire_rescue,
            "response_times": self.response_times,
            "offence_options": selectors.offence_options(),
            "unit_codes": self.unit_codes,
            "fire_rescue_kinds": sorted(FIRE_RESCUE_KINDS),
            "conflict": self.conflict,
            "form_map_config": {
                "geojsonUrl": reverse("api:geo_communes_geojson"),
                "lookupUrl": reverse("api:geo_lookup"),
                "fireRescueKinds": sorted(FIRE_RESCUE_KINDS),
                "labels": {"outside": _("This point is outside Hai Phong."), "commune": _("Commune")},
            },
        }


def _render_form(request, editor: IncidentEditor, *, incident=None, status: int = 200) -> HttpResponse:
    context = editor.context()
    context.update({"incident": incident, "active_nav": "incidents"})
    return render(request, "records/incidents/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_roles(*WRITER_ROLES)
def incident_create(request: HttpRequest) -> HttpResponse:
    if not acting_unit_ids(request.user):
        audit_denied(request, reason="permission.unit")
        raise PermissionDenied
    editor = IncidentEditor(request)
    if request.method == "POST" and editor.is_valid():
        try:
            incident = services.incident_create(actor=request.user, data=editor.data())
        except RecordError as exc:
            if exc.code.startswith("permission."):
                forbidden(request, exc)
            editor.add_errors(exc)
        else:
            messages.success(
                request, _("Incident %(number)s recorded as a draft.") % {"number": incident.number}
            )
            return redirect("records:incident_detail", pk=incident.pk)
    status = 422 if request.method == "POST" else 200
    return _render_form(request, editor, status=status)


@require_http_methods(["GET", "POST"])
@require_roles(*WRITER_ROLES)
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_or_404(request, pk)
    if not may_edit(request.user, incident):
        audit_denied(
            request, reason="permission.unit", object_type="records.incident", object_id=str(incident.pk)
        )
        raise PermissionDenied
    editor = IncidentEditor(request, incident=incident)
    status = 200
    if request.method == "POST":
        status = 422
        if editor.is_valid():
            try:
                services.incident_update(
                    actor=request.user,
                    incident=incident,
                    data=editor.data(),
                    version=editor.form.cleaned_data.get("version"),
                    reason=editor.form.cleaned_data.get("reason") or "",
                )
            except ConflictError as exc:
                # Keep everything the user typed; load the current version so that saving
                # again (after checking the other changes) is a deliberate choice.
                fresh = selectors.incident_detail_queryset(viewer=request.user).filter(pk=incident.pk).first()
                post = request.POST.copy()
                post["version"] = str(fresh.version if fresh else incident.version)
                request.POST = post
                editor = IncidentEditor(request, incident=fresh or incident)
                editor.is_valid()
                editor.conflict = str(exc)
                status = 409
            except RecordError as exc:
                if exc.code.startswith("permission.") or exc.code == "review.locked":
                    forbidden(request, exc)
                editor.add_errors(exc)
            else:
                messages.success(request, _("Incident %(number)s saved.") % {"number": incident.number})
                return redirect("records:incident_detail", pk=incident.pk)
    return _render_form(request, editor, incident=incident, status=status)


urlpatterns = [
    path("incidents/", incident_list, name="incident_list"),
    path("incidents/new/", incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/review/", incident_review_view, name="incident_review"),
]

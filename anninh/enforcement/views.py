"""Pages of arrests and wanted notices: lists (filtered as the campaign numbers open them),
details (audited reads) and the forms that record them. Parse, call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.accounts.permissions import get_scoped_or_404, require_roles
from anninh.enforcement import selectors, services
from anninh.enforcement.models import READER_ROLES, Arrest, ArrestBasis, WantedPerson, WantedStatus
from anninh.geo.models import Commune
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.lib.text import fold
from anninh.org.models import Unit
from anninh.records.masking import person_label
from anninh.records.models import Case, Person
from anninh.records.permissions import acting_unit_ids
from anninh.records.versioning import RecordError
from anninh.records.views.cases import VNDateField
from anninh.records.views.incidents import FastSelect, VNDateTimeField, forbidden

WRITER_ROLES = ("investigator", "commune_officer")
PAGE_SIZE = 50


def parse_filters(params) -> selectors.EnforcementFilters:
    """Filters from a query string; values that do not parse are ignored."""

    def day(name):
        try:
            return parse_date_vn(params.get(name, "")) if params.get(name) else None
        except InvalidDate:
            return None

    unit = params.get("unit", "")
    basis = params.get("basis", "")
    status = params.get("status", "")
    return selectors.EnforcementFilters(
        unit_id=int(unit) if unit.isdigit() and len(unit) < 10 else None,
        communes=tuple(c[:5] for c in params.getlist("commune") if c.isdigit())[:114],
        date_from=day("date_from"),
        date_to=day("date_to"),
        basis=basis if basis in ArrestBasis.values else "",
        status=status if status in (*WantedStatus.values, "caught") else "",
    )


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_roles(*READER_ROLES)
def arrest_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request.GET)
    page = _page(request, selectors.arrest_list(viewer=request.user, filters=filters))
    return render(
        request,
        "enforcement/arrest_list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query(request),
            "personal": selectors.sees_personal_data(request.user),
            "masked": person_label(1),
            "may_write": bool(acting_unit_ids(request.user)),
            "active_nav": "enforcement",
        },
    )


@require_roles(*READER_ROLES)
def arrest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    arrest = get_scoped_or_404(
        selectors.arrest_list(viewer=request.user),
        request.user,
        unscoped=Arrest.objects.unrestricted(),
        pk=pk,
    )
    services.record_viewed(actor=request.user, obj=arrest)
    return render(
        request,
        "enforcement/arrest_detail.html",
        {
            "arrest": arrest,
            "personal": selectors.sees_personal_data(request.user),
            "masked": person_label(1),
            "active_nav": "enforcement",
        },
    )


@require_roles(*READER_ROLES)
def wanted_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request.GET)
    page = _page(request, selectors.wanted_list(viewer=request.user, filters=filters))
    return render(
        request,
        "enforcement/wanted_list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query(request),
            "personal": selectors.sees_personal_data(request.user),
            "masked": person_label(1),
            "may_write": bool(acting_unit_ids(request.user)),
            "active_nav": "enforcement",
        },
    )


@require_roles(*READER_ROLES)
def wanted_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wanted = get_scoped_or_404(
        selectors.wanted_list(viewer=request.user),
        request.user,
        unscoped=WantedPerson.objects.unrestricted(),
        pk=pk,
    )
    services.record_viewed(actor=request.user, obj=wanted)
    arrests = selectors.arrest_list(viewer=request.user).filter(wanted=wanted)
    return render(
        request,
        "enforcement/wanted_detail.html",
        {
            "wanted": wanted,
            "arrests": arrests,
            "personal": selectors.sees_personal_data(request.user),
            "masked": person_label(1),
            "active_nav": "enforcement",
        },
    )


# Forms ------------------------------------------------------------------------------------


def _person_choices(user, query: str) -> list[tuple[str, str]]:
    """Persons of the index the user may see, matching the typed name (at most 50)."""
    qs = Person.objects.restrict(user).order_by("sort_key", "id")
    if query:
        qs = qs.filter(name_key__contains=fold(query)[:100])
    rows = [
        (str(p.pk), f"{p.full_name} ({p.birth_year or (p.birth_date.year if p.birth_date else '…')})")
        for p in qs.only("pk", "full_name", "birth_year", "birth_date")[:50]
    ]
    return [("", _("Choose a person")), *rows]


def _unit_choices(user) -> list[tuple[str, str]]:
    units = Unit.objects.filter(pk__in=sorted(acting_unit_ids(user))).order_by("sort_key")
    return [(str(u.pk), str(u)) for u in units]


def _commune_choices(blank: bool) -> list[tuple[str, str]]:
    rows = [(c, n) for c, n in Commune.objects.order_by("sort_key").values_list("code", "name")]
    return ([("", _("Choose a commune"))] if blank else []) + rows


class ArrestForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Person"), widget=FastSelect)
    arrested_at = VNDateTimeField(label=gettext_lazy("Arrested at"))
    commune = forms.ChoiceField(label=gettext_lazy("Commune"), widget=FastSelect)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=300, required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), widget=FastSelect)
    basis = forms.ChoiceField(label=gettext_lazy("Legal basis"), choices=ArrestBasis.choices)
    case = forms.CharField(label=gettext_lazy("Case number"), max_length=40, required=False)
    wanted = forms.ChoiceField(label=gettext_lazy("Wanted notice"), required=False, widget=FastSelect)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def __init__(self, *args, user, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _person_choices(user, query)
        self.fields["commune"].choices = _commune_choices(blank=True)
        self.fields["unit"].choices = _unit_choices(user)
        notices = selectors.wanted_list(viewer=user, filters=selectors.EnforcementFilters(status="wanted"))
        self.fields["wanted"].choices = [("", "—")] + [
            (str(w.pk), f"{w.warrant_number} · {w.person.full_name}") for w in notices[:200]
        ]


class WantedForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Person"), widget=FastSelect)
    warrant_number = forms.CharField(label=gettext_lazy("Warrant number"), max_length=60)
    issuing_body = forms.CharField(label=gettext_lazy("Issuing body"), max_length=200)
    issued_on = VNDateField(label=gettext_lazy("Issued on"))
    offence = forms.CharField(label=gettext_lazy("Article of the Penal Code"), max_length=20, required=False)
    commune = forms.ChoiceField(label=gettext_lazy("Commune"), required=False, widget=FastSelect)
    unit = forms.ChoiceField(label=gettext_lazy("Unit in charge"), widget=FastSelect)

    def __init__(self, *args, user, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _person_choices(user, query)
        self.fields["commune"].choices = _commune_choices(blank=True)
        self.fields["unit"].choices = _unit_choices(user)


def _apply_errors(request, form, exc: RecordError) -> None:
    if exc.code.startswith("permission."):
        forbidden(request, exc)
    for error in getattr(exc, "errors", [exc]):
        form.add_error(error.field if error.field in form.fields else None, error.message)


@require_roles(*WRITER_ROLES)
def arrest_new(request: HttpRequest) -> HttpResponse:
    if not acting_unit_ids(request.user):
        forbidden(request, RecordError("permission.unit", _("You cannot act for this unit.")))
    query = (request.POST.get("person_q") or request.GET.get("person_q") or "")[:100]
    form = ArrestForm(request.POST or None, user=request.user, query=query)
    case_id = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["case"].strip():
        # The case the officer names by its number, among the cases they may see.
        case = Case.objects.restrict(request.user).filter(number=form.cleaned_data["case"].strip()).first()
        if case is None:
            form.add_error("case", _("No case with this number among the cases you may see."))
        else:
            case_id = case.pk
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            arrest = services.arrest_create(
                actor=request.user,
                person_id=int(c["person"]),
                arrested_at=c["arrested_at"],
                commune_code=c["commune"],
                unit_id=int(c["unit"]),
                basis=c["basis"],
                place=c["place"],
                case_id=case_id,
                wanted_id=int(c["wanted"]) if c.get("wanted") else None,
                note=c["note"],
            )
        except RecordError as exc:
            _apply_errors(request, form, exc)
        else:
            messages.success(request, _("The arrest was recorded."))
            return redirect("enforcement:arrest_detail", pk=arrest.pk)
    return render(
        request,
        "enforcement/form.html",
        {"form": form, "title": _("Record an arrest"), "query": query, "active_nav": "enforcement"},
    )


@require_roles(*WRITER_ROLES)
def wanted_new(request: HttpRequest) -> HttpResponse:
    if not acting_unit_ids(request.user):
        forbidden(request, RecordError("permission.unit", _("You cannot act for this unit.")))
    query = (request.POST.get("person_q") or request.GET.get("person_q") or "")[:100]
    form = WantedForm(request.POST or None, user=request.user, query=query)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            wanted = services.wanted_create(
                actor=request.user,
                person_id=int(c["person"]),
                warrant_number=c["warrant_number"],
                issuing_body=c["issuing_body"],
                issued_on=c["issued_on"],
                offence_article=c["offence"],
                commune_code=c["commune"],
                unit_id=int(c["unit"]),
            )
        except RecordError as exc:
            _apply_errors(request, form, exc)
        else:
            messages.success(request, _("The wanted notice was recorded."))
            return redirect("enforcement:wanted_detail", pk=wanted.pk)
    return render(
        request,
        "enforcement/form.html",
        {"form": form, "title": _("Record a wanted notice"), "query": query, "active_nav": "enforcement"},
    )


urlpatterns = [
    path("arrests/", arrest_list, name="arrest_list"),
    path("arrests/new/", arrest_new, name="arrest_new"),
    path("arrests/<int:pk>/", arrest_detail, name="arrest_detail"),
    path("wanted/", wanted_list, name="wanted_list"),
    path("wanted/new/", wanted_new, name="wanted_new"),
    path("wanted/<int:pk>/", wanted_detail, name="wanted_detail"),
]

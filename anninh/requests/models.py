"""Requests from citizens and businesses (issue #10, items 2, 3, 5, 7): tips, feedback and
complaints about police service, recommendations.

A request comes in through the public web form or the Open311 GeoReport v2 API, is routed to
the responsible unit by commune and category (`RouteRule`, anninh.requests.routing), gets a
due date in working days (anninh.requests.clock) and waits in that unit's queue. The reporter
follows it with a secret tracking code; the public sees only the service, the commune, the
status and the status notes staff write for the public (never the reporter's words).

What is stored about the sender depends on the anonymity level they chose (`Anonymity`):
their name shown with the request, their name and contact known to the handling unit only,
or nothing at all (no name, contact, address, user agent or IP address, not even in the
audit rows). Personal data of closed requests is removed after the retention periods of the
settings by `manage.py requests_purge` (Decree 13/2023/ND-CP), keeping the statistics.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Staff who work request queues: commanders (every unit), and the officers of the handling
#: unit (commune police, departments' investigators, fire and rescue).
REQUEST_STAFF_ROLES = frozenset({Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE})


class ServiceGroup(models.TextChoices):
    TIP = "tip", _("Tips")
    FEEDBACK = "feedback", _("Feedback and complaints")
    RECOMMENDATION = "recommendation", _("Recommendations")


class Service(models.Model):
    """One kind of request (an Open311 service). Data, edited by administrators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=ServiceGroup.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    #: Expected answer time in working days (Saturdays, Sundays and the records' days off
    #: are not counted; the day of receipt is not counted).
    answer_days = models.PositiveSmallIntegerField(_("answer time (working days)"), default=5)
    #: A tip about a crime may become a crime report of the records app in one step.
    may_become_crime_report = models.BooleanField(_("may become a crime report"), default=False)
    #: Listed in the public list of requests (Open311 GET requests.json without ids). Tips
    #: and complaints are never listed: only their reporter, holding the code, follows them.
    listed = models.BooleanField(_("listed publicly"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("request service")
        verbose_name_plural = _("request services")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_vi

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi

    def description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description_vi


class RouteRule(models.Model):
    """Which unit handles a service, for one commune or for every commune (commune empty).
    The most specific rule wins; without any, the commune's own police handle the request
    (anninh.requests.routing)."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="routes"
    )
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["service", "commune"], name="requests_route_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=Q(commune__isnull=True), name="requests_route_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.commune_id or '*'} → {self.unit.code}"


class Anonymity(models.TextChoices):
    PUBLIC = "public", _("My name may be shown")
    CONFIDENTIAL = "confidential", _("Known to the handling unit only")
    ANONYMOUS = "anonymous", _("Fully anonymous")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("request status", "Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged with another request")
    CRIME_REPORT = "crime_report", _("Received as a crime report")


#: Statuses in which the request waits for the police (its clock runs).
OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED)
CLOSED_STATUSES = (RequestStatus.ANSWERED, RequestStatus.MERGED, RequestStatus.CRIME_REPORT)


class RequestSource(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311 API")


def _request_scope_also(viewer, prefix: str) -> Q | None:
    """Fire and rescue officers see their own unit's queue (the rule's `units` covers commune
    officers and investigators)."""
    if viewer.has_role(Role.FIRE_RESCUE) and viewer.unit_id:
        return Q(**{f"{prefix}unit_id": viewer.unit_id})
    return None


def _through_request(viewer, prefix: str) -> Q | None:
    """Notes and attachments are seen with their request."""
    return ServiceRequest.need_to_know.q(viewer, prefix=f"{prefix}request__")


class ServiceRequest(models.Model):
    """One request. `public_id` is its Open311 service_request_id; the reporter's secret
    tracking code is kept only as its SHA-256 (`tracking_hash`)."""

    public_id = models.CharField(_("request number"), max_length=16, unique=True)
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    token = models.CharField(max_length=40, unique=True, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
        db_index=True,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=RequestSource.choices, default=RequestSource.WEB
    )
    api_client = models.ForeignKey(
        "requests.Open311Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("answers to the service's questions"), default=dict, blank=True)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("place"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="service_requests"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymity = models.CharField(_("anonymity"), max_length=20, choices=Anonymity.choices)
    # The sender (empty when anonymous, and after the purge).
    reporter_name = models.CharField(_("name"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("email"), blank=True)
    organisation = models.CharField(_("business or organisation"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    due_on = models.DateField(_("answer due by"), db_index=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    #: The due date of the first answer, kept when a reopening sets a new one (indicators).
    first_due_on = models.DateField(_("first answer due by"))
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    crime_report = models.OneToOneField(
        "records.CrimeReport",
        verbose_name=_("crime report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_request",
    )
    personal_data_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        readers=REQUEST_STAFF_ROLES,
        city_wide=frozenset({Role.COMMANDER}),
        units=("unit",),
        also=_request_scope_also,
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["due_on", "submitted_at"]
        indexes = [
            models.Index(fields=["unit", "status", "due_on"], name="requests_queue_idx"),
            models.Index(fields=["service", "commune", "submitted_at"], name="requests_dup_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="requests_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_left(self) -> int | None:
        if not self.is_open:
            return None
        return (self.due_on - timezone.localdate()).days

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def identity_given(self) -> bool:
        return bool(self.reporter_name or self.reporter_phone or self.reporter_email)

    def answered_on_time(self) -> bool | None:
        if self.first_answered_at is None:
            return None
        return timezone.localtime(self.first_answered_at).date() <= self.first_due_on


class NoteKind(models.TextChoices):
    PUBLIC = "public", _("Status note for the reporter and the public")
    INTERNAL = "internal", _("Internal note")
    REPORTER = "reporter", _("Added by the reporter")
    SYSTEM = "system", _("Recorded by the system")


class RequestNote(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=REQUEST_STAFF_ROLES, custom=_through_request)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class Attachment(models.Model):
    """A picture the reporter sent, re-encoded without its metadata (EXIF, GPS), kept in the
    database like the reports (no media store to secure). No file name is kept."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=REQUEST_STAFF_ROLES, custom=_through_request)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.content_type} {self.size}"


class AnswerTemplate(models.Model):
    """A ready answer staff start from (edited by administrators)."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Open311Client(models.Model):
    """A system allowed to POST requests through Open311 (the city's portal, an app). Its
    api_key is kept only as a SHA-256."""

    name = models.CharField(_("name"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class SubmissionMark(models.Model):
    """What the submission guards remember, for a short time and unlinked to any request:
    a keyed hash of the sender's address per submission (rate limit) and the digest of each
    used form challenge (no replay). Never the address itself. Removed by requests_purge
    once older than the longest window."""

    RATE = "rate"
    CHALLENGE = "challenge"

    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="requests_mark_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(kind="challenge"), name="requests_challenge_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()

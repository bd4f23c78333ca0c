"""Economic-crime investigations (issue #9): an investigation with its team, and the network of
people, companies, accounts, wallets, phones, identity documents and addresses it gathers, each
fact with its provenance (file, sheet, row, who, when).

Need-to-know: an investigation is read by its team and by the commanders and auditors given
access to it by name (an `AccessGrant`), by nobody else: not even a city-wide commander. Every
row below it (entities, links, imports, documents...) is read through its investigation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import NOTHING, RestrictedManager, ScopeRule


def _investigation_ids(viewer):
    """Subqueries of the investigations `viewer` is on the team of, or granted by name."""
    team = TeamMember.objects.filter(user_id=viewer.pk).values("investigation_id")
    grants = AccessGrant.objects.filter(user_id=viewer.pk, revoked_at__isnull=True).values("investigation_id")
    return team, grants


def investigation_visible_q(viewer, prefix: str = "") -> Q:
    """The investigation's own rule: its team and its named grants, nobody else."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return NOTHING
    team, grants = _investigation_ids(viewer)
    return Q(**{f"{prefix}pk__in": team}) | Q(**{f"{prefix}pk__in": grants})


def through_investigation_q(viewer, prefix: str = "") -> Q:
    """Rows that belong to an investigation are read through it."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return NOTHING
    team, grants = _investigation_ids(viewer)
    return Q(**{f"{prefix}investigation_id__in": team}) | Q(**{f"{prefix}investigation_id__in": grants})


THROUGH_INVESTIGATION = ScopeRule(custom=through_investigation_q)


class InvestigationKind(models.TextChoices):
    SPECIAL_CASE = "chuyen_an", _("Special case (chuyên án)")
    CRIMINAL_CASE = "vu_an", _("Criminal case (vụ án)")


class Investigation(models.Model):
    """A special case or criminal case of an economic-crime unit, with its team."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=InvestigationKind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name=_("unit"))
    description = models.TextField(_("description"), blank=True)
    opened_on = models.DateField(_("opened on"))
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    crime_reports = models.ManyToManyField("records.CrimeReport", blank=True, related_name="investigations")
    cases = models.ManyToManyField("records.Case", blank=True, related_name="investigations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom=investigation_visible_q)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TeamMember(models.Model):
    """A member of an investigation's team: reads and works on it."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_lead = models.BooleanField(_("team lead"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "user"], name="inv_team_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.investigation_id}"


class AccessGrant(models.Model):
    """Read access given by name to a commander or auditor outside the team."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.investigation_id}"


class ImportKind(models.TextChoices):
    COMPLAINTS = "complaints", _("Victim complaint list")
    BANK_STATEMENT = "bank_statement", _("Bank statement")
    CALLS = "calls", _("Call detail records")
    CRYPTO = "crypto", _("Crypto exchange records")
    SUBSCRIBERS = "subscribers", _("Subscriber extract")
    ACCOUNT_HOLDERS = "account_holders", _("Account-holder extract")
    COMPANIES = "companies", _("Company registry extract")


class SourceFile(models.Model):
    """One imported file: the provenance every fact it brought points to."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="batches")
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    bank = models.CharField(_("bank"), max_length=20, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    entities_created = models.PositiveIntegerField(default=0)
    links_created = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "kind", "sha256"], name="inv_batch_once"),
        ]

    def __str__(self) -> str:
        return self.file_name


class BankMapping(models.Model):
    """The saved column mapping of one bank's statement export: {our field: their header}."""

    bank = models.CharField(_("bank"), max_length=20, unique=True)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.bank


class EntityKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    WALLET = "wallet", _("Crypto wallet")
    PHONE = "phone", _("Phone")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    ADDRESS = "address", _("Address")
    CASH_POINT = "cash_point", _("Cash withdrawal")


class Entity(models.Model):
    """One thing of the network, identified within the investigation by (kind, key): the
    normalised identifier ("+84912345678", "VCB:0123456789", "TRON:T...", "cccd:0312...") or,
    for a person or company known by name only, the place it was first read."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="entities")
    kind = models.CharField(_("kind"), max_length=20, choices=EntityKind.choices)
    key = models.CharField(_("identifier"), max_length=200)
    label = models.CharField(_("name"), max_length=300)
    name_key = models.CharField(max_length=300, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    province = models.CharField(_("province"), max_length=10, blank=True)
    # Set by a confirmed merge (undone by clearing it): this entity is the same as that one.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # Results of the last network analysis.
    ring = models.IntegerField(null=True, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    score = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(SourceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["kind", "label", "id"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        constraints = [
            models.UniqueConstraint(fields=["investigation", "kind", "key"], name="inv_entity_key"),
        ]

    def __str__(self) -> str:
        return self.label or self.key


class EntitySource(models.Model):
    """A place an entity was read that no link records: file (batch), sheet, row; who and when
    are the batch's. A link keeps the file, sheet and row that brought it, which are then a
    source of both its ends, so the import writes an entity-source row only for a row whose
    entity is in no link it wrote (a fact already known, an entity named alone). The entity
    page reads both (`selectors.entity_sources`)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="sources")
    batch = models.ForeignKey(SourceFile, on_delete=models.CASCADE, related_name="+")
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField()

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "batch", "sheet", "row"], name="inv_entity_source_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.sheet}/{self.row}"


class LinkKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    CALL = "call", _("Call")
    OWNERSHIP = "ownership", _("Ownership")
    DIRECTORSHIP = "directorship", _("Directorship")
    HOLDS_ACCOUNT = "holds_account", _("Holds account")
    REPORTED_BY = "reported_by", _("Reported by")
    SAME_AS = "same_as", _("Same as")
    HAS_PHONE = "has_phone", _("Uses phone")
    HAS_IDENTITY = "has_identity", _("Identity document")
    HAS_ADDRESS = "has_address", _("Address")


class Link(models.Model):
    """A fact between two entities (a payment, a call, a directorship...), from one row of one
    file. `fingerprint` identifies the fact, so a file imported twice adds nothing."""

    # No index of its own: the two below begin with the investigation and serve every lookup
    # by it, and a 2,000,000-row statement import would maintain a third for nothing.
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="links", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_in")
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=10, blank=True)
    occurred_at = models.DateTimeField(_("time"), null=True, blank=True, db_index=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64)
    batch = models.ForeignKey(SourceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "fingerprint"], name="inv_link_once"),
        ]
        indexes = [models.Index(fields=["investigation", "kind"], name="inv_link_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_id}→{self.target_id}"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class MatchCandidate(models.Model):
    """A possible identity between two entities from resolution, for an investigator to
    confirm or reject, with the match probability and the comparisons that agreed."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="candidates")
    left = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="inv_candidate_pair")]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id}"


class EntityMerge(models.Model):
    """A merge of entities into one (`survivor`): which were merged, by whom, and its undoing."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="merges")
    survivor = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    merged = models.JSONField(default=list)  # ids of the entities pointed at the survivor
    candidate = models.ForeignKey(MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged} → {self.survivor_id}"


class AnalysisRun(models.Model):
    """One run of the network analysis: its parameters and the totals with the ids behind them."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="analyses")
    params = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.investigation_id} @ {self.created_at:%d/%m/%Y %H:%M}"


class SealSpecimen(models.Model):
    """The register of seal specimens of public bodies the police keep, imported from a file."""

    body_code = models.CharField(_("body code"), max_length=40)
    body_name = models.CharField(_("issuing body"), max_length=300)
    seal_text = models.CharField(_("seal text"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body_code", "seal_text", "valid_from"], name="inv_seal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body_name} ({self.body_code})"


class SealCheck(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    MATCHES = "matches", _("Matches the specimen")
    FORGED = "forged", _("Does not match: forged")
    NO_SPECIMEN = "no_specimen", _("No specimen in the register")


class Document(models.Model):
    """A document held as evidence (a decision, a contract, a certificate...), with its seal and
    signature described and photographed, and the result of checking it against the register."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=100)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=300)
    issuing_body_code = models.CharField(_("body code"), max_length=40, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    seal_text = models.CharField(_("seal text"), max_length=300, blank=True)
    seal_description = models.TextField(_("seal"), blank=True)
    signature_description = models.TextField(_("signature"), blank=True)
    photo = models.BinaryField(null=True, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    check_result = models.CharField(max_length=12, choices=SealCheck.choices, default=SealCheck.UNCHECKED)
    specimen = models.ForeignKey(SealSpecimen, null=True, blank=True, on_delete=models.SET_NULL)
    check_note = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    entities = models.ManyToManyField(Entity, blank=True, related_name="documents")
    links = models.ManyToManyField(Link, blank=True, related_name="documents")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = THROUGH_INVESTIGATION

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}".strip()

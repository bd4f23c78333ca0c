"""The grassroots force protecting security and order (lực lượng tham gia bảo vệ an ninh, trật
tự ở cơ sở; Law of 2023): teams per commune, their members, duty rosters and the patrols the
duties joined.

Who reads what (anninh.civildefence.scoping): commanders and analysts every team; a commune
officer the teams of their commune; a team leader (role civil_defence_leader) only the team
they lead (`Team.leader`); a member (role civil_defence_member) only their own member record
and their own duties. Analysts read teams and counts, not the members' personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

TEAM_READERS = frozenset(
    {Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER}
)
#: Members' identity and phone: not for analysts (they see the force, not the people).
MEMBER_READERS = TEAM_READERS - {Role.ANALYST}


class Team(models.Model):
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    # The user account of the team's leader: what that user may see is this team only.
    leader = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_civil_defence_team",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=TEAM_READERS, custom="anninh.civildefence.scoping.team_rows")

    class Meta:
        verbose_name = _("civil-defence team")
        verbose_name_plural = _("civil-defence teams")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="civildefence_team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Team leader")
    DEPUTY = "deputy", _("Deputy team leader")
    MEMBER = "member", _("Member")


class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    id_number = models.CharField(_("citizen ID (CCCD)"), max_length=12)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    role_in_team = models.CharField(
        _("role in the team"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    start_date = models.DateField(_("member since"))
    end_date = models.DateField(_("left on"), null=True, blank=True)
    training_done = models.BooleanField(_("training done"), default=False)
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    training_note = models.CharField(_("training"), max_length=300, blank=True)
    # The member's own account (role civil_defence_member), to see their duties.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="civil_defence_member",
    )
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=MEMBER_READERS, custom="anninh.civildefence.scoping.member_rows")

    class Meta:
        verbose_name = _("civil-defence member")
        verbose_name_plural = _("civil-defence members")
        ordering = ["team", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(end_date__isnull=True),
                name="civildefence_one_active_membership",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def active(self) -> bool:
        return self.end_date is None


class Duty(models.Model):
    """One duty of a team's roster: a shift on a day, its task, the members on it, and the
    patrol plan it joined (a commune police's approved plan), if any."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="duties")
    date = models.DateField(_("date"))
    shift = models.CharField(
        _("shift"),
        max_length=12,
        choices=[
            ("morning", _("Morning (06–14)")),
            ("afternoon", _("Afternoon (14–22)")),
            ("night", _("Night (22–06)")),
        ],
    )
    task = models.CharField(_("task"), max_length=200)
    members = models.ManyToManyField(Member, verbose_name=_("members on duty"), related_name="duties")
    patrol_plan = models.ForeignKey(
        "patrols.PatrolPlan",
        verbose_name=_("patrol joined"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=TEAM_READERS, custom="anninh.civildefence.scoping.duty_rows")

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["-date", "shift", "team"]
        indexes = [models.Index(fields=["team", "date"], name="civildefence_duty_team_date")]

    def __str__(self) -> str:
        return f"{self.team} {self.date:%d/%m/%Y} {self.shift}"

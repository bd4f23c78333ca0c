"""Roles and what each may see. The single place that says which role reads what."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    ANALYST = "analyst", _("Analyst")
    INVESTIGATOR = "investigator", _("Investigator")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue officer")
    PUBLIC_RELATIONS = "public_relations", _("Public relations officer")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")
    # The grassroots civil-defence force (Law on forces protecting security and order at the
    # grassroots, 2023): a team leader sees only their own team; members see their duties.
    CIVIL_DEFENCE_LEADER = "civil_defence_leader", _("Civil-defence team leader")
    CIVIL_DEFENCE_MEMBER = "civil_defence_member", _("Civil-defence member")
    # A business's own account (police-business dialogues): sees only its business's
    # recommendations, never staff pages. Not a staff role.
    BUSINESS = "business", _("Business account")


# Roles that read operational records across the whole city.
CITY_WIDE_RECORD_ROLES = frozenset({Role.COMMANDER, Role.ANALYST})
# Roles that see personal data (names, identity numbers, phones) in the records they may read.
# Analysts see the picture, not the people, unless a grant says otherwise.
PERSONAL_DATA_ROLES = frozenset({Role.COMMANDER, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE})

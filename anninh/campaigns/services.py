"""Campaign writes: a commander launches a campaign (and owns it); the owner sets its
targets. Each write checks, validates and audits in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.campaigns.models import Campaign, CampaignTarget, Indicator
from anninh.geo.models import Commune
from anninh.org.models import Unit
from anninh.records.models import OffenceGroup
from anninh.records.services.persons import clean_text
from anninh.records.versioning import RecordError

#: The longest campaign: a peak campaign runs weeks or months, not years.
MAX_DAYS = 366
MAX_TARGET = 10**15


class CampaignError(RecordError):
    pass


def _check_commander(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(Role.COMMANDER):
        raise CampaignError(
            "permission.role", _("Only a commander launches a campaign and sets its targets.")
        )


def may_set_targets(actor, campaign: Campaign) -> bool:
    return (
        bool(getattr(actor, "is_authenticated", False))
        and actor.has_role(Role.COMMANDER)
        and (campaign.owner_id == actor.pk)
    )


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    first: dt.date,
    last: dt.date,
    description: str = "",
    communes: list[str] | tuple[str, ...] = (),
    offence_groups: list[str] | tuple[str, ...] = (),
    unit_ids: list[int] | tuple[int, ...] = (),
    is_synthetic: bool = False,
) -> Campaign:
    _check_commander(actor)
    name = clean_text(name or "").strip()[:300]
    if not name:
        raise CampaignError("campaign.name", _("Enter the campaign's name."), field="name")
    if first is None or last is None or last < first:
        raise CampaignError("campaign.period", _("The end date is before the start date."), field="last")
    if (last - first).days + 1 > MAX_DAYS:
        raise CampaignError("campaign.period", _("A campaign lasts at most a year."), field="last")
    groups = sorted(set(offence_groups))
    if any(g not in OffenceGroup.values for g in groups):
        raise CampaignError("campaign.groups", _("Unknown offence group."), field="offence_groups")
    commune_objs = list(Commune.objects.filter(code__in=sorted(set(communes))))
    if len(commune_objs) != len(set(communes)):
        raise CampaignError("campaign.communes", _("Unknown commune."), field="communes")
    units = list(Unit.objects.filter(pk__in=sorted(set(unit_ids))))
    if len(units) != len(set(unit_ids)):
        raise CampaignError("campaign.units", _("Unknown unit."), field="units")
    campaign = Campaign.objects.create(
        name=name,
        first=first,
        last=last,
        description=clean_text(description or "")[:5000],
        owner=actor,
        offence_groups=groups,
        is_synthetic=is_synthetic,
    )
    campaign.communes.set(commune_objs)
    campaign.units.set(units)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=campaign,
        after={
            "name": name,
            "first": first.isoformat(),
            "last": last.isoformat(),
            "communes": sorted(c.code for c in commune_objs),
            "offence_groups": groups,
            "units": sorted(u.pk for u in units),
        },
    )
    return campaign


@transaction.atomic
def campaign_targets_set(
    *, actor, campaign: Campaign, targets: dict[tuple[int | None, str], int | None]
) -> int:
    """Set the campaign's targets: {(unit id or None for the whole campaign, indicator):
    number, or None to remove it}. Only the owner. Returns the number of targets changed."""
    if not may_set_targets(actor, campaign):
        raise CampaignError("permission.owner", _("Only the campaign's owner sets its targets."))
    allowed_units = set(campaign.units.values_list("pk", flat=True))
    existing = {
        (t.unit_id, t.indicator): t for t in CampaignTarget.objects.unrestricted().filter(campaign=campaign)
    }
    changed = 0
    before, after = {}, {}
    for (unit_id, indicator), value in sorted(targets.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        if indicator not in Indicator.values:
            raise CampaignError("target.indicator", _("Unknown indicator."))
        if unit_id is not None and allowed_units and unit_id not in allowed_units:
            raise CampaignError("target.unit", _("This unit does not take part in the campaign."))
        if value is not None and not (0 <= value <= MAX_TARGET):
            raise CampaignError("target.value", _("A target is a whole number, 0 or more."))
        key = f"{unit_id or 'all'}:{indicator}"
        current = existing.get((unit_id, indicator))
        if value is None:
            if current is not None:
                before[key] = current.value
                current.delete()
                changed += 1
            continue
        if current is None:
            CampaignTarget.objects.create(
                campaign=campaign, unit_id=unit_id, indicator=indicator, value=value
            )
        elif current.value != value:
            before[key] = current.value
            current.value = value
            current.save(update_fields=["value"])
        else:
            continue
        after[key] = value
        changed += 1
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=campaign,
            before={"targets": before},
            after={"targets": after},
        )
    return changed

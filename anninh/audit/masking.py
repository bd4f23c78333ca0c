"""Personal data in audit rows, as shown to readers without the personal-data role.

The log stores what happened, personal values included: the hash chain covers the row as
written, and an investigation may need the values (who changed this CCCD, and to what).
Masking is therefore applied when rows are *read*: every surface that shows audit rows (the
auditor's pages, the CSV export, the audit API, the Django admin, the auditor's home tile)
passes them through `mask_event` / `mask_row` for its viewer. A viewer whose scope grants
personal data (anninh.accounts.scoping.scope_for(...).personal_data: the roles in
PERSONAL_DATA_ROLES, analysts with a grant) sees the values; everyone else, auditors and
administrators included, sees `hmac:` and 16 hex digits of HMAC-SHA256(key, value), so
equal values still show equal hashes across rows. Verification (audit_verify) reads the
stored rows and never goes through here.

The key is settings.AUDIT_MASK_KEY (ANNINH_AUDIT_MASK_KEY), or one derived from SECRET_KEY
when it is not set. Hashes are never stored: changing the key changes what is shown, not the
log. Readers of the database itself (its administrators, backups) still see the values.

Which values are personal is declared here, once:

- PERSONAL_KEYS: keys personal in any payload, at any depth (search terms, citizen IDs,
  phones, birth dates, a name given for a matched person), and as query parameters of a
  `path` (the URL a refusal records: /records/persons/?q=...);
- PERSONAL_MODELS: per object type, the top-level keys of before/after/extra that are
  personal (`keys`), or every key but the declared safe ones (`all_but`, for rows about a
  person: a new field is masked until it is declared safe), and whether the row's
  object_repr names the person.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings

from anninh.accounts.scoping import scope_for

PATH_KEY = "path"
PREFIX = "hmac:"
DIGITS = 16

PERSONAL_KEYS = frozenset(
    {"q", "cccd", "phone", "phones", "phones_added", "birth_date", "birth_year", "sex", "name_given"}
)


@dataclass(frozen=True)
class Personal:
    """What is personal in the payloads of one object type."""

    keys: frozenset[str] = frozenset()
    all_but: frozenset[str] | None = None
    repr: bool = False

    def covers(self, key: str) -> bool:
        if self.all_but is not None:
            return key not in self.all_but
        return key in self.keys


# Keys of a person's rows that say nothing about who the person is.
_PERSON_SAFE = frozenset(
    {
        "id",
        "version",
        "created_at",
        "updated_at",
        "via",
        "matched",
        "results",
        "merged_from",
        "match",
        "decision",
    }
)

PERSONAL_MODELS: dict[str, Personal] = {
    # full_name, name_key, sort_key, cccd, birth_date, birth_year, address, commune_id,
    # province_code, phones, phones_added; extra: name_given, q.
    "records.person": Personal(all_but=_PERSON_SAFE, repr=True),
    "records.personphone": Personal(all_but=frozenset({"id", "person_id"}), repr=True),
    "records.incidentperson": Personal(keys=frozenset({"note"})),
    # A possible identity: ids, reason and decision are not personal; the CCCD given and the
    # note (free text) are.
    "records.personmatch": Personal(keys=frozenset({"claimed_cccd", "note"})),
}


def sees_personal_data(viewer) -> bool:
    return scope_for(viewer).personal_data


def _key() -> bytes:
    key = getattr(settings, "AUDIT_MASK_KEY", "")
    if key:
        return key.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"anninh.audit.mask", hashlib.sha256).digest()


def mask_value(value: Any) -> Any:
    """A keyed hash in place of a value; lists and objects element by element (so one phone
    of a list still matches the same phone elsewhere). None and "" stay: that a field was
    empty is not personal."""
    if value is None or value == "":
        return value
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    digest = hmac.new(_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def mask_path(path: str) -> str:
    """A recorded URL with the values of its personal query parameters masked."""
    if "?" not in path:
        return path
    base, _, query = path.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name in PERSONAL_KEYS for name, _value in pairs):
        return path
    return (
        base + "?" + urlencode([(n, mask_value(v) if n in PERSONAL_KEYS else v) for n, v in pairs], safe=":")
    )


def _masked_item(key: str, value: Any, personal: Personal | None) -> Any:
    if key in PERSONAL_KEYS or (personal is not None and personal.covers(key)):
        return mask_value(value)
    if key == PATH_KEY and isinstance(value, str):
        return mask_path(value)
    return mask_payload(value)


def mask_payload(value: Any, personal: Personal | None = None) -> Any:
    """A before/after/extra value with its personal parts masked: the keys `personal` covers
    at the top level, the PERSONAL_KEYS at any depth and in recorded paths."""
    if isinstance(value, dict):
        return {k: _masked_item(k, v, personal) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_payload(v) for v in value]
    return value


def personal_repr_types() -> list[str]:
    """Object types whose object_repr names a person."""
    return sorted(t for t, p in PERSONAL_MODELS.items() if p.repr)


def mask_event(event, *, viewer, sees: bool | None = None):
    """`event` (an AuditEvent) as `viewer` may see it: itself, or a masked copy."""
    if sees is None:
        sees = sees_personal_data(viewer)
    if sees:
        return event
    event = copy.copy(event)
    personal = PERSONAL_MODELS.get(event.object_type)
    event.before = mask_payload(event.before, personal)
    event.after = mask_payload(event.after, personal)
    event.extra = mask_payload(event.extra, personal)
    if personal is not None and personal.repr:
        event.object_repr = mask_value(event.object_repr)
    return event


def mask_row(row: dict[str, Any], *, viewer, sees: bool | None = None) -> dict[str, Any]:
    """A `.values()` row of the list columns (object_repr; payloads when present)."""
    if sees is None:
        sees = sees_personal_data(viewer)
    if sees:
        return row
    personal = PERSONAL_MODELS.get(row.get("object_type", ""))
    out = dict(row)
    for name in ("before", "after", "extra"):
        if name in out:
            out[name] = mask_payload(out[name], personal)
    if personal is not None and personal.repr and "object_repr" in out:
        out["object_repr"] = mask_value(out["object_repr"])
    return out

"""The account a victim paid into (a scam's collector account), as the intake takes it: a bank
or e-wallet and an account number, normalised by the network's pure normalisers
(anninh.network.normalize) to one key, so that "0123 456 789" at "VCB" and "0123456789" at
"Vietcombank" are the same account ("VCB:0123456789").

An e-wallet (MoMo, ZaloPay, Viettel Money) is usually opened on a phone number, which
victims write in every form ("+84 912 345 678", "0912.345.678"): for an e-wallet a number
that is a Vietnamese phone number is taken in its national form (0912345678) first.

Personal data (an account names its holder): `collector_view` masks it for viewers without
personal data, as anninh.records.masking does for the rest of a record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from anninh.network import normalize
from anninh.network.normalize import NormaliseError
from anninh.records.versioning import RecordError

#: The shown tail of a masked account number.
MASK_KEEP = 3


def _message(exc: NormaliseError) -> tuple[str, str]:
    """(field, message) for a normaliser's refusal, in the reader's language."""
    code = exc.code
    if code == "bank.unknown":
        return "collector_bank", _(
            "This bank or e-wallet is not in the list: write its name as on the transfer "
            "(for example Vietcombank, MB Bank, MoMo)."
        )
    if code == "bank_account.empty":
        return "collector_number", _("Enter the number of the account the money was paid into.")
    if code == "bank_account.not_digits":
        return "collector_number", _("An account number has digits only.")
    if code == "bank_account.length":
        return "collector_number", _("An account number has 6 to 19 digits.")
    return "collector_number", _("This account number is not valid.")


def is_wallet(code: str) -> bool:
    return any(b.code == code and b.bin is None for b in normalize.BANKS)


def collector_key(bank: str, number: str) -> str:
    """The canonical key of an account ("VCB:0123456789", "MOMO:0912345678"); "" when
    neither is given. Raises RecordError (field collector_bank or collector_number, a
    message for the officer) when one is missing or either is not valid."""
    bank = (bank or "").strip()
    number = (number or "").strip()
    if not bank and not number:
        return ""
    if not bank:
        raise RecordError(
            "collector.bank_required",
            _("Say which bank or e-wallet the account is at."),
            field="collector_bank",
        )
    try:
        code = normalize.bank_code(bank)
        if is_wallet(code) and number:
            try:
                e164 = normalize.phone(number)
            except NormaliseError:
                e164 = None
            if e164 and e164.startswith("+84"):
                number = "0" + e164[3:]
        return normalize.bank_account(code, number)
    except NormaliseError as exc:
        field, message = _message(exc)
        raise RecordError(f"collector.{exc.code}", message, field=field) from exc


@dataclass(frozen=True)
class CollectorView:
    key: str
    bank: str  # the code ("VCB")
    bank_name: str  # "Vietcombank"
    number: str  # the digits, or "…789" masked
    masked: bool
    wallet: bool


def bank_name(code: str) -> str:
    return next((b.short_name for b in normalize.BANKS if b.code == code), code)


def collector_view(key: str, *, personal: bool) -> CollectorView | None:
    """The account as a viewer may see it: whole for those who see personal data, else the
    bank and the last digits only."""
    if not key:
        return None
    code, _colon, digits = key.partition(":")
    shown = digits if personal else "…" + digits[-MASK_KEEP:]
    return CollectorView(key if personal else "", code, bank_name(code), shown, not personal, is_wallet(code))

"""Importing an investigation's material: victim complaint lists, bank statements, call detail
records, crypto exchange records, subscriber / account-holder / company registry extracts.

    result = material_import(actor=user, investigation=inv, kind="bank_statement", path=p,
                             file_name="vcb.xlsx", bank="VCB", dry_run=True)
    result.problems   # every bad row: row number, column, value, translated message

- Every row is checked (nothing stops at the first problem) and every problem is reported by
  its row number as a spreadsheet numbers it (the header is row 1).
- The commit is one transaction: any bad row, and nothing is written.
- Idempotent: a file already imported (same kind, same SHA-256) adds nothing; an entity is
  identified by its normalised identifier, a fact (payment, call...) by a fingerprint of what it
  says, so the same transfer read from the sender's and the receiver's statements is one fact.
- Every entity and link keeps where it was read (file, sheet, row); who and when are the
  import batch's. Amounts and currencies are kept as the file gives them (no conversion).
- Bank statements: Vietnamese or English headers, a column mapping saved per bank (the last one
  used for that bank is the default next time), debit/credit columns or one signed amount.
- Rows are read as a stream and written in bulk, in chunks, so a 2,000,000-transaction
  statement set imports with a progress bar (`manage.py investigation_import`). Identifiers are
  normalised once per distinct value in an import; a chunk costs a fixed number of queries
  (`_Writer`: COPY and one INSERT ... SELECT on PostgreSQL, bulk_create elsewhere); the audit
  row is one per import, with its counts.

Identifiers are normalised by `anninh.network.normalize` (owned by the network library).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from anninh.accounts.permissions import audit_denied
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.investigations.access import is_team_member
from anninh.investigations.ingest_columns import statement_rows
from anninh.investigations.models import (
    BankMapping,
    Entity,
    EntityKind,
    EntitySource,
    ImportKind,
    Investigation,
    Link,
    LinkKind,
    SourceFile,
)
from anninh.investigations.provinces import province_code
from anninh.lib.text import fold
from anninh.network import normalize
from anninh.records.services.io_formats import FileProblem, file_sha256, open_sheet

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
#: Rows checked and written per chunk.
CHUNK = 5000
#: Problems kept per import (the check goes on counting).
MAX_PROBLEMS = 1000
#: Rows between two calls of the progress callback.
PROGRESS_EVERY = 1000
#: PostgreSQL's staging table of a chunk's links (temporary: this connection's own; the
#: INSERT ... SELECT in _Writer._copy names it too).
LINK_STAGE = "inv_link_stage"

# --- Fields of each kind of file, and the headers that name them ----------------------------------

#: field -> the headers (folded: no diacritics, lower case) that mean it, Vietnamese and English.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "ho ten",
        "ho va ten",
        "ten",
        "ten nan nhan",
        "full name",
        "name",
        "ten chu tai khoan",
        "chu tai khoan",
        "ten thue bao",
        "account holder",
        "holder name",
        "ten doanh nghiep",
        "company name",
    ),
    "cccd": ("cccd", "so cccd", "so dinh danh", "can cuoc", "cmnd", "so cmnd", "id number", "national id"),
    "birth_date": ("ngay sinh", "date of birth", "birth date"),
    "phone": (
        "so dien thoai",
        "sdt",
        "dien thoai",
        "phone",
        "phone number",
        "so thue bao",
        "thue bao",
        "msisdn",
    ),
    "address": ("dia chi", "address", "dia chi tru so", "registered address"),
    "province": ("tinh", "tinh/thanh", "tinh/thanh pho", "tinh thanh", "province"),
    "commune": ("xa/phuong", "xa phuong", "phuong/xa", "commune", "ward"),
    "date": ("ngay trinh bao", "ngay to giac", "ngay", "date", "report date"),
    "claimed_loss": ("so tien bi lua", "thiet hai", "so tien thiet hai", "claimed loss", "loss"),
    "victim_bank": ("ngan hang nan nhan", "ngan hang chuyen", "victim bank", "from bank"),
    "victim_account": (
        "tai khoan nan nhan",
        "tai khoan chuyen",
        "so tai khoan chuyen",
        "victim account",
        "from account",
    ),
    "paid_bank": ("ngan hang nhan", "ngan hang thu huong", "to bank", "beneficiary bank", "paid bank"),
    "paid_account": (
        "tai khoan nhan",
        "so tai khoan nhan",
        "tai khoan thu huong",
        "to account",
        "beneficiary account",
        "paid account",
    ),
    "paid_wallet": ("vi nhan", "dia chi vi nhan", "to wallet", "paid wallet"),
    "paid_amount": ("so tien chuyen", "so tien da chuyen", "paid amount", "amount paid"),
    "paid_at": ("thoi gian chuyen", "ngay chuyen", "paid at", "payment time"),
    "bank": ("ngan hang", "bank", "ma ngan hang", "bank code"),
    "account": ("so tai khoan", "tai khoan", "account", "account number", "so tk"),
    "time": (
        "ngay giao dich",
        "thoi gian giao dich",
        "thoi gian",
        "ngay gio",
        "transaction date",
        "time",
        "date time",
        "booking date",
        "thoi diem",
        "start time",
        "thoi gian bat dau",
    ),
    "debit": ("ghi no", "phat sinh no", "so tien ghi no", "debit", "withdrawal", "rut"),
    "credit": ("ghi co", "phat sinh co", "so tien ghi co", "credit", "deposit", "nop"),
    "amount": ("so tien", "amount", "gia tri", "so luong", "quantity"),
    "currency": ("loai tien", "tien te", "currency", "ccy", "don vi tien"),
    "counterparty_bank": ("ngan hang doi ung", "ngan hang doi tac", "counterparty bank", "ngan hang huong"),
    "counterparty_account": (
        "tai khoan doi ung",
        "so tai khoan doi ung",
        "tk doi ung",
        "so tk doi ung",
        "counterparty account",
        "tai khoan huong",
    ),
    "counterparty_name": (
        "ten doi ung",
        "ten tai khoan doi ung",
        "ten chu tk doi ung",
        "counterparty name",
        "counterparty",
        "ten nguoi huong",
    ),
    "reference": (
        "so tham chieu",
        "ma giao dich",
        "so giao dich",
        "reference",
        "transaction id",
        "ref",
        "tx hash",
        "ma hash",
        "hash",
    ),
    "description": ("noi dung", "dien giai", "mo ta", "description", "narrative", "remarks"),
    "caller": ("so goi", "thue bao goi", "so chu goi", "caller", "a number", "calling number"),
    "callee": ("so bi goi", "thue bao bi goi", "so nhan", "callee", "b number", "called number"),
    "duration": ("thoi luong", "thoi luong (giay)", "duration", "duration (s)"),
    "chain": ("mang", "blockchain", "chain", "network"),
    "from_wallet": ("vi gui", "dia chi vi gui", "from wallet", "from address", "sender"),
    "to_wallet": ("vi nhan", "dia chi vi nhan", "to wallet", "to address", "receiver"),
    "asset": ("tai san", "loai tai san", "asset", "token", "coin"),
    "exchange_user": ("tai khoan san", "ma nguoi dung", "user id", "exchange account", "uid"),
    "tax_code": ("ma so thue", "mst", "tax code"),
    "representative": (
        "nguoi dai dien",
        "nguoi dai dien theo phap luat",
        "legal representative",
        "representative",
    ),
    "representative_cccd": ("cccd nguoi dai dien", "representative id"),
    "owner": ("chu so huu", "thanh vien gop von", "owner", "shareholder"),
    "owner_cccd": ("cccd chu so huu", "owner id"),
    "channel": ("kenh", "kenh giao dich", "channel", "loai kenh"),
    "direction": ("loai giao dich", "no/co", "direction", "type", "dr/cr"),
}

#: The fields each kind of file needs (all of one tuple in `any_of`: at least one).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    ImportKind.COMPLAINTS: (("name",), ("paid_account", "paid_wallet")),
    ImportKind.BANK_STATEMENT: (("time",), ("amount", "debit", "credit"), ("counterparty_account",)),
    ImportKind.CALLS: (("caller",), ("callee",), ("time",)),
    ImportKind.CRYPTO: (("from_wallet",), ("to_wallet",), ("amount",)),
    ImportKind.SUBSCRIBERS: (("phone",), ("name",)),
    ImportKind.ACCOUNT_HOLDERS: (("account",), ("name",)),
    ImportKind.COMPANIES: (("name",),),
}


def default_mapping(header: list[str]) -> dict[str, str]:
    """{field: the file's header} for every header we recognise."""
    found: dict[str, str] = {}
    for column in header:
        key = " ".join(fold(column).split())
        for name, synonyms in HEADERS.items():
            if key in synonyms and name not in found:
                found[name] = column
                break
    return found


# --- Problems ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    value: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


def _messages() -> dict[str, str]:
    return {
        "required": _("This column is required and the cell is empty."),
        "amount": _("Not an amount: write digits, e.g. 1.500.000 or 1500000."),
        "amount.zero": _("The amount is zero: a transaction moves money."),
        "time": _("Not a date and time: write dd/mm/yyyy hh:mm."),
        "date": _("Not a date: write dd/mm/yyyy."),
        "both": _("Both debit and credit are filled: one row is one transaction."),
        "account": _("No statement account: give it in a column or as the statement's account."),
        "duration": _("Not a duration in seconds."),
        "phone.not_digits": _("Not a phone number: letters or symbols in it."),
        "phone.invalid": _("Not a phone number any carrier issues."),
        "phone.old_prefix": _("An old 11-digit mobile number whose prefix has no new one."),
        "bank.unknown": _("Unknown bank: write its code (VCB, TCB...), BIN or name."),
        "bank_account.empty": _("No account number."),
        "bank_account.not_digits": _("An account number is digits only."),
        "bank_account.length": _("An account number has 6 to 19 digits."),
        "wallet.chain": _("Unknown blockchain: write TRON, ETH, BSC, BTC..."),
        "wallet.format": _("Not a wallet address of this chain."),
        "wallet.checksum": _("The wallet address's checksum fails: a typo?"),
        "tax.format": _("A tax code has 10 digits, or 10 and a 3-digit branch."),
        "tax.sequence": _("This tax code is never issued."),
        "tax.branch": _("Branch number 000 does not exist."),
        "tax.check_digit": _("The tax code's check digit is wrong: a typo?"),
        "cccd.not_digits": _("A CCCD number is digits only."),
        "cccd.length": _("A CCCD number has 12 digits."),
        "cccd.province": _("The first three digits of the CCCD are not a province code."),
        "cccd.century": _("The CCCD's 4th digit gives a year of birth that cannot be."),
        "cccd.birth_year": _("The CCCD's year of birth differs from the birth date."),
        "cccd.sex": _("The CCCD's sex digit differs from the record."),
    }


# --- Reading cells -----------------------------------------------------------------------------------


class CellError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is str and value.isascii():  # most cells: already NFC
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


_CURRENCY_WORDS = re.compile(r"(?i)\b(vnd|vnđ|đồng|dong|d|usd|usdt|eur)\b|[₫$€đ]")


def parse_amount(value: Any) -> Decimal:
    """An amount as written: 1.500.000 (VND groups), 1,500,000.50, 1.500.000,50, -2000000,
    1 500 000 đ; numbers from a spreadsheet as they are."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _CURRENCY_WORDS.sub("", _text(value)).replace(" ", "").replace("\u00a0", "")
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("-+()")
    if not text or not re.fullmatch(r"[0-9.,]+", text):
        raise CellError("amount")
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        text = text.replace(group_sep, "").replace(decimal_sep, ".")
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        parts = text.split(sep)
        if len(parts) > 2 or (all(len(p) == 3 for p in parts[1:]) and parts[0] != "0"):
            text = "".join(parts)  # thousands groups
        else:
            text = text.replace(sep, ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError("amount") from None
    return -amount if negative else amount


_TIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


_DMY_HMS = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}):(\d{2})")


def parse_time(value: Any) -> dt.datetime:
    """A time as written (dd/mm/yyyy first, as Vietnamese files do), in Hanoi time unless
    the value says its zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=LOCAL)
    text = _text(value)
    if not text:
        raise CellError("time")
    common = _DMY_HMS.fullmatch(text)
    if common is not None:  # the common form, without strptime (the same answer)
        d, m, y, hh, mm, ss = map(int, common.groups())
        if 1900 <= y <= 2100:
            try:
                return dt.datetime(y, m, d, hh, mm, ss, tzinfo=LOCAL)
            except ValueError:
                raise CellError("time") from None
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            return parsed
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            raise CellError("time")
        return parsed.replace(tzinfo=LOCAL)
    raise CellError("time")


# --- What a row says ---------------------------------------------------------------------------------


@dataclass
class EntitySpec:
    kind: str
    key: str
    label: str
    data: dict = field(default_factory=dict)
    province: str = ""


@dataclass
class LinkSpec:
    kind: str
    source: tuple[str, str]  # (entity kind, key)
    target: tuple[str, str]
    amount: Decimal | None = None
    currency: str = ""
    occurred_at: dt.datetime | None = None
    reference: str = ""
    data: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        parts = [
            self.kind,
            *self.source,
            *self.target,
            "" if self.amount is None else format(self.amount.normalize(), "f"),
            self.currency,
            self.occurred_at.astimezone(dt.UTC).isoformat() if self.occurred_at else "",
            self.reference,
            self.data.get("fact", ""),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class _FixedLink(LinkSpec):
    """A link whose fingerprint was computed with its row's column (`ingest_columns`)."""

    fp: str = ""

    def fingerprint(self) -> str:
        return self.fp


@dataclass
class RowFacts:
    entities: list[EntitySpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    # True when the row's entities are exactly the two ends of its one link (a statement row
    # read by columns): written with that link, the row needs no entity-source row.
    covered: bool = False

    def entity(self, kind: str, key: str, label: str, **data) -> tuple[str, str]:
        province = data.pop("province", "") or ""
        self.entities.append(
            EntitySpec(kind, key, label or key, {k: v for k, v in data.items() if v}, province)
        )
        return (kind, key)


#: Normalisers whose answer depends on their arguments only: one import asks each of them once
#: per distinct value (a statement names a few thousand accounts in millions of rows).
_PURE = frozenset(
    {
        normalize.bank_account,
        normalize.bank_code,
        normalize.phone,
        normalize.wallet,
        normalize.cccd,
        normalize.tax_code,
    }
)
_MISSING = object()


@dataclass(frozen=True)
class _Refused:
    code: str


class RowReader:
    """One row's cells by field, collecting its problems. `memo` (one dict per import) keeps
    the answers of the pure normalisers, refusals included."""

    def __init__(
        self,
        cells: list[Any],
        columns: dict[str, int],
        header: list[str],
        row: int,
        messages,
        memo: dict | None = None,
    ):
        self.cells, self.columns, self.header, self.row, self.messages = cells, columns, header, row, messages
        self.problems: list[Problem] = []
        self.memo = memo
        self._texts: dict[str, str] = {}

    def raw(self, name: str) -> Any:
        i = self.columns.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def text(self, name: str) -> str:
        value = self._texts.get(name)
        if value is None:
            value = self._texts[name] = _text(self.raw(name))
        return value

    def has(self, name: str) -> bool:
        return self.text(name) != ""

    def fail(self, name: str, code: str, value: Any = None) -> None:
        column = self.header[self.columns[name]] if name in self.columns else name
        self.problems.append(
            Problem(
                self.row,
                column,
                _text(value if value is not None else self.raw(name))[:200],
                code,
                self.messages.get(code, code),
            )
        )

    def need(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, "required")
        return value

    def call(self, name: str, fn: Callable, *args, **kwargs):
        """Run a normaliser on the field; a refusal becomes this row's problem (None)."""
        if self.memo is not None and not kwargs and fn in _PURE:
            key = (fn, args)
            answer = self.memo.get(key, _MISSING)
            if answer is _MISSING:
                try:
                    answer = fn(*args)
                except normalize.NormaliseError as exc:
                    answer = _Refused(exc.code)
                self.memo[key] = answer
            if isinstance(answer, _Refused):
                self.fail(name, answer.code)
                return None
            return answer
        try:
            return fn(*args, **kwargs)
        except normalize.NormaliseError as exc:
            self.fail(name, exc.code)
        except CellError as exc:
            self.fail(name, exc.code)
        return None


def _person(
    facts: RowFacts, r: RowReader, *, name_field="name", cccd_field="cccd", phone_field="phone", **data
):
    """A person from a row: keyed by CCCD when there is one, else by name and phone (never by
    phone alone: a phone is a lead, shared in families), with their phone and card as entities."""
    name = r.text(name_field)
    number = r.call(cccd_field, normalize.cccd, r.text(cccd_field)) if r.has(cccd_field) else None
    phone = r.call(phone_field, normalize.phone, r.text(phone_field)) if r.has(phone_field) else None
    if not name and not number:
        return None
    key = f"cccd:{number}" if number else f"name:{_name_key(name)}|{phone or ''}"
    if r.has("birth_date"):
        data["birth_date"] = r.text("birth_date")
    person = facts.entity(
        EntityKind.PERSON, key, name or number, cccd=number or "", phone=phone or "", **data
    )
    if number:
        card = facts.entity(EntityKind.IDENTITY_DOCUMENT, f"CCCD:{number}", number)
        facts.links.append(LinkSpec(LinkKind.HAS_IDENTITY, person, card))
    if phone:
        ph = facts.entity(EntityKind.PHONE, phone, phone)
        facts.links.append(LinkSpec(LinkKind.HAS_PHONE, person, ph))
    if r.has("address"):
        addr = r.text("address")
        a = facts.entity(EntityKind.ADDRESS, "addr:" + _folded(addr), addr)
        facts.links.append(LinkSpec(LinkKind.HAS_ADDRESS, person, a))
    return person


def _account(facts: RowFacts, r: RowReader, bank_field: str, account_field: str, *, bank: str = "", label=""):
    bank_text = r.text(bank_field) or bank
    number = r.text(account_field)
    if not number:
        return None
    key = r.call(account_field, normalize.bank_account, bank_text, number)
    if key is None:
        return None
    return facts.entity(EntityKind.BANK_ACCOUNT, key, key, holder=label)


def _complaint(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    r.need("name")
    province = r.text("province")
    victim = _person(
        facts,
        r,
        province=province_code(province),
        province_name=province,
        commune=r.text("commune"),
        role_in_case="victim",
    )
    if r.has("claimed_loss"):
        loss = r.call("claimed_loss", parse_amount, r.raw("claimed_loss"))
        if victim and loss is not None:
            facts.entities[0].data["claimed_loss"] = str(loss)
    reported_on = None
    if r.has("date"):
        reported_on = r.call("date", parse_time, r.raw("date"))
    target = None
    if r.has("paid_account"):
        target = _account(facts, r, "paid_bank", "paid_account")
    elif r.has("paid_wallet"):
        wallet = r.call("paid_wallet", normalize.wallet, r.text("chain") or None, r.text("paid_wallet"))
        target = facts.entity(EntityKind.WALLET, wallet, wallet) if wallet else None
    else:
        r.fail("paid_account", "required")
    own = _account(facts, r, "victim_bank", "victim_account") if r.has("victim_account") else None
    amount = r.call("paid_amount", parse_amount, r.raw("paid_amount")) if r.has("paid_amount") else None
    paid_at = r.call("paid_at", parse_time, r.raw("paid_at")) if r.has("paid_at") else reported_on
    if victim and target:
        payer = own or victim
        if own:
            facts.links.append(LinkSpec(LinkKind.HOLDS_ACCOUNT, victim, own))
        facts.links.append(
            LinkSpec(
                LinkKind.REPORTED_BY, target, victim, occurred_at=reported_on, data={"fact": f"row{r.row}"}
            )
        )
        if amount is not None:
            facts.links.append(
                LinkSpec(
                    LinkKind.PAYMENT,
                    payer,
                    target,
                    amount=amount,
                    currency=(r.text("currency") or "VND").upper(),
                    occurred_at=paid_at,
                    reference=r.text("reference"),
                    data={"complaint": True, "victim": victim[1]},
                )
            )
    return facts


#: Words of a statement's channel or description that say "cash withdrawal".
CASH_WORDS = ("atm", "rut tien mat", "cash", "withdrawal", "rut tien")


@functools.lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return fold(text)


@functools.lru_cache(maxsize=65536)
def _name_key(text: str) -> str:
    """`normalize.name_key`, once per distinct name (a victim's name is on each of their
    payments; folding it is most of a complaint row's reading)."""
    return normalize.name_key(text)


def _looks_like_wallet(text: str, chain: str) -> bool:
    if chain and _folded(chain).replace(" ", "") in normalize.CHAIN_ALIASES:
        return True
    head = text.split(":", 1)[0].lower()
    return (
        head in normalize.CHAIN_ALIASES or text.startswith("0x") or (text.startswith("T") and len(text) == 34)
    )


def _statement(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    when = (
        r.call("time", parse_time, r.raw("time")) if r.has("time") else (r.fail("time", "required") or None)
    )
    if r.has("account"):
        own = _account(facts, r, "bank", "account", bank=ctx.get("bank", ""), label=ctx.get("holder", ""))
    elif ctx.get("account"):
        own = facts.entity(
            EntityKind.BANK_ACCOUNT, ctx["account"], ctx["account"], holder=ctx.get("holder", "")
        )
    else:
        r.fail("account", "account")
        own = None
    amount = None
    if r.has("debit") and r.has("credit"):
        debit = r.call("debit", parse_amount, r.raw("debit"))
        credit = r.call("credit", parse_amount, r.raw("credit"))
        if debit and credit:
            r.fail("credit", "both")
        elif debit is not None and credit is not None:
            amount = -abs(debit) if debit else abs(credit)
    elif r.has("debit"):
        d = r.call("debit", parse_amount, r.raw("debit"))
        amount = -abs(d) if d is not None else None
    elif r.has("credit"):
        c = r.call("credit", parse_amount, r.raw("credit"))
        amount = abs(c) if c is not None else None
    elif r.has("amount"):
        amount = r.call("amount", parse_amount, r.raw("amount"))
        direction = fold(r.text("direction"))
        if amount is not None and direction in ("no", "debit", "dr", "d", "rut", "chi"):
            amount = -abs(amount)
    else:
        r.fail("amount", "required")
    if amount is not None and amount == 0:
        r.fail("amount", "amount.zero")
        amount = None
    name = r.text("counterparty_name")
    other = None
    channel = _folded(r.text("channel") + " " + r.text("description"))
    counterparty = r.text("counterparty_account")
    if not counterparty and own and any(w in channel for w in CASH_WORDS):
        # A cash withdrawal: where the money leaves the banks.
        other = facts.entity(
            EntityKind.CASH_POINT, f"CASH:{own[1]}", _("Cash from %(account)s") % {"account": own[1]}
        )
    elif counterparty and _looks_like_wallet(counterparty, r.text("counterparty_bank")):
        # Bought into a crypto wallet (an exchange or an OTC seller): the wallet is the counterparty.
        wallet = r.call(
            "counterparty_account", normalize.wallet, r.text("counterparty_bank") or None, counterparty
        )
        other = facts.entity(EntityKind.WALLET, wallet, wallet) if wallet else None
    elif counterparty:
        other = _account(
            facts, r, "counterparty_bank", "counterparty_account", bank=ctx.get("bank", ""), label=name
        )
    else:
        r.fail("counterparty_account", "required")
    if own and other and amount is not None and when is not None:
        src, dst = (own, other) if amount < 0 else (other, own)
        facts.links.append(
            LinkSpec(
                LinkKind.PAYMENT,
                src,
                dst,
                amount=abs(amount),
                currency=(r.text("currency") or ctx.get("currency") or "VND").upper(),
                occurred_at=when,
                reference=r.text("reference"),
                data={"description": r.text("description")[:300]} if r.has("description") else {},
            )
        )
    return facts


def _calls(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    a = r.call("caller", normalize.phone, r.need("caller"))
    b = r.call("callee", normalize.phone, r.need("callee"))
    when = (
        r.call("time", parse_time, r.raw("time")) if r.has("time") else (r.fail("time", "required") or None)
    )
    seconds = None
    if r.has("duration"):
        try:
            seconds = int(float(r.text("duration").replace(",", ".")))
        except ValueError:
            r.fail("duration", "duration")
    if a and b and when:
        facts.links.append(
            LinkSpec(
                LinkKind.CALL,
                facts.entity(EntityKind.PHONE, a, a),
                facts.entity(EntityKind.PHONE, b, b),
                occurred_at=when,
                data={"duration": seconds} if seconds is not None else {},
            )
        )
    return facts


def _crypto(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    chain = r.text("chain") or ctx.get("chain") or None
    a = r.call("from_wallet", normalize.wallet, chain, r.need("from_wallet"))
    b = r.call("to_wallet", normalize.wallet, chain, r.need("to_wallet"))
    amount = (
        r.call("amount", parse_amount, r.raw("amount"))
        if r.has("amount")
        else (r.fail("amount", "required") or None)
    )
    when = r.call("time", parse_time, r.raw("time")) if r.has("time") else None
    if a and b and amount is not None:
        src = facts.entity(EntityKind.WALLET, a, a, exchange_user=r.text("exchange_user"))
        dst = facts.entity(EntityKind.WALLET, b, b)
        facts.links.append(
            LinkSpec(
                LinkKind.PAYMENT,
                src,
                dst,
                amount=abs(amount),
                currency=(r.text("asset") or r.text("currency") or "USDT").upper(),
                occurred_at=when,
                reference=r.text("reference"),
                data={"chain": a.split(":", 1)[0]},
            )
        )
    return facts


def _subscribers(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    r.need("phone")
    r.need("name")
    _person(facts, r, subscriber=True)
    return facts


def _holders(r: RowReader, ctx: dict) -> RowFacts:
    facts = RowFacts()
    r.need("name")
    account = _account(facts, r, "bank", "account", bank=ctx.get("bank", ""), label=r.text("name"))
    person = _person(facts, r)
    if account and person:
        facts.links.append(LinkSpec(LinkKind.HOLDS_ACCOUNT, person, account))
    return facts


def _companies(r: RowReader, ctx: dict) -> RowFacts:
    """A company: keyed by its tax code, or by its name when the extract gives none (a later
    extract with the code stays another entity: companies are not resolved probabilistically yet)."""
    facts = RowFacts()
    name = r.need("name")
    code = r.call("tax_code", normalize.tax_code, r.text("tax_code")) if r.has("tax_code") else None
    if r.has("tax_code") and not code:
        return facts
    if not name:
        return facts
    key = f"MST:{code}" if code else f"name:{normalize.name_key(name)}"
    company = facts.entity(EntityKind.COMPANY, key, name, tax_code=code or "")
    if r.has("address"):
        addr = r.text("address")
        facts.links.append(
            LinkSpec(
                LinkKind.HAS_ADDRESS, company, facts.entity(EntityKind.ADDRESS, "addr:" + fold(addr), addr)
            )
        )
    if r.has("representative"):
        rep = _person(
            facts, r, name_field="representative", cccd_field="representative_cccd", phone_field="-"
        )
        if rep:
            facts.links.append(
                LinkSpec(LinkKind.DIRECTORSHIP, rep, company, data={"role": "legal_representative"})
            )
    if r.has("owner"):
        owner = _person(facts, r, name_field="owner", cccd_field="owner_cccd", phone_field="-")
        if owner:
            facts.links.append(LinkSpec(LinkKind.OWNERSHIP, owner, company))
    if r.has("account"):
        acc = _account(facts, r, "bank", "account", label=name)
        if acc:
            facts.links.append(LinkSpec(LinkKind.HOLDS_ACCOUNT, company, acc))
    return facts


READERS: dict[str, Callable[[RowReader, dict], RowFacts]] = {
    ImportKind.COMPLAINTS: _complaint,
    ImportKind.BANK_STATEMENT: _statement,
    ImportKind.CALLS: _calls,
    ImportKind.CRYPTO: _crypto,
    ImportKind.SUBSCRIBERS: _subscribers,
    ImportKind.ACCOUNT_HOLDERS: _holders,
    ImportKind.COMPANIES: _companies,
}


# --- The import ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    kind: str
    file_name: str
    dry_run: bool
    rows: int = 0
    entities_new: int = 0
    links_new: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    already_imported: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "entities_new": self.entities_new,
            "links_new": self.links_new,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
            "already_imported": self.already_imported,
            "mapping": self.mapping,
            "batch": self.batch_id,
        }


class _Rollback(Exception):
    pass


def material_import(
    *,
    actor,
    investigation: Investigation,
    kind: str,
    path: Path | str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    bank: str = "",
    account: str = "",
    holder: str = "",
    chain: str = "",
    currency: str = "",
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check (dry run) or import one file into the investigation: all or nothing. Only the
    team imports (`actor` None: the command line's system import)."""
    if actor is not None and not is_team_member(actor, investigation):
        audit_denied(
            actor,
            reason="not_team",
            object_type="investigations.investigation",
            object_id=str(investigation.pk),
        )
        raise PermissionDenied
    kind = ImportKind(kind)
    path = Path(path)
    file_name = file_name or path.name
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run)
    messages = _messages()
    ctx = {"bank": bank, "holder": holder, "chain": chain, "currency": currency}
    if account:
        try:
            ctx["account"] = normalize.bank_account(bank, account)
        except normalize.NormaliseError as exc:
            result.problems.append(
                Problem(None, "account", account, exc.code, messages.get(exc.code, exc.code))
            )
            result.problem_count = 1
            return result
    bank_code = ""
    if bank:
        try:
            bank_code = normalize.bank_code(bank)
        except normalize.NormaliseError as exc:
            result.problems.append(Problem(None, "bank", bank, exc.code, messages.get(exc.code, exc.code)))
            result.problem_count = 1
            return result
    sha = file_sha256(path)
    if SourceFile.objects.unrestricted().filter(investigation=investigation, kind=kind, sha256=sha).exists():
        result.already_imported = True
        return result
    try:
        sheet = open_sheet(path, file_name)
    except FileProblem as exc:
        p = exc.problem
        result.problems.append(Problem(p.row, p.column, p.value, p.code, p.message))
        result.problem_count = 1
        return result
    sheet_name = _sheet_name(path) if sheet.format == "xlsx" else ""
    try:
        if mapping is None and kind == ImportKind.BANK_STATEMENT and bank_code:
            saved = BankMapping.objects.filter(bank=bank_code).first()
            mapping = dict(saved.mapping) if saved else None
        used = {**default_mapping(sheet.header), **(mapping or {})}
        columns = {f: sheet.header.index(h) for f, h in used.items() if h in sheet.header}
        result.mapping = {f: sheet.header[i] for f, i in columns.items()}
        for any_of in REQUIRED[kind]:
            if not any(f in columns for f in any_of) and not (
                kind == ImportKind.BANK_STATEMENT and any_of == ("account",)
            ):
                result.problems.append(
                    Problem(
                        1,
                        " / ".join(any_of),
                        "",
                        "column.missing",
                        _("No column for %(field)s: name it in the mapping.") % {"field": " / ".join(any_of)},
                    )
                )
                result.problem_count += 1
        if result.problem_count:
            return result
        try:
            with transaction.atomic():
                batch = None
                if not dry_run:
                    batch = SourceFile.objects.create(
                        investigation=investigation,
                        kind=kind,
                        file_name=file_name[:255],
                        sha256=sha,
                        bank=bank_code,
                        mapping=result.mapping,
                        created_by=actor,
                    )
                    result.batch_id = batch.pk
                writer = _Writer(investigation, batch, sheet_name, result, dry_run=dry_run)
                memo: dict = {}
                rows = None
                if kind == ImportKind.BANK_STATEMENT:
                    rows = statement_rows(path, sheet, columns, ctx, messages, memo)
                if rows is None:
                    rows = _row_facts(sheet, READERS[kind], columns, ctx, messages, memo)
                chunk: list[tuple[int, RowFacts]] = []
                ticks = 0
                try:
                    for number, facts, problems in rows:
                        result.rows += 1
                        if problems:
                            result.problem_count += len(problems)
                            room = MAX_PROBLEMS - len(result.problems)
                            result.problems.extend(problems[: max(room, 0)])
                        elif not result.problem_count:
                            chunk.append((number, facts))
                        if result.problem_count:
                            chunk = []
                        if len(chunk) >= CHUNK:
                            writer.write(chunk)
                            chunk = []
                        ticks += 1
                        if progress is not None and ticks >= PROGRESS_EVERY:
                            progress(ticks)
                            ticks = 0
                    if progress is not None and ticks:
                        progress(ticks)
                    if chunk and not result.problem_count:
                        writer.write(chunk)
                    writer.close()
                finally:
                    writer.stop()
                    rows.close()  # the column reader's generator: its end runs now
                if dry_run or result.problem_count:
                    raise _Rollback
                batch.rows_total = result.rows
                batch.entities_created = result.entities_new
                batch.links_created = result.links_new
                batch.save(update_fields=["rows_total", "entities_created", "links_created"])
                if kind == ImportKind.BANK_STATEMENT and bank_code and mapping:
                    BankMapping.objects.update_or_create(
                        bank=bank_code, defaults={"mapping": result.mapping, "updated_by": actor}
                    )
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    target=batch,
                    extra={
                        "investigation": investigation.pk,
                        "kind": kind,
                        "sha256": sha,
                        "rows": result.rows,
                        "entities_new": result.entities_new,
                        "links_new": result.links_new,
                    },
                )
        except _Rollback:
            result.batch_id = None
        except IntegrityError:
            # The same file committed by someone else meanwhile: nothing of ours was kept.
            result.already_imported = True
            result.batch_id = None
    finally:
        sheet.close()
    return result


def _row_facts(sheet, reader, columns: dict[str, int], ctx: dict, messages, memo: dict):
    """The file's rows read one by one: (number, facts, problems)."""
    for number, cells in sheet.rows:
        r = RowReader(list(cells), columns, sheet.header, number, messages, memo)
        facts = reader(r, ctx)
        yield number, facts, r.problems


def _sheet_name(path: Path) -> str:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
        name = wb.sheetnames[0] if wb.sheetnames else ""
        wb.close()
        return name[:100]
    except Exception:
        return ""


class _Writer:
    """Writes the checked rows chunk by chunk, in bulk: new entities (each looked up once per
    import: their ids are kept), their sources, and the links whose fingerprint is new.

    On PostgreSQL the sources and links go in with COPY (links through a staging table and one
    `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, which also settles which are new); elsewhere
    with bulk_create. Either way a chunk costs a fixed number of queries, whatever its rows.
    A dry run counts what would be new without writing."""

    def __init__(self, investigation, batch, sheet_name: str, result: ImportResult, *, dry_run: bool):
        self.investigation, self.batch, self.sheet, self.result = investigation, batch, sheet_name, result
        self.dry_run = dry_run
        self.ids: dict[tuple[str, str], int] = {}  # entities known to exist
        self.would_create: set[tuple[str, str]] = set()  # a dry run's new entities
        self.copy = connection.vendor == "postgresql"
        self.cursor = None
        self.pool: ThreadPoolExecutor | None = None
        self.pending: Future | None = None

    # -- entities -------------------------------------------------------------------------------

    def _entities(self, chunk: list[tuple[int, RowFacts]]) -> None:
        entity_row: dict[tuple[str, str], tuple[EntitySpec, int]] = {}
        for number, facts in chunk:
            for spec in facts.entities:
                key = (spec.kind, spec.key[:200])
                if key in self.ids:
                    continue
                if key not in entity_row:
                    # A copy: later rows fill its data, and the column reader shares one spec
                    # among the rows that name the same thing.
                    entity_row[key] = (
                        EntitySpec(spec.kind, spec.key, spec.label, dict(spec.data), spec.province),
                        number,
                    )
                else:  # later rows fill what the first left empty
                    first = entity_row[key][0]
                    for k, v in spec.data.items():
                        first.data.setdefault(k, v)
        if not entity_row:
            return
        self.ids.update(_existing_ids(self.investigation, entity_row.keys()))
        new = [k for k in entity_row if k not in self.ids and k not in self.would_create]
        self.result.entities_new += len(new)
        if self.dry_run:
            self.would_create.update(new)
            return
        created = Entity.objects.bulk_create(
            [
                Entity(
                    investigation=self.investigation,
                    kind=k[0],
                    key=k[1],
                    label=entity_row[k][0].label[:300],
                    name_key=fold(entity_row[k][0].label)[:300],
                    data=entity_row[k][0].data,
                    province=entity_row[k][0].province[:10],
                    batch=self.batch,
                    sheet=self.sheet,
                    row=entity_row[k][1],
                )
                for k in new
            ],
            batch_size=1000,
        )
        if all(e.pk for e in created):
            self.ids.update({(e.kind, e.key): e.pk for e in created})
        else:  # a database that does not return the ids of a bulk insert
            self.ids.update(_existing_ids(self.investigation, new))

    # -- the chunk ------------------------------------------------------------------------------

    def write(self, chunk: list[tuple[int, RowFacts]]) -> None:
        self._entities(chunk)
        links: dict[str, tuple[int, LinkSpec]] = {}
        for number, facts in chunk:
            for spec in facts.links:
                links.setdefault(spec.fingerprint(), (number, spec))
        if self.dry_run:
            self._count_new_links(links)
            return
        ids = self.ids
        sources: set[tuple[int, int]] = set()
        covering: set[str] = set()  # links whose row needs no source row when they are written
        for number, facts in chunk:
            if facts.covered:
                fp = facts.links[0].fingerprint()
                if links[fp][0] == number:
                    covering.add(fp)
                    continue
            for spec in facts.entities:
                sources.add((ids[(spec.kind, spec.key[:200])], number))
        link_rows = [
            (
                spec.kind,
                ids[(spec.source[0], spec.source[1][:200])],
                ids[(spec.target[0], spec.target[1][:200])],
                spec.amount,
                spec.currency[:10],
                spec.occurred_at,
                spec.reference[:200],
                spec.data,
                fp,
                number,
            )
            for fp, (number, spec) in links.items()
        ]
        if self.copy:
            # The server writes this chunk while the next one is read: one write in flight at
            # most, on this connection and in this transaction (the driver runs its statements
            # one after the other); `wait` gives back its error, if any.
            self.wait()
            if self.pool is None:
                # The staging table and the cursor of this thread's connection (the writing
                # thread's own `connection` would be another one, outside this transaction).
                self.cursor = connection.cursor()
                self.cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {LINK_STAGE} (kind varchar(20), source_id bigint, "
                    "target_id bigint, amount numeric(20,4), currency varchar(10), occurred_at timestamptz, "
                    "reference varchar(200), data jsonb, fingerprint varchar(64), row integer, ord serial)"
                )
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
            self.pending = self.pool.submit(self._copy, sources, covering, link_rows)
        else:
            self._bulk_create(sources, covering, link_rows)

    def wait(self) -> None:
        """Wait for the chunk being written (its error raised here)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def _count_new_links(self, links: dict[str, tuple[int, LinkSpec]]) -> None:
        fps = list(links)
        known: set[str] = set()
        for i in range(0, len(fps), 5000):
            known.update(
                Link.objects.unrestricted()
                .filter(investigation=self.investigation, fingerprint__in=fps[i : i + 5000])
                .values_list("fingerprint", flat=True)
            )
        self.result.links_new += len(fps) - len(known)

    def _bulk_create(self, sources, covering, link_rows) -> None:
        inv, batch, sheet = self.investigation, self.batch, self.sheet
        fps = [row[8] for row in link_rows]
        known = set()
        for i in range(0, len(fps), 900):
            known.update(
                Link.objects.unrestricted()
                .filter(investigation=inv, fingerprint__in=fps[i : i + 900])
                .values_list("fingerprint", flat=True)
            )
        fresh = [
            Link(
                investigation=inv,
                kind=kind,
                source_id=source,
                target_id=target,
                amount=amount,
                currency=currency,
                occurred_at=occurred_at,
                reference=reference,
                data=data,
                fingerprint=fp,
                batch=batch,
                sheet=sheet,
                row=number,
            )
            for kind, source, target, amount, currency, occurred_at, reference, data, fp, number in link_rows
            if fp not in known
        ]
        Link.objects.bulk_create(fresh, batch_size=2000)
        self.result.links_new += len(fresh)
        EntitySource.objects.bulk_create(
            [
                EntitySource(investigation=inv, entity_id=eid, batch=batch, sheet=sheet, row=number)
                for eid, number in _not_in_links(
                    sources, covering, link_rows, {link.fingerprint for link in fresh}
                )
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )

    def _copy(self, sources, covering, link_rows) -> None:
        """PostgreSQL (in the writing thread, on the import's connection and transaction): COPY
        the links into a staging table, insert those not already there, then COPY the sources
        that no written link records (a new batch: none can exist yet)."""
        raw = self.cursor.cursor  # psycopg's own cursor (COPY)
        inv, batch = self.investigation.pk, self.batch.pk
        self.cursor.execute(f"TRUNCATE {LINK_STAGE}")
        with raw.copy(
            f"COPY {LINK_STAGE} (kind, source_id, target_id, amount, currency, occurred_at, reference, "
            "data, fingerprint, row) FROM STDIN"
        ) as copy:
            for row in link_rows:
                copy.write_row((*row[:7], json.dumps(row[7]) if row[7] else "{}", *row[8:]))
        self.cursor.execute(
            "INSERT INTO investigations_link (investigation_id, kind, source_id, target_id, amount, "
            "currency, occurred_at, reference, data, fingerprint, batch_id, sheet, row) "
            "SELECT %s, kind, source_id, target_id, amount, currency, occurred_at, reference, data, "
            "fingerprint, %s, %s, row FROM inv_link_stage ORDER BY ord "
            "ON CONFLICT (investigation_id, fingerprint) DO NOTHING RETURNING fingerprint",
            [inv, batch, self.sheet],
        )
        inserted = {fp for (fp,) in self.cursor.fetchall()}
        self.result.links_new += len(inserted)
        rest = _not_in_links(sources, covering, link_rows, inserted)
        if rest:
            with raw.copy(
                "COPY investigations_entitysource (investigation_id, entity_id, batch_id, sheet, row) FROM STDIN"
            ) as copy:
                for eid, number in rest:
                    copy.write_row((inv, eid, batch, self.sheet, number))

    def close(self) -> None:
        self.wait()
        if self.cursor is not None:
            self.cursor.execute(f"DROP TABLE IF EXISTS {LINK_STAGE}")
            self.cursor.close()
            self.cursor = None

    def stop(self) -> None:
        """Whatever happened: no write may run on after the import's transaction ends."""
        if self.pending is not None:
            futures_wait([self.pending])
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None


def _not_in_links(sources, covering, link_rows, inserted: set[str]) -> list[tuple[int, int]]:
    """The (entity, row) sources that no link written by this import records: a link keeps its
    file, sheet and row, which are then a source of both its ends (the entity page reads them
    from the links). A row whose fact was already known (the link not written) keeps its own.
    `covering`: the links of the rows whose entities are the link's two ends (left out of
    `sources`): their ends are sources only when the link was not written."""
    rest: set[tuple[int, int]] = set()
    if sources:
        covered = {
            pair
            for _k, source, target, *_rest, fp, number in link_rows
            if fp in inserted
            for pair in ((source, number), (target, number))
        }
        rest = sources - covered
    if covering - inserted:
        known = covering - inserted
        for _k, source, target, *_rest, fp, number in link_rows:
            if fp in known:
                rest.add((source, number))
                rest.add((target, number))
    return sorted(rest)


def _existing_ids(investigation, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_kind: dict[str, list[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, []).append(key)
    found = {}
    for kind, kk in by_kind.items():
        for i in range(0, len(kk), 900):
            for pk, key in (
                Entity.objects.unrestricted()
                .filter(investigation=investigation, kind=kind, key__in=kk[i : i + 900])
                .values_list("pk", "key")
            ):
                found[(kind, key)] = pk
    return found

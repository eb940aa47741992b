"""Loaders: read a table from data/, validate every cell against its schema, return typed frames.

A loader either returns the whole table, validated and typed, or raises one
``DataValidationError`` that lists every broken rule with its CSV line and column. Nothing is
coerced before it is checked and no partial table is returned.
"""
from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from techmarket import schema
from techmarket.errors import DataValidationError, Problem
from techmarket.metrics import decimals_of, value_interval
from techmarket.paths import CLAIMS_CSV, EXTERNAL_CSV, FACTS_CSV
from techmarket.units import CONVERSIONS, NOT_CONVERTIBLE

HEADER_LINE = 1  # data row i (0-based) sits on CSV line i + 2


def read_raw(path: Path, resource_name: str) -> pd.DataFrame:
    """Read a CSV as text only (no type guessing, no NA guessing); check the header first."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(path, [Problem(None, None, "file not found")])
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError as err:
        raise DataValidationError(path, [Problem(None, None, f"encoding: expected UTF-8 ({err.reason} at byte {err.start})")]) from None
    expected = schema.field_names(resource_name)
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        rule = f"header: expected columns {expected}"
        detail = "; ".join(filter(None, [missing and f"missing {missing}", extra and f"unexpected {extra}"])) or "order differs"
        raise DataValidationError(path, [Problem(HEADER_LINE, None, rule, detail)])
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    except pd.errors.ParserError as err:
        raise DataValidationError(path, [Problem(None, None, f"CSV syntax: {err}")]) from None
    return df.astype(object)


def _problems_from(err: pa.errors.SchemaErrors, df: pd.DataFrame, key: list[str] | None) -> list[Problem]:
    problems: dict[tuple, Problem] = {}
    for rec in err.failure_cases.to_dict("records"):
        idx = rec.get("index")
        line = int(idx) + 2 if idx is not None and pd.notna(idx) else None
        check = str(rec.get("check"))
        column = rec.get("column") if isinstance(rec.get("column"), str) else None
        found = rec.get("failure_case")
        found = None if found is None or pd.isna(found) else str(found)
        if check in schema.RULE_COLUMNS:
            # a rule across columns: report it once per row, in the column the rule is about
            column = schema.RULE_COLUMNS[check]
            found = str(df.at[idx, column]) if line is not None else None
        elif check == "multiple_fields_uniqueness":
            # one problem per row, naming the whole key rather than each of its columns
            column, check, found = None, f"unique: the combination {key} must not repeat", None
        elif check.startswith("field_uniqueness"):
            check = "unique: value must not repeat"
        elif check == "column_in_dataframe":
            check = "header: required column missing"
        problems[(line, column, check)] = Problem(line, column, check, found)
    return list(problems.values())


def validate(df: pd.DataFrame, sch: pa.DataFrameSchema, path: Path) -> None:
    """Run ``sch`` over ``df`` and raise one ``DataValidationError`` listing every failure."""
    try:
        sch.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        key = sch.unique if isinstance(sch.unique, list) else None
        raise DataValidationError(path, _problems_from(err, df, key)) from None


def _interval_bounds(value: str, qualifier: str, unit: str) -> tuple[float, float]:
    """Bounds of what a printed value can be (in its own unit); see data/README.md."""
    if qualifier == "lower_bound":
        return float(Fraction(value)), float("inf")
    if qualifier == "upper_bound":
        return float("-inf"), float(Fraction(value))
    i = value_interval(value, unit)
    return float(i.lo), float(i.hi)


def load_facts(path: Path | str = FACTS_CSV) -> pd.DataFrame:
    """The paper's quantitative statements (data/paper/facts.csv), validated and typed.

    Added columns: ``line`` (CSV line), ``value_num`` (float), ``decimals`` (printed precision,
    None for fractions), ``lo``/``hi`` (what the printed value can be; see data/README.md),
    ``value_canonical``/``unit_canonical`` (converted by lib/techmarket/units.py).
    """
    path = Path(path)
    df = read_raw(path, "facts")
    validate(df, schema.facts_schema(), path)
    out = df.copy()
    out.insert(0, "line", out.index + 2)
    for col in ("year", "base_year"):
        out[col] = pd.array([int(v) if v else None for v in df[col]], dtype="Int64")
    out["value_num"] = [float(Fraction(v)) for v in df["value"]]
    out["decimals"] = pd.array([None if "/" in v else decimals_of(v) for v in df["value"]], dtype="Int64")
    bounds = [_interval_bounds(v, q, u) for v, q, u in zip(df["value"], df["qualifier"], df["unit"], strict=True)]
    out["lo"] = [b[0] for b in bounds]
    out["hi"] = [b[1] for b in bounds]
    out["unit_canonical"] = pd.array([CONVERSIONS[u][0] for u in df["unit"]], dtype="string")
    out["value_canonical"] = [float(Fraction(v) * CONVERSIONS[u][1]) for v, u in zip(df["value"], df["unit"], strict=True)]
    for col in ("section", "locator", "indicator", "geo", "category", "dimension", "measure",
                "unit", "qualifier", "relative_to", "span", "note", "fact_id", "value"):
        out[col] = out[col].astype("string")
    out.attrs["source"] = str(path)
    return out


def load_external(path: Path | str = EXTERNAL_CSV) -> pd.DataFrame:
    """Official releases beside the paper (data/external/official_releases.csv), validated and typed.

    Added columns: ``line`` (CSV line, the row's identity: ``ext_id`` = 'EXT-<line>'),
    ``value_text`` (the value as printed, so its precision is known),
    ``value_canonical``/``unit_canonical`` (money in 亿元, counts in 项, shares in %; values in
    US dollars keep their unit and get no canonical value, since no exchange rate is given).
    """
    path = Path(path)
    df = read_raw(path, "official_releases")
    validate(df, schema.external_schema(), path)
    out = df.copy()
    out.insert(0, "line", out.index + 2)
    out.insert(0, "ext_id", [f"EXT-{i + 2:03d}" for i in out.index])
    out["year"] = out["year"].astype(int)
    out.insert(out.columns.get_loc("value"), "value_text", df["value"].astype("string"))
    out["value"] = out["value"].astype(float)
    conv = [CONVERSIONS.get(u) for u in df["unit"]]
    out["unit_canonical"] = pd.array([c[0] if c else u for c, u in zip(conv, df["unit"], strict=True)], dtype="string")
    out["value_canonical"] = [
        float(Fraction(v) * c[1]) if c else float("nan") for v, c in zip(df["value"], conv, strict=True)
    ]
    out["convertible"] = [u not in NOT_CONVERTIBLE for u in df["unit"]]
    for col in ("series", "geo", "qualifier", "unit", "publisher", "retrieved_from", "excerpt", "note"):
        out[col] = out[col].astype("string")
    out.attrs["source"] = str(path)
    return out


def load_claims(path: Path | str = CLAIMS_CSV, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry of the paper's quantitative claims (data/paper/claims.csv), validated.

    A claim that is a printed number names its fact: its span, reported value and unit must be
    the fact's, and its kind must fit the fact's measure. A comparison claim (C-NN) has no fact.
    """
    path = Path(path)
    df = read_raw(path, "claims")
    validate(df, schema.raw_schema("claims"), path)
    facts = load_facts() if facts is None else facts
    by_id = facts.set_index("fact_id")
    problems = []
    for i, r in df.iterrows():
        line = i + 2
        if r["claim_id"].startswith("C-"):
            if r["fact_id"]:
                problems.append(Problem(line, "fact_id", "a comparison claim (C-NN) names no fact", r["fact_id"]))
            if r["kind"] not in ("threshold", "order"):
                problems.append(Problem(line, "kind", "a comparison claim is a threshold or an order", r["kind"]))
            continue
        if r["fact_id"] != r["claim_id"]:
            problems.append(Problem(line, "fact_id", "a claim about a printed number has its fact's id", r["fact_id"]))
            continue
        if r["fact_id"] not in by_id.index:
            problems.append(Problem(line, "fact_id", "no such fact in data/paper/facts.csv", r["fact_id"]))
            continue
        fact = by_id.loc[r["fact_id"]]
        for col, fcol in (("span", "span"), ("reported", "value"), ("unit", "unit"), ("section", "section")):
            if r[col] != fact[fcol]:
                problems.append(Problem(line, col, f"must equal the fact's {fcol} {fact[fcol]!r}", r[col]))
        allowed = schema.CLAIM_KINDS_BY_MEASURE[fact["measure"]]
        if r["kind"] not in allowed:
            problems.append(Problem(line, "kind", f"for a {fact['measure']} fact the kind is one of {sorted(allowed)}", r["kind"]))
    if problems:
        raise DataValidationError(path, problems)
    out = df.copy()
    out.insert(0, "line", out.index + 2)
    return out.astype({c: "string" for c in df.columns})

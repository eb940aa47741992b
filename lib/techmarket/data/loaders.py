"""Loaders: read a table from data/, validate every cell against its schema, return typed frames.

A loader either returns the whole table, validated and typed, or raises one
``DataValidationError`` that lists every broken rule with its CSV line and column. Nothing is
coerced before it is checked and no partial table is returned.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import pandas as pd

from techmarket.data import schema
from techmarket.data.csv_tables import read_raw, release_id, row_lines, validate
from techmarket.data.errors import DataValidationError, InputError, Problem
from techmarket.data.metrics import decimals_of, value_interval
from techmarket.data.paper_checks import (
    conflicting_releases,
    counts_not_stated,
    locators_not_of_their_section,
    spans_not_stating_value,
    values_not_in_excerpt,
)
from techmarket.data.paths import CLAIMS_CSV, DATA_DIR, DATAPACKAGE, EXTERNAL_CSV, FACTS_CSV, relative
from techmarket.data.units import CONVERSIONS, NOT_CONVERTIBLE


# ---------------------------------------------------------------------------------------
# Where the tables are: data/ by default, or a copy of it.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataFiles:
    """The descriptor and the three tables of one data folder (``data/`` or a copy with its layout)."""

    datapackage: Path
    facts: Path
    claims: Path
    external: Path


def data_files(data_dir: Path | str | None = None) -> DataFiles:
    """The files of ``data/`` or, if given, of ``data_dir`` (a folder laid out as ``data/`` is:
    ``datapackage.json``, ``paper/facts.csv``, ``paper/claims.csv``, ``external/official_releases.csv``).
    """
    if data_dir is None:
        return DataFiles(DATAPACKAGE, FACTS_CSV, CLAIMS_CSV, EXTERNAL_CSV)
    root = Path(data_dir)
    if not root.is_dir():
        raise InputError(f"{root}: no such data folder (expected a folder laid out as data/ is)")
    return DataFiles(*(root / p.relative_to(DATA_DIR) for p in (DATAPACKAGE, FACTS_CSV, CLAIMS_CSV, EXTERNAL_CSV)))


def _interval_bounds(value: str, qualifier: str, unit: str) -> tuple[float, float]:
    """Bounds of what a printed value can be (in its own unit); see data/README.md."""
    if qualifier == "lower_bound":
        return float(Fraction(value)), float("inf")
    if qualifier == "upper_bound":
        return float("-inf"), float(Fraction(value))
    i = value_interval(value, unit)
    return float(i.lo), float(i.hi)


def _validated(path: Path, resource: str, sch, datapackage: Path | str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table read as text and validated: (the raw frame, a copy of it with its ``line`` column,
    which the loader types)."""
    df = read_raw(path, resource, datapackage)
    validate(df, sch, path)
    out = df.copy()
    out.attrs = {}
    out.insert(0, "line", row_lines(df))
    return df, out


def load_facts(path: Path | str = FACTS_CSV, *, datapackage: Path | str | None = None) -> pd.DataFrame:
    """The paper's quantitative statements (data/paper/facts.csv), validated and typed.

    Added columns: ``line`` (CSV line), ``value_num`` (float), ``decimals`` (printed precision,
    None for fractions), ``lo``/``hi`` (what the printed value can be; see data/README.md),
    ``value_canonical``/``unit_canonical`` (converted by lib/techmarket/data/units.py).
    ``datapackage``: the descriptor to read the columns from (default ``data/datapackage.json``).
    """
    path = Path(path)
    df, out = _validated(path, "facts", schema.facts_schema(datapackage), datapackage)
    for col in ("year", "base_year"):
        out[col] = pd.array([int(v) if v else None for v in df[col]], dtype="Int64")
    out["value_num"] = [float(Fraction(v)) for v in df["value"]]
    out["decimals"] = pd.array([None if "/" in v else decimals_of(v) for v in df["value"]], dtype="Int64")
    bounds = [_interval_bounds(v, q, u) for v, q, u in zip(df["value"], df["qualifier"], df["unit"], strict=True)]
    out["lo"] = [b[0] for b in bounds]
    out["hi"] = [b[1] for b in bounds]
    out["unit_canonical"] = pd.array([CONVERSIONS[u][0] for u in df["unit"]], dtype="string")
    out["value_canonical"] = [
        float(Fraction(v) * CONVERSIONS[u][1]) for v, u in zip(df["value"], df["unit"], strict=True)
    ]
    for col in ("section", "locator", "indicator", "geo", "category", "dimension", "measure",
                "unit", "qualifier", "relative_to", "span", "note", "fact_id", "value"):
        out[col] = out[col].astype("string")
    _refuse(path, spans_not_stating_value(out) + locators_not_of_their_section(out))
    out.attrs["source"] = str(path)
    return out


def load_external(path: Path | str = EXTERNAL_CSV, *, datapackage: Path | str | None = None) -> pd.DataFrame:
    """Official releases beside the paper (data/external/official_releases.csv), validated and typed.

    Added columns: ``line`` (CSV line, the row's identity: ``ext_id`` = 'EXT-<line>'),
    ``value_text`` (the value as printed, so its precision is known),
    ``value_canonical``/``unit_canonical`` (money in 亿元, counts in 项, shares in %; values in
    US dollars keep their unit and get no canonical value, since no exchange rate is given).
    """
    path = Path(path)
    df, out = _validated(path, "official_releases", schema.external_schema(datapackage), datapackage)
    out.insert(0, "ext_id", [release_id(line) for line in row_lines(df)])
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
    _refuse(path, values_not_in_excerpt(out) + conflicting_releases(out))
    out.attrs["source"] = str(path)
    return out


def _refuse(path: Path, problems: list[Problem]) -> None:
    """Rows that contradict themselves (a span that does not print its value, a release whose
    excerpt does not print it, two releases of one figure that differ, ...): nothing is loaded."""
    if problems:
        raise DataValidationError(path, problems)


COMPARISON_KINDS = ("threshold", "order", "rank", "count")


def load_claims(path: Path | str = CLAIMS_CSV, facts: pd.DataFrame | None = None, *,
                datapackage: Path | str | None = None) -> pd.DataFrame:
    """The registry of the paper's quantitative claims (data/paper/claims.csv), validated.

    A claim that is a printed number names its fact: its span, reported value and unit must be
    the fact's, and its kind must fit the fact's measure. A comparison claim (C-NN) has no fact.
    """
    path = Path(path)
    df, out = _validated(path, "claims", schema.raw_schema("claims", datapackage=datapackage), datapackage)
    facts = load_facts(datapackage=datapackage) if facts is None else facts
    facts_file = relative(facts.attrs.get("source", FACTS_CSV))
    by_id = facts.set_index("fact_id")
    problems = []
    for line, r in zip(row_lines(df), df.to_dict("records"), strict=True):
        if r["claim_id"].startswith("C-"):
            if r["fact_id"]:
                problems.append(Problem(line, "fact_id", "a comparison claim (C-NN) names no fact", r["fact_id"]))
            if r["kind"] not in COMPARISON_KINDS:
                problems.append(Problem(line, "kind", "a comparison claim is a threshold, an order, a rank or a count",
                                        r["kind"]))
            if r["kind"] == "count" and not r["items"]:
                problems.append(Problem(line, "items", "a count claim (C-NN) lists the items it counts", r["items"]))
        if r["items"] and r["kind"] not in ("count", "rank"):
            problems.append(Problem(line, "items", "only a count or a rank lists the items it counts", r["items"]))
        if r["items"] and any(not i.strip() for i in r["items"].split(";")):
            problems.append(Problem(line, "items", "items are names separated by ';', none empty", r["items"]))
        if r["claim_id"].startswith("C-"):
            continue
        if r["fact_id"] != r["claim_id"]:
            problems.append(Problem(line, "fact_id", "a claim about a printed number has its fact's id", r["fact_id"]))
            continue
        if r["fact_id"] not in by_id.index:
            problems.append(Problem(line, "fact_id", f"no such fact in {facts_file}", r["fact_id"]))
            continue
        fact = by_id.loc[r["fact_id"]]
        for col, fcol in (("span", "span"), ("reported", "value"), ("unit", "unit"), ("section", "section")):
            if r[col] != fact[fcol]:
                problems.append(Problem(line, col, f"must equal the fact's {fcol} {fact[fcol]!r}", r[col]))
        allowed = schema.CLAIM_KINDS_BY_MEASURE[fact["measure"]]
        if r["kind"] not in allowed:
            rule = f"for a {fact['measure']} fact the kind is one of {sorted(allowed)}"
            problems.append(Problem(line, "kind", rule, r["kind"]))
    if problems:
        ids = dict(zip(row_lines(df), df["claim_id"], strict=True))
        raise DataValidationError(path, [replace(p, ident=ids[p.line]) for p in problems])
    out = out.astype({c: "string" for c in df.columns})
    _refuse(path, counts_not_stated(out))
    return out

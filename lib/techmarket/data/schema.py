"""Schemas for the tables in data/, built from ``data/datapackage.json``.

The Frictionless descriptor (:mod:`techmarket.data.descriptor`) is the single source of truth for
column names, types, enums, ranges, patterns and keys; this module turns it into pandera schemas that check the raw text
of each CSV cell (nothing is coerced before it is checked), and adds the rules that span columns
of a row (units that fit the measure, a base year before the year). It checks what a value *is*;
how printed figures relate to each other (shares of one whole adding up to 100 %, sums, orders) is
what the paper asserts, and the claims audit judges it (:mod:`techmarket.audit.model`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from techmarket.data.descriptor import resource

INT_RE = re.compile(r"-?[0-9]+")
NUMBER_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
MAX_NUMBER_CHARS = 24
MAX_MAGNITUDE = 1e15  # the largest figure, GDP in 万元, is about 1e10
def _cell_check(test: Callable[[str], bool], error: str) -> pa.Check:
    """Element-wise check on raw text; empty cells pass (``required`` is checked separately)."""
    return pa.Check(lambda v: v == "" or bool(test(v)), element_wise=True, error=error)


def _too_large(v: str) -> bool:
    """A number beyond any figure's magnitude (or not finite, as 1e400 reads)."""
    try:
        return not abs(float(v)) < MAX_MAGNITUDE
    except (ValueError, OverflowError):
        return False  # not a number at all: the type check says so


def _sized(v: str, ok: Callable) -> bool:
    """A number the range checks can read: of its type, and not longer or larger than any figure."""
    return bool(ok(v)) and len(v) <= MAX_NUMBER_CHARS and not _too_large(v)


def _field_checks(field: dict) -> list[pa.Check]:
    checks: list[pa.Check] = []
    cons = field.get("constraints", {})
    ftype = field.get("type", "string")
    if cons.get("required"):
        checks.append(pa.Check(lambda v: v != "", element_wise=True, error="required: must not be empty"))
    parse: Callable[[str], float] | None = None
    if ftype in ("integer", "number"):  # no figure of the paper or of a release needs more
        checks.append(_cell_check(lambda v: len(v) <= MAX_NUMBER_CHARS and not _too_large(v),
                                  f"range: expected a number of at most {MAX_NUMBER_CHARS} characters and below "
                                  f"{MAX_MAGNITUDE:.0e} in magnitude"))
    if ftype == "integer":
        checks.append(_cell_check(INT_RE.fullmatch, "type: expected a whole number"))
        parse = int
        ok = INT_RE.fullmatch
    elif ftype == "number":
        checks.append(_cell_check(NUMBER_RE.fullmatch, "type: expected a number"))
        parse = float
        ok = NUMBER_RE.fullmatch
    if parse is not None:
        lo, hi = cons.get("minimum"), cons.get("maximum")
        if lo is not None:
            checks.append(_cell_check(lambda v, p=parse, ok=ok, lo=lo: not _sized(v, ok) or p(v) >= lo,
                                      f"range: expected at least {lo}"))
        if hi is not None:
            checks.append(_cell_check(lambda v, p=parse, ok=ok, hi=hi: not _sized(v, ok) or p(v) <= hi,
                                      f"range: expected at most {hi}"))
    if "enum" in cons:
        allowed = list(cons["enum"])
        checks.append(_cell_check(lambda v, a=frozenset(allowed): v in a,
                                  f"enum: expected one of {allowed}"))
    if "pattern" in cons:
        rx = re.compile(cons["pattern"])
        checks.append(_cell_check(rx.fullmatch, f"pattern: expected text matching {cons['pattern']}"))
    checks.append(pa.Check(lambda v: v == v.strip(), element_wise=True,
                           error="whitespace: no leading or trailing spaces"))
    return checks


def raw_schema(name: str, extra_checks: list[pa.Check] | None = None,
               datapackage: Path | str | None = None) -> pa.DataFrameSchema:
    """pandera schema over the raw text of resource ``name`` (every column read as str)."""
    res = resource(name, datapackage)
    sch = res["schema"]
    columns = {
        f["name"]: pa.Column(
            checks=_field_checks(f),
            unique=bool(f.get("constraints", {}).get("unique")),
            nullable=False,
            coerce=False,
        )
        for f in sch["fields"]
    }
    keys = [list(k) for k in sch.get("uniqueKeys", [])]
    return pa.DataFrameSchema(
        columns,
        checks=list(extra_checks or []),
        strict=True,
        ordered=True,
        unique=keys[0] if keys else None,
        report_duplicates="all",
        name=name,
    )


# ---------------------------------------------------------------------------------------
# Rules across columns and rows of the facts table.
# ---------------------------------------------------------------------------------------
CHANGE_MEASURES = {"pp_change", "growth_pct"}
UNITS_BY_MEASURE = {
    "share": {"%", "fraction"},
    "multiple": {"倍"},
    "growth_multiple": {"倍"},
    "growth_pct": {"%"},
    "cagr": {"%"},
    "pp_change": {"百分点"},
    "rank": {"位"},
    "streak": {"年"},
}
NEEDS_RELATIVE_TO = {"share", "rank", "streak"}
NEEDS_BASE_YEAR = {"growth_multiple", "growth_pct", "cagr", "pp_change", "annual_mean"}
def _value_number(v: str) -> float | None:
    try:
        if "/" in v:
            a, b = v.split("/")
            return int(a) / int(b)
        return float(v)
    except (ValueError, ZeroDivisionError):
        return None


def _nonnegative(df: pd.DataFrame) -> pd.Series:
    num = df["value"].map(_value_number)
    return df["measure"].isin(CHANGE_MEASURES) | num.isna() | (num >= 0)


def _unit_fits_measure(df: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [u in UNITS_BY_MEASURE.get(m, {u}) for m, u in zip(df["measure"], df["unit"], strict=True)],
        index=df.index,
    )


def _relative_to_present(df: pd.DataFrame) -> pd.Series:
    return ~df["measure"].isin(NEEDS_RELATIVE_TO) | (df["relative_to"] != "")


def _base_year_present(df: pd.DataFrame) -> pd.Series:
    multiple_over_time = (df["measure"] == "multiple") & (df["relative_to"] == "")
    needs = df["measure"].isin(NEEDS_BASE_YEAR) | multiple_over_time
    return ~needs | (df["base_year"] != "")


def _base_year_before_year(df: pd.DataFrame) -> pd.Series:
    both = (df["base_year"] != "") & (df["year"] != "")
    ok = pd.Series(True, index=df.index)
    ints = both & df["base_year"].str.fullmatch(INT_RE.pattern) & df["year"].str.fullmatch(INT_RE.pattern)
    ok[ints] = df.loc[ints, "base_year"].astype(int) < df.loc[ints, "year"].astype(int)
    return ok


def _denominator_nonzero(df: pd.DataFrame) -> pd.Series:
    return ~df["value"].map(lambda v: bool(FRACTION_ZERO_RE.fullmatch(v)))


FRACTION_ZERO_RE = re.compile(r"-?[0-9]+/0+")

# (row test, the column a failure is reported in, the rule as the error states it)
FACT_RULES: list[tuple[Callable[[pd.DataFrame], pd.Series], str, str]] = [
    (_nonnegative, "value", "value: must be non-negative unless the measure is a change (pp_change, growth_pct)"),
    (_denominator_nonzero, "value", "value: a fraction's denominator must not be zero"),
    (_unit_fits_measure, "unit", f"unit: must fit the measure {UNITS_BY_MEASURE}"),
    (_relative_to_present, "relative_to", "relative_to: required for share, rank and streak"),
    (_base_year_present, "base_year",
     "base_year: required for changes, growth, CAGR, means and multiples over time"),
    (_base_year_before_year, "base_year", "base_year: must be earlier than year"),
]
RULE_COLUMNS = {msg: column for _, column, msg in FACT_RULES}


def facts_schema(datapackage: Path | str | None = None) -> pa.DataFrameSchema:
    checks = [pa.Check(fn, error=msg) for fn, _, msg in FACT_RULES]
    return raw_schema("facts", checks, datapackage)


def external_schema(datapackage: Path | str | None = None) -> pa.DataFrameSchema:
    return raw_schema("official_releases", datapackage=datapackage)


# Which claim kinds a fact's measure allows (claims.csv against facts.csv).
CLAIM_KINDS_BY_MEASURE = {
    "level": {"level", "count", "threshold"},
    "annual_mean": {"level"},
    "share": {"share"},
    "multiple": {"multiple"},
    "growth_multiple": {"growth_multiple"},
    "growth_pct": {"growth_pct"},
    "cagr": {"cagr"},
    "pp_change": {"pp_change"},
    "rank": {"rank"},
    "streak": {"streak"},
}

"""Schemas for the tables in data/, built from ``data/datapackage.json``.

The Frictionless descriptor (:mod:`techmarket.data.descriptor`) is the single source of truth for
column names, types, enums, ranges, patterns and keys; this module turns it into pandera schemas that check the raw text
of each CSV cell (nothing is coerced before it is checked), and adds the rules that span rows
(units that fit the measure, shares of one whole that cannot exceed 100 %).
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
# Categories that together make up the whole: when every one of them has a share for the same
# indicator, area and year, the shares must add up to 100 within rounding.
PARTITIONS = {
    "contract_type": ("技术开发", "技术转让", "技术咨询", "技术服务"),
    "evaluation_grade": ("优秀", "良好", "合格", "不合格", "取消资格"),
}


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


def _printed_bounds(v: str) -> tuple[float, float] | None:
    """What a printed share can be (metrics.Interval.printed); None for text that is no number."""
    from techmarket.data.metrics import Interval

    try:
        i = Interval.point(v) if "/" in v else Interval.printed(v)
    except (ValueError, ZeroDivisionError):
        return None
    return float(i.lo), float(i.hi)


def _shares_add_up(df: pd.DataFrame) -> pd.Series:
    """Shares of one whole (same indicator, whole, year, dimension) never exceed 100 % beyond
    rounding; for a complete partition they add up to 100 % within rounding.

    Parts are categories (or areas, for shares of an area's total); groups of areas written
    with '+' overlap their members and are left out. A part stated twice counts once.
    """
    ok = pd.Series(True, index=df.index)
    sh = df[(df["measure"] == "share") & (df["unit"] == "%") & (df["qualifier"] == "exact")
            & ~df["geo"].str.contains("+", regex=False)]
    part = sh["category"].where(sh["category"] != "", sh["geo"])
    keys = ["indicator", "relative_to", "year", "dimension"]
    for _, grp in sh.assign(_part=part).groupby(keys, sort=False):
        grp = grp[grp["_part"] != grp["relative_to"]].drop_duplicates("_part")
        bounds = [_printed_bounds(v) for v in grp["value"]]
        if len(grp) < 2 or any(b is None for b in bounds):
            continue
        lo = sum(b[0] for b in bounds)
        hi = sum(b[1] for b in bounds)
        dim = grp["dimension"].iloc[0]
        complete = dim in PARTITIONS and set(PARTITIONS[dim]) <= set(grp["_part"])
        if lo > 100 or (complete and not (lo <= 100 <= hi)):
            ok[grp.index] = False
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
    (_shares_add_up, "value",
     "share: parts of one whole must add up to at most 100 % (exactly 100 % for a complete partition) "
     "within rounding"),
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

"""Loaders: read a table from data/, validate every cell against its schema, return typed frames.

A loader either returns the whole table, validated and typed, or raises one
``DataValidationError`` that lists every broken rule with its CSV line and column. Nothing is
coerced before it is checked and no partial table is returned.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from techmarket.data import schema
from techmarket.data.errors import UTF8_BOM, DataValidationError, InputError, Problem, decode_utf8
from techmarket.data.metrics import decimals_of, value_interval
from techmarket.data.paths import CLAIMS_CSV, DATA_DIR, DATAPACKAGE, EXTERNAL_CSV, FACTS_CSV, relative
from techmarket.data.units import CONVERSIONS, NOT_CONVERTIBLE

HEADER_LINE = 1  # the header is line 1; data rows follow (df.attrs["lines"] has each row's own line)


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


# ---------------------------------------------------------------------------------------
# Reading a CSV as text, with the file's own line numbers.
# ---------------------------------------------------------------------------------------
def _quoting_error(record: str) -> tuple[int, int, int, str] | None:
    """Scan one CSV record (``record`` starts at its first character) as the csv module reads it;
    return (line offset, 1-based character column, field index, what is wrong) of the first
    quoting error, or None."""
    line = col = field = i = 0
    n = len(record)
    field_start = True
    while i < n:
        c = record[i]
        if field_start and c == '"':
            q_line, q_col = line, col
            i, col = i + 1, col + 1
            while True:
                if i >= n:
                    return q_line, q_col + 1, field, "a quoted field is never closed: the file ends inside it"
                c = record[i]
                if c == '"' and record[i + 1:i + 2] == '"':
                    i, col = i + 2, col + 2
                elif c == '"':
                    i, col = i + 1, col + 1
                    break
                elif c in "\r\n":
                    i += 2 if record[i:i + 2] == "\r\n" else 1
                    line, col = line + 1, 0
                else:
                    i, col = i + 1, col + 1
            if i < n and record[i] not in ",\r\n":
                what = "a quoted field must end at its closing quote (expected ',' or the line's end after it)"
                return line, col + 1, field, what
            field_start = False
            continue
        if c == ",":
            field, field_start = field + 1, True
        elif c in "\r\n":
            return None
        else:
            field_start = False
        i, col = i + 1, col + 1
    return None


def _records(path: Path, text: str, expected: list[str]) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank record, header first; line numbers are the file's own."""
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, list[str]]] = []
    last = 0  # the line the previous record ended on
    try:
        for row in reader:
            if row:  # a blank line is skipped (as before), without shifting the line numbers
                out.append((last + 1, row))
            last = reader.line_num
    except csv.Error as err:
        start = last + 1
        header = out[0][1] if out else expected
        found = _quoting_error("".join(lines[start - 1:]))
        if found is None:
            raise DataValidationError(path, [Problem(reader.line_num, None, f"CSV syntax: {err}")]) from None
        offset, col, field, what = found
        column = header[field] if field < len(header) else None
        rule = f"CSV syntax: {what}" + ("" if column else f" (field {field + 1}, beyond the header's columns)")
        problem = Problem(start + offset, column, rule, position=col, position_unit="character")
        raise DataValidationError(path, [problem]) from None
    return out


def _header_problem(line: int, header: list[str], expected: list[str]) -> Problem:
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    repeated = sorted({c for c in header if header.count(c) > 1})
    wanted = f"expected exactly the columns {expected}, in this order"
    if missing or extra or repeated:
        parts = [missing and f"missing {missing}", extra and f"unexpected {extra}", repeated and f"repeated {repeated}"]
        return Problem(line, None, f"header: {'; '.join(filter(None, parts))}; {wanted}", str(header))
    wrong = [(i, f, e) for i, (f, e) in enumerate(zip(header, expected, strict=True), start=1) if f != e]
    if len(wrong) == 2 and wrong[0][1] == wrong[1][2] and wrong[1][1] == wrong[0][2]:
        (i, a, _), (j, b, _) = wrong
        what = f"{b!r} and {a!r} are swapped (columns {i} and {j})"
    else:
        what = ", ".join(f"column {i} is {f!r} where {e!r} belongs" for i, f, e in wrong)
    return Problem(line, None, f"header: columns in the wrong order: {what}; {wanted}", str(header))


def read_raw(path: Path | str, resource_name: str, datapackage: Path | str | None = None) -> pd.DataFrame:
    """Read a CSV as text only (no type guessing, no NA guessing); check the header first.

    A leading UTF-8 byte-order mark is accepted and dropped. Each row's own line in the file
    (header = line 1) is in ``df.attrs["lines"]``: a quoted field may span lines, and blank lines
    are skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(path, [Problem(None, None, "file not found")])
    expected = schema.field_names(resource_name, datapackage)
    data = path.read_bytes()
    if not data.removeprefix(UTF8_BOM).strip(b"\r\n"):
        rule = "the file is empty" + (" (0 bytes)" if not data else " (only line breaks or a byte-order mark)")
        raise DataValidationError(path, [Problem(None, None, f"{rule}: expected a header line and data rows")])
    records = _records(path, decode_utf8(path, data), expected)
    if not records:
        raise DataValidationError(path, [Problem(None, None, "the file has no header: only blank lines")])
    (header_line, header), rows = records[0], records[1:]
    if header != expected:
        raise DataValidationError(path, [_header_problem(header_line, header, expected)])
    if not rows:
        rule = f"no data rows: the file has a header (line {header_line}) and nothing else"
        raise DataValidationError(path, [Problem(None, None, rule)])
    problems = []
    for line, row in rows:
        if len(row) < len(expected):
            rule = f"too few fields: {len(row)} where the header has {len(expected)}; the row ends before this column"
            problems.append(Problem(line, expected[len(row)], rule))
        elif len(row) > len(expected):
            rule = f"too many fields: {len(row)} where the header has {len(expected)} (a ',' too many?)"
            problems.append(Problem(line, None, rule, row[len(expected)]))
    if problems:
        raise DataValidationError(path, problems)
    df = pd.DataFrame([row for _, row in rows], columns=expected, dtype=object)
    df.attrs["lines"] = [line for line, _ in rows]
    return df


def _lines(df: pd.DataFrame) -> list[int]:
    return df.attrs.get("lines") or [int(i) + 2 for i in df.index]


def _problems_from(err: pa.errors.SchemaErrors, df: pd.DataFrame, key: list[str] | None) -> list[Problem]:
    problems: dict[tuple, Problem] = {}
    lines = _lines(df)
    for rec in err.failure_cases.to_dict("records"):
        idx = rec.get("index")
        line = lines[int(idx)] if idx is not None and pd.notna(idx) else None
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


def load_facts(path: Path | str = FACTS_CSV, *, datapackage: Path | str | None = None) -> pd.DataFrame:
    """The paper's quantitative statements (data/paper/facts.csv), validated and typed.

    Added columns: ``line`` (CSV line), ``value_num`` (float), ``decimals`` (printed precision,
    None for fractions), ``lo``/``hi`` (what the printed value can be; see data/README.md),
    ``value_canonical``/``unit_canonical`` (converted by lib/techmarket/data/units.py).
    ``datapackage``: the descriptor to read the columns from (default ``data/datapackage.json``).
    """
    path = Path(path)
    df = read_raw(path, "facts", datapackage)
    validate(df, schema.facts_schema(datapackage), path)
    out = df.copy()
    out.attrs = {}
    out.insert(0, "line", _lines(df))
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
    df = read_raw(path, "official_releases", datapackage)
    validate(df, schema.external_schema(datapackage), path)
    out = df.copy()
    out.attrs = {}
    out.insert(0, "line", _lines(df))
    out.insert(0, "ext_id", [f"EXT-{line:03d}" for line in _lines(df)])
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


COMPARISON_KINDS = ("threshold", "order", "rank", "count")


def load_claims(path: Path | str = CLAIMS_CSV, facts: pd.DataFrame | None = None, *,
                datapackage: Path | str | None = None) -> pd.DataFrame:
    """The registry of the paper's quantitative claims (data/paper/claims.csv), validated.

    A claim that is a printed number names its fact: its span, reported value and unit must be
    the fact's, and its kind must fit the fact's measure. A comparison claim (C-NN) has no fact.
    """
    path = Path(path)
    df = read_raw(path, "claims", datapackage)
    validate(df, schema.raw_schema("claims", datapackage=datapackage), path)
    facts = load_facts(datapackage=datapackage) if facts is None else facts
    facts_file = relative(facts.attrs.get("source", FACTS_CSV))
    by_id = facts.set_index("fact_id")
    problems = []
    for line, (_, r) in zip(_lines(df), df.iterrows(), strict=True):
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
        raise DataValidationError(path, problems)
    out = df.copy()
    out.attrs = {}
    out.insert(0, "line", _lines(df))
    return out.astype({c: "string" for c in df.columns})

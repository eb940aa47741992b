"""Reading a table of data/ as text, with the file's own line numbers, and validating it: every
cell is checked as written (nothing is coerced first) and every broken rule is reported with its
CSV line and column in one ``DataValidationError``.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from techmarket.data import descriptor, schema
from techmarket.data.errors import UTF8_BOM, DataValidationError, Problem, decode_utf8
from techmarket.data.paths import inside

HEADER_LINE = 1  # the header is line 1; data rows follow (df.attrs["lines"] has each row's own line)
ID_COLUMNS = {"facts": "fact_id", "claims": "claim_id"}  # the official releases are known by their line


def release_id(line: int) -> str:
    """An official release's id: its CSV line ('EXT-007' is line 7 of official_releases.csv)."""
    return f"EXT-{line:03d}"


def row_ident(resource: str, row: dict | pd.Series, line: int | None) -> str | None:
    """The id of a row of ``resource`` as a message names it (None where it has none yet)."""
    if resource == "official_releases":
        return release_id(line) if line is not None else None
    column = ID_COLUMNS.get(resource)
    value = row.get(column) if column is not None else None
    return str(value) if isinstance(value, str) and value.strip() else None


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
        what = "is a folder, not a file" if path.is_dir() else ("is not a regular file" if path.exists()
                                                               else "file not found")
        raise DataValidationError(path, [Problem(None, None, f"{what}: expected the {resource_name} table (CSV)")])
    inside(path, descriptor.descriptor_path(datapackage).parent)
    expected = descriptor.field_names(resource_name, datapackage)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataValidationError(path, [Problem(None, None, f"cannot be read ({err.strerror or err})")]) from None
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
        ident = row_ident(resource_name, dict(zip(expected, row, strict=False)), line)
        if len(row) < len(expected):
            rule = f"too few fields: {len(row)} where the header has {len(expected)}; the row ends before this column"
            problems.append(Problem(line, expected[len(row)], rule, ident=ident))
        elif len(row) > len(expected):
            rule = f"too many fields: {len(row)} where the header has {len(expected)} (a ',' too many?)"
            problems.append(Problem(line, None, rule, row[len(expected)], ident=ident))
    if problems:
        raise DataValidationError(path, problems)
    df = pd.DataFrame([row for _, row in rows], columns=expected, dtype=object)
    df.attrs["lines"] = [line for line, _ in rows]
    df.attrs["resource"] = resource_name
    return df


def row_lines(df: pd.DataFrame) -> list[int]:
    """The CSV line of each row of a table read by :func:`read_raw`."""
    return df.attrs.get("lines") or [int(i) + 2 for i in df.index]


def _problems_from(err: pa.errors.SchemaErrors, df: pd.DataFrame, key: list[str] | None) -> list[Problem]:
    problems: dict[tuple, Problem] = {}
    lines = row_lines(df)
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
        ident = row_ident(df.attrs.get("resource", ""), df.loc[idx], line) if line is not None else None
        problems[(line, column, check)] = Problem(line, column, check, found, ident=ident)
    return list(problems.values())


def validate(df: pd.DataFrame, sch: pa.DataFrameSchema, path: Path) -> None:
    """Run ``sch`` over ``df`` and raise one ``DataValidationError`` listing every failure."""
    plain = df.copy(deep=False)
    plain.attrs = {}  # pandas copies a frame's attrs into every column it hands out: the checks need none
    try:
        sch.validate(plain, lazy=True)
    except pa.errors.SchemaErrors as err:
        key = sch.unique if isinstance(sch.unique, list) else None
        raise DataValidationError(path, _problems_from(err, df, key)) from None

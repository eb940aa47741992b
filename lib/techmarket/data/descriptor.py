"""The descriptor of data/ (``data/datapackage.json``, Frictionless): read once per file version
and checked for what the loaders need (every table, column and key), with each problem at its line
and column. It is the single source of truth for column names, types, enums, ranges and patterns.
"""
from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path

from techmarket.data import paths
from techmarket.data.errors import DataPackageError, Problem, decode_utf8

# The tables the loaders read, by resource name.
NEEDED_RESOURCES = ("facts", "claims", "official_releases")
# where the loaders read each table, relative to the descriptor's folder (data/ or a copy of it)
LAYOUT = {name: path.relative_to(paths.DATA_DIR).as_posix()
          for name, path in (("facts", paths.FACTS_CSV), ("claims", paths.CLAIMS_CSV),
                             ("official_releases", paths.EXTERNAL_CSV))}


# ---------------------------------------------------------------------------------------
# The descriptor: read once per file version, checked for what the loaders need.
# ---------------------------------------------------------------------------------------
def descriptor_path(datapackage: Path | str | None = None) -> Path:
    """The descriptor to read: ``datapackage`` if given, else ``data/datapackage.json``."""
    return Path(datapackage) if datapackage is not None else paths.DATAPACKAGE


@lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, size: int, inode: int) -> tuple[str, dict]:
    """Text and parsed JSON of one version of a descriptor (the cache key changes with the file)."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise DataPackageError(path, [Problem(None, None, f"cannot be read ({err.strerror or err})")]) from None
    text = decode_utf8(path, data, DataPackageError)  # a byte-order mark is accepted
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        msg = re.sub(r" at$", " here", err.msg)  # "Unterminated string starting at" (this line and column)
        problem = Problem(err.lineno, None, f"JSON syntax: {msg}", position=err.colno)
        raise DataPackageError(path, [problem]) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("resources"), list):
        line, col, _ = _locate(text, r'"resources"\s*:')
        rule = "expected a JSON object with a list of 'resources' (the tables and their columns)"
        raise DataPackageError(path, [Problem(line or 1, None, rule, position=col or 1)])
    return text, obj


def _read(datapackage: Path | str | None) -> tuple[Path, str, dict]:
    path = descriptor_path(datapackage)
    try:
        st = path.stat()
    except OSError:
        st = None
    if st is None or not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "file not found"
        rule = (f"{what}: expected the data package descriptor, from which the loaders take every table's "
                "columns, types and rules")
        raise DataPackageError(path, [Problem(None, None, rule)])
    paths.inside(path, path.parent)
    text, obj = _parsed(str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    return path, text, obj


def descriptor(datapackage: Path | str | None = None) -> dict:
    """The parsed descriptor (``data/datapackage.json`` unless another path is given).

    Read again whenever the file changes (the cache is keyed by path, modification time, size
    and inode); each call returns a fresh copy, so a caller's edits never leak to another.
    """
    return copy.deepcopy(_read(datapackage)[2])


def _locate(text: str, pattern: str, start: int = 0) -> tuple[int | None, int | None, int]:
    """(line, column, offset) of the first match of ``pattern`` in ``text`` from ``start``."""
    m = re.compile(pattern).search(text, start)
    if m is None:
        return None, None, start
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1, m.start()


def _name_pattern(name: str) -> str:
    return r'"name"\s*:\s*' + re.escape(json.dumps(name))


def _path_problem(name: str, res: dict, text: str, at: int) -> Problem | None:
    """A resource's ``path`` that leaves the data folder (absolute, or with a ``..`` step), or, for
    a table the loaders read, is not where they read it; None when it is fine."""
    line, col, _ = _locate(text, r'"path"\s*:', at)
    where = {"line": line, "position": col, "column": None}
    value = res.get("path")
    if not isinstance(value, str) or not value:
        return Problem(rule=f"resource {name!r}: 'path' must be a file name relative to the data folder",
                       found=None if value is None else str(value), **where)
    parts = Path(value).parts
    if Path(value).is_absolute() or value.startswith(("/", "\\")) or ".." in parts or ":" in value:
        return Problem(rule=f"resource {name!r}: 'path' leaves the data folder (expected a path inside it, "
                       f"e.g. {LAYOUT.get(name, 'paper/facts.csv')!r}); nothing is read outside the project",
                       found=value, **where)
    if name in LAYOUT and value != LAYOUT[name]:
        return Problem(rule=f"resource {name!r}: 'path' must be {LAYOUT[name]!r}, where the loaders read it",
                       found=value, **where)
    return None


def _resource_problems(name: str, text: str, obj: dict) -> list[Problem]:
    """What resource ``name`` lacks that the loaders need; each problem at its line in the descriptor."""
    resources = obj["resources"]
    found = [r.get("name") for r in resources if isinstance(r, dict)]
    res = next((r for r in resources if isinstance(r, dict) and r.get("name") == name), None)
    if res is None:
        line, col, _ = _locate(text, r'"resources"\s*:')
        rule = f"no resource named {name!r}: the loaders need the resources {list(NEEDED_RESOURCES)}"
        return [Problem(line, None, rule, str(found), position=col)]
    line, col, at = _locate(text, _name_pattern(name))
    path_problem = _path_problem(name, res, text, at)
    if path_problem is not None:
        return [path_problem]
    sch = res.get("schema")
    if not isinstance(sch, dict):
        rule = f"resource {name!r} has no 'schema' (expected an object with a list of 'fields')"
        return [Problem(line, None, rule, position=col)]
    fields = sch.get("fields")
    if not isinstance(fields, list) or not fields:
        rule = f"resource {name!r}: its 'schema' has no 'fields' (expected a non-empty list of columns)"
        return [Problem(line, None, rule, position=col)]
    problems = []
    names = []
    for i, f in enumerate(fields, start=1):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            problems.append(Problem(line, None, f"resource {name!r}: field {i} has no 'name'", position=col))
            continue
        names.append(f["name"])
        f_line, f_col, _ = _locate(text, _name_pattern(f["name"]), at)
        where = {"line": f_line or line, "position": f_col or col}
        what = f"resource {name!r}, field {f['name']!r}"
        cons = f.get("constraints", {})
        if not isinstance(cons, dict):
            problems.append(Problem(rule=f"{what}: 'constraints' must be an object", column=None, **where))
            continue
        if "pattern" in cons:
            try:
                re.compile(cons["pattern"])
            except (re.error, TypeError) as err:
                rule = f"{what}: 'pattern' is not a regular expression ({err})"
                problems.append(Problem(rule=rule, column=None, found=str(cons["pattern"]), **where))
        if "enum" in cons and not isinstance(cons["enum"], list):
            problems.append(Problem(rule=f"{what}: 'enum' must be a list", column=None, **where))
        for bound in ("minimum", "maximum"):
            if bound in cons and (isinstance(cons[bound], bool) or not isinstance(cons[bound], int | float)):
                rule = f"{what}: {bound!r} must be a number"
                problems.append(Problem(rule=rule, column=None, found=str(cons[bound]), **where))
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(Problem(line, None, f"resource {name!r}: field names repeat", str(dup), position=col))
    keys = sch.get("uniqueKeys", [])
    keys = list(keys) if isinstance(keys, list) else [keys]
    if sch.get("primaryKey") is not None:
        keys.append(sch["primaryKey"])
    for key in keys:
        cols = [key] if isinstance(key, str) else key
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            rule = f"resource {name!r}: a key must be a list of column names"
            problems.append(Problem(line, None, rule, json.dumps(key, ensure_ascii=False), position=col))
        elif unknown := [c for c in cols if c not in names]:
            rule = f"resource {name!r}: a key names columns that are not fields"
            problems.append(Problem(line, None, rule, str(unknown), position=col))
    return problems


def check_descriptor(datapackage: Path | str | None = None,
                     names: tuple[str, ...] = NEEDED_RESOURCES) -> None:
    """Raise one ``DataPackageError`` listing everything the loaders need and the descriptor lacks."""
    path, text, obj = _read(datapackage)
    problems = [p for name in names for p in _resource_problems(name, text, obj)]
    others = [(r.get("name"), r) for r in obj["resources"] if isinstance(r, dict) and r.get("name") not in names]
    problems += [p for name, r in others
                 if (p := _path_problem(str(name), r, text, _locate(text, _name_pattern(str(name)))[2])) is not None]
    if problems:
        raise DataPackageError(path, problems)


def resource(name: str, datapackage: Path | str | None = None) -> dict:
    """The descriptor of one resource (table) by name, checked for what the loaders need."""
    path, text, obj = _read(datapackage)
    problems = _resource_problems(name, text, obj)
    if problems:
        raise DataPackageError(path, problems)
    return copy.deepcopy(next(r for r in obj["resources"] if isinstance(r, dict) and r.get("name") == name))


def field_names(name: str, datapackage: Path | str | None = None) -> list[str]:
    return [f["name"] for f in resource(name, datapackage)["schema"]["fields"]]

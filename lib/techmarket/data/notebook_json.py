"""Reading a notebook file: its JSON checked as far as the package needs (the build plans with it,
the views of the paper read its outputs' metadata), and :class:`NotebookError` for a file that is
not such a notebook, naming the file and what is wrong (with the line and column).
"""
from __future__ import annotations

import json
from pathlib import Path

from techmarket.data.errors import TechmarketError
from techmarket.data.paths import relative


class NotebookError(TechmarketError, ValueError):
    """A file under notebooks/ that the build cannot plan: the file and what is wrong with it (with
    the line and column where they apply)."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):  # survives pickling (a process pool)
        return type(self), (self.path, self.problem)

    def shown(self, root: Path) -> str:
        """The message with the file named relative to the project."""
        return f"{relative(self.path, root)}: {self.problem}"


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")


def _notebook_shape(nb: object) -> str:
    """What makes parsed JSON unusable as a notebook ('' when it is usable)."""
    if not isinstance(nb, dict):
        return f"expected a JSON object (a notebook), found {_json_kind(nb)}"
    if not isinstance(nb.get("cells"), list):
        return 'expected a list of "cells" in the top-level object'
    meta = nb.get("metadata", {})
    if not isinstance(meta, dict):
        return f'"metadata" is {_json_kind(meta)}, expected an object'
    own = meta.get("techmarket", {})
    if not isinstance(own, dict):
        return f'"metadata.techmarket" is {_json_kind(own)}, expected an object'
    data = own.get("data", [])
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        return '"metadata.techmarket.data" is not a list of file names'
    for i, cell in enumerate(nb["cells"], 1):
        if not isinstance(cell, dict):
            return f"cell {i} is {_json_kind(cell)}, expected an object"
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            return f'cell {i} has no "cell_type" of code, markdown or raw'
        src = cell.get("source")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
            return f'cell {i} has no "source" text'
        cmeta = cell.get("metadata", {})
        if not isinstance(cmeta, dict) or not isinstance(cmeta.get("tags", []), list):
            return f'cell {i} has "metadata" that is not an object with a list of "tags"'
    return ""


_PARSED: dict[Path, tuple[bytes, dict]] = {}  # planning reads each notebook once per content


def read_notebook(nb_path: Path) -> dict:
    """The notebook's JSON, checked as far as planning needs; a file that is not a notebook raises
    :class:`NotebookError` saying what is wrong and where (line and column)."""
    nb_path = Path(nb_path)
    try:
        data = nb_path.read_bytes()
    except OSError as err:
        raise NotebookError(nb_path, f"cannot be read ({err.strerror})") from None
    seen = _PARSED.get(nb_path)
    if seen is not None and seen[0] == data:
        return seen[1]
    bad = "not a valid notebook: "
    if not data.strip():
        raise NotebookError(nb_path, bad + "the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - data.rfind(b"\n", 0, err.start)
        raise NotebookError(nb_path, bad + f"not UTF-8 text: byte 0x{data[err.start]:02x} at line {line}, "
                                           f"column {col} (counting bytes)") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(nb_path, bad + f"{err.msg.removesuffix(' at')} at line {err.lineno}, "
                                           f"column {err.colno}") from None
    problem = _notebook_shape(nb)
    if problem:
        raise NotebookError(nb_path, bad + problem)
    _PARSED[nb_path] = (data, nb)
    return nb

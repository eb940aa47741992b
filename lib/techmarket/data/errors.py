"""The errors the package raises for input a user can fix, and where in a file a problem lies.

Every error here derives from ``TechmarketError``: the command line (``techmarket.cli.main.main``)
prints its message, without a traceback, and exits with status 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"


class TechmarketError(Exception):
    """Input the user can fix (bad data, a missing file given on the command line): the message
    says what and where; ``python -m techmarket`` prints it and exits 1."""


class InputError(TechmarketError):
    """A file or folder named on the command line is missing or unusable."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (line, CSV column, position in the line) and what was expected."""

    line: int | None  # line number in the file (header = line 1); None for file-level problems
    column: str | None  # the CSV column (by name) the problem is in
    rule: str
    found: str | None = None
    position: int | None = None  # 1-based position within the line, for problems in the text itself
    position_unit: str = "column"  # what it counts: "column" (in JSON), "character" (in a CSV line), "byte column"
    ident: str | None = None  # the row's id (fact, claim or release id), where the row has one

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        where += f" ({self.ident})" if self.ident else ""
        pos = f", {self.position_unit} {self.position}" if self.position is not None else ""
        col = f", column {self.column!r}" if self.column else ""
        found = f" (found {self.found!r})" if self.found is not None else ""
        return f"{where}{pos}{col}: {self.rule}{found}"


class DataValidationError(TechmarketError, ValueError):
    """Bad data in a file under data/: names the file, each line and column, and the rule broken."""

    def __init__(self, path: Path | str, problems: list[Problem], consequence: str = "nothing was loaded"):
        self.path = Path(path)
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.position or 0, p.column or "", p.rule))
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(
            f"{self.path}: {len(self.problems)} problem(s); {consequence}.\n{shown}{more}"
        )


class DataPackageError(DataValidationError):
    """``data/datapackage.json`` (the descriptor every loader reads its columns from) is missing,
    is not valid JSON, or lacks a resource, schema or field the loaders need."""


def byte_location(data: bytes, offset: int) -> tuple[int, int]:
    """(line, byte column), both 1-based, of byte ``offset`` in ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode_utf8(path: Path | str, data: bytes, error: type[DataValidationError] = DataValidationError) -> str:
    """``data`` as text: UTF-8, with a leading byte-order mark accepted and dropped.

    Bytes that are not UTF-8 raise ``error`` naming the line and byte column of the first one.
    """
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        line, col = byte_location(data, offset)
        bad = data[offset:min(bom + err.end, offset + 4)].hex(" ")
        rule = f"encoding: expected UTF-8; byte(s) {bad} cannot be decoded ({err.reason})"
        raise error(path, [Problem(line, None, rule, position=col, position_unit="byte column")]) from None

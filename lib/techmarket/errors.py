"""The one error type the loaders raise for bad data."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (CSV line, column) and what was expected."""

    line: int | None  # line number in the CSV file (header = line 1); None for file-level problems
    column: str | None
    rule: str
    found: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        col = f", column {self.column!r}" if self.column else ""
        found = f" (found {self.found!r})" if self.found is not None else ""
        return f"{where}{col}: {self.rule}{found}"


class DataValidationError(ValueError):
    """Bad data in a table under data/: names the file, each line and column, and the rule broken."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = Path(path)
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.column or "", p.rule))
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(
            f"{self.path}: {len(self.problems)} problem(s); nothing was loaded.\n{shown}{more}"
        )

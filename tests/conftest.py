"""Shared test helpers.

Tests that compare against ``../shared`` (the paper's text, the original external CSV) need the
folder CI lays beside the project. Outside CI they skip with a message when it is missing; in CI
(``CI`` set) a missing folder fails, so the check can never be skipped silently there.
"""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from techmarket.paths import EXTERNAL_CSV, FACTS_CSV, SHARED_EXTERNAL_CSV, SHARED_PAPER


def require_shared(path: Path) -> Path:
    if path.is_file():
        return path
    msg = f"{path} is not present (CI lays ../shared beside the project)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def paper_text() -> str:
    return require_shared(SHARED_PAPER).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_external_csv() -> Path:
    return require_shared(SHARED_EXTERNAL_CSV)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _copier(src: Path, tmp_path: Path):
    """A function that writes an edited copy of ``src``: edit(rows) -> path."""

    def make(edit) -> Path:
        rows = read_rows(src)
        edit(rows)
        return write_rows(tmp_path / src.name, rows)

    return make


@pytest.fixture
def facts_copy(tmp_path: Path):
    return _copier(FACTS_CSV, tmp_path)


@pytest.fixture
def external_copy(tmp_path: Path):
    return _copier(EXTERNAL_CSV, tmp_path)


def set_cell(rows: list[list[str]], key: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first cell is ``key``; return that row's CSV line number."""
    col = rows[0].index(column)
    for i, row in enumerate(rows):
        if row[0] == key:
            row[col] = value
            return i + 1
    raise KeyError(key)


@pytest.fixture
def copy_tree(tmp_path: Path):
    def make(src: Path) -> Path:
        dst = tmp_path / src.name
        shutil.copytree(src, dst)
        return dst

    return make

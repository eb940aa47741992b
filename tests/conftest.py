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

from techmarket.data.files import exclusive
from techmarket.data.paths import EXTERNAL_CSV, FACTS_CSV, PROJ_ROOT, SHARED_EXTERNAL_CSV, SHARED_PAPER


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


# --- built reports and kernels, shared by the tests that need them (the pytest plumbing that
# groups nbval's cells and forks nbval's kernels is in the top-level conftest.py)
def copy_project(root: Path, notebooks: bool = True) -> Path:
    """A copy of what a build reads (data, lib, the lock, and the notebooks unless ``notebooks``
    is false: then an empty notebooks folder) under ``root``. With the notebooks, the copy also
    gets the project's subsets of the CJK font (a cache by content: its sources are the same)."""
    for name in ("data", "lib"):
        shutil.copytree(PROJ_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(PROJ_ROOT / "requirements.lock", root / "requirements.lock")
    if not notebooks:
        (root / "notebooks").mkdir()
        return root
    shutil.copytree(PROJ_ROOT / "notebooks", root / "notebooks")
    for font in (PROJ_ROOT / "reports" / ".cache").glob("cjk-base-*.otf"):
        (root / "reports" / ".cache").mkdir(parents=True, exist_ok=True)
        shutil.copy(font, root / "reports" / ".cache" / font.name)
    return root


def run_folder(tmp_path_factory) -> Path:
    """A scratch folder of this test run, shared by all its xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(tmp_path_factory, name: str, make) -> Path:
    """``make(folder)`` run once per test run (the first worker to get here makes it; the others
    wait and reuse it); returns the folder."""
    shared = run_folder(tmp_path_factory)
    folder = shared / name
    with exclusive(shared / f"{name}.lock"):
        if not (folder / ".made").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            (folder / ".made").touch()
    return folder


@pytest.fixture(scope="session")
def built_reports(request, tmp_path_factory):
    """The project whose reports/ holds every report, built (both languages, default parameters)."""
    from techmarket.site.build import build
    from techmarket.site.plan import Project

    if request.config.getoption("--fresh-build"):
        def make(folder: Path) -> None:
            assert build(project=Project(copy_project(folder))) == 0, "the build failed"

        return Project(made_once(tmp_path_factory, "fresh-project", make))
    project = Project()
    with exclusive(project.cache_dir / "tests.lock"):
        assert build(project=project) == 0, "the build failed"
    return project


@pytest.fixture(scope="session")
def fork_server():
    """A kernel fork server for the project's notebooks: tests that run them start kernels fast."""
    from techmarket.site.fork_server import notebook_imports
    from techmarket.site.kernel_fork import ForkServer
    from techmarket.site.plan import KERNEL, notebooks

    with ForkServer(KERNEL, PROJ_ROOT / "notebooks", notebook_imports(notebooks())) as server:
        yield server

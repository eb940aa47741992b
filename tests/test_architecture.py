"""The package's architecture is checked, not hoped for: ``make lint`` runs import-linter with the
contracts in pyproject.toml (the six rooms import one way; no modules import each other in a
loop). Here a copy of lib/techmarket gets three imports a careless change might add, and the same
check must name each of them: an import that runs upward inside a function, one that runs upward
under ``TYPE_CHECKING``, and one that closes a loop inside a room."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from techmarket.data.paths import PROJ_ROOT

SEEDS = {
    # data is the bottom room: it may not import the site build, even inside a function
    "data/units.py": "\n\ndef _seeded():\n    from techmarket.site import build  # noqa: F401\n",
    # the notebooks' runtime never imports the site build, not even for type hints
    "notebook/style.py": "\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                         "    from techmarket.site.plan import Project  # noqa: F401\n",
    # audit.run imports audit.formula; formula importing run back closes a loop
    "audit/formula.py": "\n\ndef _seeded():\n    from techmarket.audit import run  # noqa: F401\n",
}


def _lint(lib: Path, cwd: Path) -> subprocess.CompletedProcess:
    shutil.copy(PROJ_ROOT / "pyproject.toml", cwd / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(lib)}
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache", "--no-logo", "pyproject.toml"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_lint_names_an_upward_import_one_under_type_checking_and_a_loop(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(PROJ_ROOT / "lib" / "techmarket", lib / "techmarket",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for rel, code in SEEDS.items():
        with (lib / "techmarket" / rel).open("a", encoding="utf-8") as fh:
            fh.write(code)
    out = _lint(lib, tmp_path)
    text = " ".join((out.stdout + out.stderr).split())
    assert out.returncode != 0, text
    assert "techmarket.data is not allowed to import techmarket.site" in text, text
    assert "techmarket.data.units -> techmarket.site.build" in text, text
    assert "techmarket.notebook is not allowed to import techmarket.site" in text, text
    assert "techmarket.notebook.style -> techmarket.site.plan" in text, text
    assert "No modules import each other in a loop, in any room BROKEN" in text, text
    assert ".formula -> .run" in text or ".run -> .formula" in text, text

"""environment.yml for conda and Binder users, generated from requirements.lock.

requirements.in is the one hand-edited list; pip-compile turns it into requirements.lock; this
module turns the lock into environment.yml (the same exact versions, installed by pip inside a
conda environment). A test fails when the committed environment.yml and the lock disagree.
"""
from __future__ import annotations

import re
from pathlib import Path

from techmarket.data.paths import LOCK_FILE

PYTHON_VERSION = "3.11"
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked_pins(lock: Path = LOCK_FILE) -> dict[str, str]:
    """``{name: version}`` of every package pinned in the lock file (names lower-cased)."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = PIN_RE.match(line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    if not pins:
        raise ValueError(f"{lock}: no pinned packages found")
    return pins


def environment_yml_text(lock: Path = LOCK_FILE) -> str:
    """The text of environment.yml for the pins in ``lock``."""
    lines = [
        "# GENERATED from requirements.lock by `make environment.yml`; do not edit by hand.",
        "# conda / Binder: the same exact versions as the lock, installed by pip.",
        "name: techmarket",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON_VERSION}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(locked_pins(lock).items())]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def environment_yml_pins(path: Path) -> dict[str, str]:
    """``{name: version}`` of the pip pins listed in an environment.yml file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*$", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins

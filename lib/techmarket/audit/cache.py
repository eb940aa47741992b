"""The claims audit of the notebooks' data, computed once per content and shared between processes.

Every notebook shows views of the audit (``ctx.audit``), and a build runs sixteen notebooks, the
tests many more: computing it in each (about a second) was a large share of both. The result is
cached in ``reports/.cache/audit-<key>.pickle``, where the key is the SHA-256 of everything the
audit reads or runs: the tables as loaded (claims, facts, official releases, derived values), the
code in ``lib/``, the lock file and the Python version. A changed input is a new key, so
a cached result can never be stale; a lock makes processes that start together compute it once.
When the cache cannot be read or written (a read-only checkout), the audit is simply computed.
"""
from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from pathlib import Path

import pandas as pd

from techmarket.data.files import atomic_write, code_hash, exclusive
from techmarket.data.paths import PROJ_ROOT, REPORTS_DIR

CACHE_DIR = REPORTS_DIR / ".cache"
KEEP = 6  # cached results kept (the newest); older ones are removed when a new one is written


def audit_key(claims: pd.DataFrame, facts: pd.DataFrame, external: pd.DataFrame, derived: pd.DataFrame) -> str:
    """The SHA-256 of what the audit of these tables reads and runs (the code and the lock as the
    build's cache hashes them: :func:`techmarket.data.files.code_hash`)."""

    h = hashlib.sha256(pickle.dumps((claims, facts, external, derived), protocol=5))
    for part in (code_hash(PROJ_ROOT).encode(), sys.version.encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _sweep(cache_dir: Path) -> None:
    """Remove all but the newest ``KEEP`` cached results."""
    with contextlib.suppress(OSError):
        for old in sorted(cache_dir.glob("audit-*.pickle"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)


def _load(path: Path):
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def cached_audit(facts: pd.DataFrame, external: pd.DataFrame, derived: pd.DataFrame,
                 claims: pd.DataFrame | None = None, cache_dir: Path = CACHE_DIR):
    """:func:`techmarket.audit.run.run_audit` of these tables (``claims``: the claims file of
    ``data/`` by default), from the cache when it has it."""
    from techmarket.audit.run import run_audit
    from techmarket.data.loaders import load_claims

    claims = load_claims(facts=facts) if claims is None else claims
    path = cache_dir / f"audit-{audit_key(claims, facts, external, derived)[:32]}.pickle"
    found = _load(path)
    if found is not None:
        return found
    try:
        with exclusive(cache_dir / "audit.lock"):
            found = _load(path)  # another process may have computed it while this one waited
            if found is not None:
                return found
            result = run_audit(claims=claims, facts=facts, external=external, derived=derived)
            atomic_write(path, pickle.dumps(result, protocol=5))
            _sweep(cache_dir)
            return result
    except OSError:  # no cache to be had here: compute it
        return run_audit(claims=claims, facts=facts, external=external, derived=derived)

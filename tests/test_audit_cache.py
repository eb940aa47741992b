"""The notebooks' audit is computed once per content: a second call reads the cache, any change to
what the audit reads is a new key, a damaged cache file is recomputed, and a cache that cannot be
written is simply skipped."""
from __future__ import annotations

import os

import pytest

from techmarket.audit import cache as audit_cache
from techmarket.audit import run as audit
from techmarket.audit.derive import derived_values
from techmarket.data.loaders import load_claims, load_external, load_facts


@pytest.fixture(scope="module")
def tables():
    facts, external = load_facts(), load_external()
    return facts, external, derived_values(facts, external)


@pytest.fixture
def runs(monkeypatch):
    """Count the audits actually computed (each returns a distinct, picklable result)."""
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return {"run": len(calls)}

    monkeypatch.setattr(audit, "run_audit", fake)
    return calls


def test_a_second_call_reads_the_cache(tables, runs, tmp_path):
    first = audit_cache.cached_audit(*tables, cache_dir=tmp_path)
    again = audit_cache.cached_audit(*tables, cache_dir=tmp_path)
    assert first == again == {"run": 1} and len(runs) == 1
    assert len(list(tmp_path.glob("audit-*.pickle"))) == 1


def test_a_changed_figure_is_a_new_key(tables, runs, tmp_path):
    facts, external, derived = tables
    claims = load_claims(facts=facts)
    audit_cache.cached_audit(facts, external, derived, claims=claims, cache_dir=tmp_path)
    changed = facts.copy()
    changed.loc[changed.index[0], "value"] = "54.95"
    assert (audit_cache.audit_key(claims, changed, external, derived)
            != audit_cache.audit_key(claims, facts, external, derived))
    assert audit_cache.cached_audit(changed, external, derived, claims=claims, cache_dir=tmp_path) == {"run": 2}


def test_other_claims_are_a_new_key(tables, runs, tmp_path):
    facts, external, derived = tables
    claims = load_claims(facts=facts)
    fewer = claims.iloc[:-1]
    assert audit_cache.cached_audit(facts, external, derived, claims=claims, cache_dir=tmp_path) == {"run": 1}
    assert audit_cache.cached_audit(facts, external, derived, claims=fewer, cache_dir=tmp_path) == {"run": 2}
    assert runs[-1]["claims"] is fewer


def test_a_damaged_cache_file_is_recomputed(tables, runs, tmp_path):
    audit_cache.cached_audit(*tables, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("audit-*.pickle")
    cached.write_bytes(cached.read_bytes()[:10])  # truncated, as by a full disk
    assert audit_cache.cached_audit(*tables, cache_dir=tmp_path) == {"run": 2}
    assert audit_cache.cached_audit(*tables, cache_dir=tmp_path) == {"run": 2}  # and written again


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_cache_that_cannot_be_written_is_skipped(tables, runs, tmp_path):
    tmp_path.chmod(0o555)
    try:
        assert audit_cache.cached_audit(*tables, cache_dir=tmp_path / "cache") == {"run": 1}
    finally:
        tmp_path.chmod(0o755)


def test_a_cache_path_that_is_a_file_is_skipped(tables, runs, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert audit_cache.cached_audit(*tables, cache_dir=blocker) == {"run": 1}


def test_only_the_newest_results_are_kept(tmp_path):
    for i in range(audit_cache.KEEP + 3):
        path = tmp_path / f"audit-{i:02d}.pickle"
        path.write_bytes(b"x")
        os.utime(path, (i, i))
    audit_cache._sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("audit-*.pickle")) == [
        f"audit-{i:02d}.pickle" for i in range(3, audit_cache.KEEP + 3)]

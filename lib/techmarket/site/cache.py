"""The build's cache: a job re-runs only when the content hash of its inputs (notebook, declared
data, lib/, parameters, lock) changed, or when an output is no longer exactly as it was written
(the SHA-256 of each output is recorded beside the key)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from techmarket.data.files import atomic_write, code_hash, content_hash, tree_hash
from techmarket.data.paths import inside, relative
from techmarket.site.notebook_files import data_dependencies
from techmarket.site.plan import Job, Project


def job_key(job: Job, project: Project, env_hash: str) -> str:
    data = [inside(project.root / d, project.root) for d in data_dependencies(job.notebook)]
    return content_hash(job.notebook.read_bytes(), tree_hash(project.root, data).encode(), env_hash.encode(),
                        json.dumps(job.parameters(), sort_keys=True, ensure_ascii=False).encode())


def _cache_file(job: Job, project: Project) -> Path:
    return project.cache_dir / f"{job.name}.{job.lang}.key"


def _digest(path: Path) -> str | None:
    """SHA-256 of the file's content (None if it cannot be read)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _record(cache: Path, key: str, files: list[Path], base: Path) -> None:
    """Write ``cache``: the key of the inputs and the SHA-256 of each output, as just written."""
    record = {"key": key, "sha256": {relative(p, base): _digest(p) for p in files}}
    atomic_write(cache, json.dumps(record, indent=1, sort_keys=True) + "\n")


def _recorded(cache: Path, key: str, files: list[Path], base: Path) -> bool:
    """Whether ``cache`` records ``key`` and every file is still exactly as it was written."""
    try:
        record = json.loads(cache.read_bytes())
    except (OSError, ValueError):  # missing, damaged, or an older build's plain key
        return False
    if not isinstance(record, dict) or record.get("key") != key:
        return False
    digests = record.get("sha256")
    names = {relative(p, base): p for p in files}
    if not isinstance(digests, dict) or set(digests) != set(names):
        return False
    return all(digests[n] is not None and _digest(p) == digests[n] for n, p in names.items())


def record_built(job: Job, project: Project, key: str) -> None:
    """Record that ``job``'s outputs, as they are now, were built from inputs with ``key``."""
    _record(_cache_file(job, project), key, list(job.outputs(project).values()), project.reports_dir)


def is_current(job: Job, project: Project, key: str) -> bool:
    """The job's inputs have not changed since its outputs were built, and neither have they."""
    return _recorded(_cache_file(job, project), key, list(job.outputs(project).values()), project.reports_dir)


def stale(jobs: list[Job], project: Project) -> list[Job]:
    env = code_hash(project.root)
    return [j for j in jobs if not is_current(j, project, job_key(j, project, env))]

"""Writing files safely and naming their content: atomic writes, an exclusive lock between
processes, the reason a folder cannot be written, and content hashes (of files, of the code)."""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from techmarket.data.paths import relative


@contextlib.contextmanager
def exclusive(lock_file: Path):
    """Hold an exclusive lock on ``lock_file`` (created, with its folder, if missing) while the
    block runs: other processes that ask for it wait."""
    import fcntl

    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    On failure ``path`` keeps its previous content and no temporary file is left; an ``OSError``
    names ``path`` (not the temporary file)."""
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports are ordinary files
        os.replace(tmp, path)
    except BaseException as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        if isinstance(err, OSError) and err.errno is not None and err.filename != str(path):
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise


def why_not_writable(err: OSError, path: Path, root: Path) -> str:
    """The reason a write under ``path`` failed: a folder on the way that is a file, or the
    system's reason (``Permission denied``, ``Read-only file system``, ...)."""
    for step in [path, *path.parents]:
        if step == root or not step.is_relative_to(root):
            break
        if step != path and step.exists() and not step.is_dir():
            return f"{relative(step, root)} is a file, not a folder"
    if path.exists() and not path.is_dir() and isinstance(err, (FileExistsError, NotADirectoryError)):
        return f"{relative(path, root)} is a file, not a folder"
    return err.strerror or str(err)


def cannot_write(err: OSError, root: Path) -> str:
    """'cannot write reports/en/x.html (Permission denied)' for a failed write under ``root``."""
    path = Path(err.filename)
    return f"cannot write {relative(path, root)} ({why_not_writable(err, path, root)})"


def content_hash(*parts: bytes) -> str:
    """SHA-256 over the SHA-256 of each part, in order."""
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def tree_hash(root: Path, paths: list[Path]) -> str:
    """Hash of the files' relative names and contents, in a stable order."""
    return content_hash(*[str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() for p in sorted(paths)])


def code_hash(root: Path) -> str:
    """Hash of the code that computes every output: ``lib/`` under ``root`` and the lock file."""
    lib = [p for p in (root / "lib").rglob("*") if p.is_file() and "__pycache__" not in p.parts
           and not p.name.endswith(".egg-info") and ".egg-info" not in str(p)]
    return content_hash(tree_hash(root, lib).encode(), (root / "requirements.lock").read_bytes())

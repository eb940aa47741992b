"""The build's files: atomic writes, an exclusive lock between processes, checks that reports/ can
be written (and why not, when it cannot), removal of temporary files a killed build left, and
content hashes."""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from techmarket.build_plan import Project


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


def _rel(path: Path | str, root: Path) -> str:
    """``path`` relative to ``root`` when it is inside it (as the user would name it)."""
    path = Path(path)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _why_not_writable(err: OSError, path: Path, root: Path) -> str:
    """The reason a write under ``path`` failed: a folder on the way that is a file, or the
    system's reason (``Permission denied``, ``Read-only file system``, ...)."""
    for step in [path, *path.parents]:
        if step == root or not step.is_relative_to(root):
            break
        if step != path and step.exists() and not step.is_dir():
            return f"{_rel(step, root)} is a file, not a folder"
    if path.exists() and not path.is_dir() and isinstance(err, (FileExistsError, NotADirectoryError)):
        return f"{_rel(path, root)} is a file, not a folder"
    return err.strerror or str(err)


def _cannot_write(err: OSError, project: Project) -> str:
    """'cannot write reports/en/x.html (Permission denied)' for a failed write under reports/."""
    path = Path(err.filename)
    return f"cannot write {_rel(path, project.root)} ({_why_not_writable(err, path, project.root)})"


def sweep_temporary(project: Project) -> int:
    """Remove the temporary files (``reports/**/.*.tmp``) a build killed mid-write left behind;
    return how many were removed."""
    if not project.reports_dir.is_dir():
        return 0
    removed = 0
    for tmp in project.reports_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.is_file():
                tmp.unlink()
                removed += 1
    return removed


def _unwritable(project: Project, langs: list[str]) -> str | None:
    """The first folder the build must write that it cannot (with the reason), or None. Checked by
    creating (and removing) a file there: permissions alone do not say it (root, read-only mounts)."""
    root = project.root
    for folder in (project.reports_dir, project.cache_dir, *(project.reports_dir / lang for lang in langs)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check.", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            return f"{_rel(folder, root)}/ ({_why_not_writable(err, folder, root)})"
    return None


def _sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def tree_hash(root: Path, paths: list[Path]) -> str:
    """Hash of the files' relative names and contents, in a stable order."""
    return _sha(*[str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() for p in sorted(paths)])

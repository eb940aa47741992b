"""The build's folders: whether reports/ and its language folders can be written (and why not),
and the removal of temporary files a killed build left behind."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TYPE_CHECKING

from techmarket.data.files import why_not_writable
from techmarket.data.paths import relative

if TYPE_CHECKING:
    from techmarket.site.plan import Project


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


def unwritable(project: Project, langs: list[str]) -> str | None:
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
            return f"{relative(folder, root)}/ ({why_not_writable(err, folder, root)})"
    return None

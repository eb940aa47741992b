"""Every path the package uses, derived from the location of this file.

Nothing depends on the current directory: notebooks, tests and the command line
all resolve files from ``PROJ_ROOT``.
"""
import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJ_ROOT / "data"
PAPER_DATA_DIR = DATA_DIR / "paper"
EXTERNAL_DATA_DIR = DATA_DIR / "external"
DATAPACKAGE = DATA_DIR / "datapackage.json"
FACTS_CSV = PAPER_DATA_DIR / "facts.csv"
CLAIMS_CSV = PAPER_DATA_DIR / "claims.csv"
EXTERNAL_CSV = EXTERNAL_DATA_DIR / "official_releases.csv"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
AUDIT_SNAPSHOT = PROJ_ROOT / "tests" / "snapshots" / "claims_verdicts.csv"
LOCK_FILE = PROJ_ROOT / "requirements.lock"
REQUIREMENTS_IN = PROJ_ROOT / "requirements.in"
ENVIRONMENT_YML = PROJ_ROOT / "environment.yml"

# Read-only material beside the project: the tests read it, and `check-data` reads the paper's
# text from here by default for its optional, announced span check; nothing else does.
SHARED_DIR = PROJ_ROOT.parent / "shared"
SHARED_PAPER = SHARED_DIR / "paper" / "000_f902fd160e55c233.txt"
SHARED_EXTERNAL_CSV = SHARED_DIR / "external" / "official_releases.csv"


def relative(path: Path | str, root: Path = PROJ_ROOT) -> str:
    """``path`` as messages and pages name it: relative to ``root`` (the project by default) when
    it lies inside it, as given otherwise. The one function that names a path relative to the
    project."""
    path, root = Path(path), Path(root)
    for p, r in ((path, root), (path.resolve(), root.resolve())):
        if p.is_relative_to(r):
            return p.relative_to(r).as_posix()
    return str(path)


def inside(path: Path | str, folder: Path | str) -> Path:
    """``path``, unless it lies in ``folder`` by name but, once symbolic links are followed,
    outside it: then an ``InputError`` naming it. Nothing is read outside the data folder through
    a link in it (a link in data/ to a file elsewhere is refused, not followed); a file named
    outside the folder to begin with (a copy given on purpose) is the caller's choice."""
    from techmarket.data.errors import InputError

    path, folder = Path(path), Path(folder)
    named_inside = Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))
    target = path.resolve()
    if named_inside and not target.is_relative_to(folder.resolve()):
        raise InputError(f"{relative(path)}: a symbolic link to {target}, outside {relative(folder)}/; refused "
                         "(expected a file inside the data folder)")
    return path


def files_under(folder: Path | str) -> list[Path]:
    """Every file under ``folder`` (data/ or a copy of it), in a stable order, each checked to lie
    inside it (:func:`inside`)."""
    folder = Path(folder)
    return [inside(p, folder) for p in sorted(folder.rglob("*")) if p.is_file()]

"""Batch build: execute every numbered notebook with papermill, per language, in parallel, and
export self-contained HTML; skip what has not changed.

- Each (notebook, language, parameters) is a job. A job re-runs only when something it depends on
  changed: the notebook, the data files it declares (notebook metadata ``techmarket.data``;
  default: the facts, the external releases and the descriptor), ``lib/`` (code and templates),
  its parameters, or the pinned lock. A content hash decides; ``force`` rebuilds everything.
  The cache file beside the key records the SHA-256 of every output as it was written: a report
  damaged or edited after it was built (truncated, emptied, lost) is rebuilt, and so is the index.
- Jobs run in a process pool (one papermill kernel each); a failed job does not stop the others,
  keeps the last good report (all writes are atomic) and is reported with its cell and error.
- Kernels are forked from a server that has imported what the notebooks import, once per build
  (:mod:`techmarket.kernel_fork`); each notebook still runs in a kernel of its own.
- Outputs: ``reports/<lang>/<name>.ipynb`` (executed), ``<name>.html`` (no code),
  ``<name>.code.html`` (with code), and ``reports/index.html`` with the claims-audit summary
  and the build's identity. HTML uses an offline template: nothing is fetched from the network.

Bad input is answered with one line per problem, naming the file (and the line and column where
they apply), a non-zero exit and no traceback; nothing already built is overwritten or lost:

- A file under ``notebooks/`` that is not a notebook the build can plan (not JSON, empty, not
  UTF-8, truncated, no list of cells, a parameters cell that is not Python, a declared data file
  that does not exist) is reported, e.g. ``notebooks/03_x.ipynb: not a valid notebook: Expecting
  ',' delimiter at line 12, column 5``, and *skipped*: the other notebooks still build, its last
  good reports stay where they are (and linked from the index), and the build exits 1.
- Before running anything the build checks that it can write ``reports/``, ``reports/.cache/``
  and ``reports/<lang>/``; if not, it says which folder, writes nothing and exits 1. A write that
  fails later fails only that job (or stops the build, for the index and caches) and keeps the
  previous file.
- A data error met by the claims audit (run in a pool worker for the index) is printed once, with
  its file, line and column; the index is still written, saying the audit could not run and why,
  and the build exits 1.
- Temporary files left beside the reports by a build that was killed mid-write
  (``reports/**/.*.tmp``) are removed when the next build starts; a build assumes that no other
  build writes the same ``reports/`` at the same time.
"""
from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import hashlib
import html
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from techmarket.errors import TechmarketError
from techmarket.kernel_fork import ForkServer, ServerInfo, notebook_imports
from techmarket.paths import CLAIMS_CSV, EXTERNAL_CSV, FACTS_CSV, PROJ_ROOT

LANGS = ("zh", "en")
KERNEL = "techmarket"
TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_DATA = ("data/paper/facts.csv", "data/external/official_releases.csv", "data/datapackage.json")
KEY_PACKAGES = ("pandas", "numpy", "statsmodels", "pandera", "matplotlib", "seaborn", "papermill", "nbconvert",
                "nbclient", "ipykernel", "mplfonts")


@dataclass(frozen=True)
class Project:
    """Where a build reads and writes (the repository by default; a copy in tests)."""

    root: Path = PROJ_ROOT

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def cache_dir(self) -> Path:
        return self.reports_dir / ".cache"

    def notebooks(self) -> list[Path]:
        """The numbered notebooks, in order (``NN_name.ipynb``)."""
        return sorted(self.notebooks_dir.glob("[0-9][0-9]_*.ipynb"))


def notebooks() -> list[Path]:
    return Project().notebooks()


# --- files ----------------------------------------------------------------------------------
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


# --- notebooks, parameters and jobs ---------------------------------------------------------
class NotebookError(TechmarketError, ValueError):
    """A file under notebooks/ that the build cannot plan: the file and what is wrong with it (with
    the line and column where they apply)."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):  # survives pickling (a process pool)
        return type(self), (self.path, self.problem)

    def shown(self, root: Path) -> str:
        """The message with the file named relative to the project."""
        return f"{_rel(self.path, root)}: {self.problem}"


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")


def _notebook_shape(nb: object) -> str:
    """What makes parsed JSON unusable as a notebook ('' when it is usable)."""
    if not isinstance(nb, dict):
        return f"expected a JSON object (a notebook), found {_json_kind(nb)}"
    if not isinstance(nb.get("cells"), list):
        return 'expected a list of "cells" in the top-level object'
    meta = nb.get("metadata", {})
    if not isinstance(meta, dict):
        return f'"metadata" is {_json_kind(meta)}, expected an object'
    own = meta.get("techmarket", {})
    if not isinstance(own, dict):
        return f'"metadata.techmarket" is {_json_kind(own)}, expected an object'
    data = own.get("data", [])
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        return '"metadata.techmarket.data" is not a list of file names'
    for i, cell in enumerate(nb["cells"], 1):
        if not isinstance(cell, dict):
            return f"cell {i} is {_json_kind(cell)}, expected an object"
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            return f'cell {i} has no "cell_type" of code, markdown or raw'
        src = cell.get("source")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
            return f'cell {i} has no "source" text'
        cmeta = cell.get("metadata", {})
        if not isinstance(cmeta, dict) or not isinstance(cmeta.get("tags", []), list):
            return f'cell {i} has "metadata" that is not an object with a list of "tags"'
    return ""


_PARSED: dict[Path, tuple[bytes, dict]] = {}  # planning reads each notebook once per content


def read_notebook(nb_path: Path) -> dict:
    """The notebook's JSON, checked as far as planning needs; a file that is not a notebook raises
    :class:`NotebookError` saying what is wrong and where (line and column)."""
    nb_path = Path(nb_path)
    try:
        data = nb_path.read_bytes()
    except OSError as err:
        raise NotebookError(nb_path, f"cannot be read ({err.strerror})") from None
    seen = _PARSED.get(nb_path)
    if seen is not None and seen[0] == data:
        return seen[1]
    bad = "not a valid notebook: "
    if not data.strip():
        raise NotebookError(nb_path, bad + "the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - data.rfind(b"\n", 0, err.start)
        raise NotebookError(nb_path, bad + f"not UTF-8 text: byte 0x{data[err.start]:02x} at line {line}, "
                                           f"column {col} (counting bytes)") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(nb_path, bad + f"{err.msg.removesuffix(' at')} at line {err.lineno}, "
                                           f"column {err.colno}") from None
    problem = _notebook_shape(nb)
    if problem:
        raise NotebookError(nb_path, bad + problem)
    _PARSED[nb_path] = (data, nb)
    return nb


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return ast.unparse(node)  # not a literal (e.g. a call): its source stands for the default


def notebook_parameters(nb_path: Path) -> dict[str, object]:
    """Defaults of the cell tagged ``parameters`` (simple assignments; literals are evaluated)."""
    nb = read_notebook(nb_path)
    for i, cell in enumerate(nb["cells"], 1):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                body = ast.parse(src).body
            except SyntaxError as err:
                raise NotebookError(nb_path, f"the parameters cell (cell {i}) is not valid Python: {err.msg} "
                                             f"at line {err.lineno}, column {err.offset} of the cell") from None
            return {t.id: _literal(node.value) for node in body
                    if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    return {}


def data_dependencies(nb_path: Path) -> list[str]:
    """Data files the notebook loads (metadata ``techmarket.data``), relative to the project."""
    meta = read_notebook(nb_path).get("metadata", {}).get("techmarket", {})
    return list(meta.get("data", DEFAULT_DATA))


def _check_data_files(nb_path: Path, root: Path) -> None:
    """Every data file the notebook declares is a file inside the project."""
    for name in data_dependencies(nb_path):
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not (root / rel).is_file():
            raise NotebookError(nb_path, f'metadata "techmarket.data" names {name}, which is not a file '
                                         "in the project")


@dataclass(frozen=True)
class Job:
    notebook: Path
    lang: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.notebook.stem + "".join(f".{k}-{v}" for k, v in self.params)

    @property
    def label(self) -> str:
        return f"{self.name} [{self.lang}]"

    def outputs(self, project: Project) -> dict[str, Path]:
        base = project.reports_dir / self.lang
        return {"ipynb": base / f"{self.name}.ipynb", "html": base / f"{self.name}.html",
                "code": base / f"{self.name}.code.html"}

    def parameters(self) -> dict[str, str]:
        return {"lang": self.lang, **dict(self.params)}


class BuildError(TechmarketError, ValueError):
    """Invalid build options, reported before anything runs."""


def plan(project: Project, only: list[str] | None = None, langs: list[str] | None = None,
         params: dict[str, str] | None = None, skipped: list[NotebookError] | None = None) -> list[Job]:
    """The jobs to consider, after validating every option. A chosen notebook that cannot be
    planned raises :class:`NotebookError`; with a ``skipped`` list, it is added there and left out."""
    available = {nb.stem: nb for nb in project.notebooks()}
    unknown = sorted(set(only or []) - set(available))
    if unknown:
        raise BuildError(f"unknown notebook(s) {unknown}; known: {sorted(available)}")
    langs = list(langs or LANGS)
    bad_langs = sorted(set(langs) - set(LANGS))
    if bad_langs:
        raise BuildError(f"unknown language(s) {bad_langs}; known: {list(LANGS)}")
    chosen = [available[s] for s in sorted(only)] if only else list(available.values())
    params = dict(params or {})
    if "lang" in params:
        raise BuildError("choose languages with --lang, not as a parameter")
    jobs = []
    used: set[str] = set()
    bad: list[NotebookError] = []
    for nb in chosen:
        try:
            defaults = notebook_parameters(nb)
            _check_data_files(nb, project.root)
        except NotebookError as err:
            if skipped is None:
                raise
            bad.append(err)
            continue
        mine = tuple(sorted((k, v) for k, v in params.items() if k in defaults and str(defaults[k]) != v))
        used |= {k for k in params if k in defaults}
        jobs += [Job(nb, lang, mine) for lang in langs]
    if skipped is not None:
        skipped += bad
    unused = sorted(set(params) - used)
    if unused:
        unread = f" (not checked in {', '.join(_rel(e.path, project.root) for e in bad)})" if bad else ""
        raise BuildError(f"parameter(s) {unused} are not parameters of the chosen notebook(s){unread}")
    if params:
        _validate_values(params)
    return jobs


def _validate_values(params: dict[str, str]) -> None:
    """Check parameter values the way the notebooks will (an unknown province fails here)."""
    from techmarket.context import validate_parameters

    try:
        validate_parameters(**params)
    except ValueError as err:
        raise BuildError(str(err)) from None


# --- the cache ------------------------------------------------------------------------------
def environment_hash(project: Project) -> str:
    lib = [p for p in (project.root / "lib").rglob("*") if p.is_file() and "__pycache__" not in p.parts
           and not p.name.endswith(".egg-info") and ".egg-info" not in str(p)]
    return _sha(tree_hash(project.root, lib).encode(), (project.root / "requirements.lock").read_bytes())


def job_key(job: Job, project: Project, env_hash: str) -> str:
    data = [project.root / d for d in data_dependencies(job.notebook)]
    return _sha(job.notebook.read_bytes(), tree_hash(project.root, data).encode(), env_hash.encode(),
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
    record = {"key": key, "sha256": {_rel(p, base): _digest(p) for p in files}}
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
    names = {_rel(p, base): p for p in files}
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
    env = environment_hash(project)
    return [j for j in jobs if not is_current(j, project, job_key(j, project, env))]

# --- running one job ------------------------------------------------------------------------
@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    error: str = ""


def strip_volatile_metadata(nb) -> None:
    """Remove what changes from run to run (timings, paths, the random id papermill gives the
    injected-parameters cell), so that reruns are byte-identical."""
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm is not None:
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(key, None)


KERNEL_ARGS = ["--HistoryManager.enabled=False"]  # a build needs no command history
# Every output is in hand when the last cell returns, so the kernel is stopped at once: a graceful
# shutdown waits 0.7-3 s per notebook for the kernel to exit on its own.
ANCHOR_MARK = "¶"  # nbconvert's heading anchors (drawn by its Python code, not in any template)
_EXPORTERS: dict[bool, object] = {}  # one per worker process and variant: templates load once


def render_html(nb, with_code: bool) -> str:
    """An executed notebook as HTML from the offline template (images embedded)."""
    from nbconvert import HTMLExporter

    exporter = _EXPORTERS.get(with_code)
    if exporter is None:
        exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)], embed_images=True)
        exporter.exclude_input = not with_code
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        _EXPORTERS[with_code] = exporter
    body, _ = exporter.from_notebook_node(nb)
    return body


def base_font(project: Project) -> Path:
    """A subset of the CJK font with every character the project's sources use (notebooks, data,
    lib): reports subset it again, much faster than the full 16 MB font. Cached by content."""
    from jupyter_core.paths import jupyter_path

    from techmarket.fonts import subset_font

    templates = [p for d in jupyter_path("nbconvert", "templates") for name in ("base", "lab")
                 for p in sorted(Path(d, name).rglob("*")) if p.is_file()]
    sources = [*project.notebooks(), *(project.root / "data").rglob("*.csv"), *(project.root / "lib").rglob("*.py"),
               *TEMPLATES.rglob("*.j2"), *templates]
    text = ANCHOR_MARK + "".join(sorted({ch for p in sources for ch in p.read_text(encoding="utf-8", errors="ignore")
                                         if ord(ch) > 127}))
    path = project.cache_dir / f"cjk-base-{_sha(text.encode())[:16]}.otf"
    if not path.is_file():
        atomic_write(path, subset_font(text))
    return path


def embed_font(pages: list[str], base: Path | None = None) -> list[str]:
    """Put one subset of the CJK font, covering every page's characters, into each page's head."""
    from techmarket.fonts import font_face_css

    css = f"<style type=\"text/css\">\n{font_face_css(''.join(pages), base)}\n</style>\n"
    return [p.replace("</head>", css + "</head>", 1) for p in pages]


def export_html(nb, outputs: dict[str, Path], base: Path | None = None) -> None:
    """Write the report without code and with code, each self-contained and offline."""
    plain, code = embed_font([render_html(nb, with_code=False), render_html(nb, with_code=True)], base)
    atomic_write(outputs["html"], plain)
    atomic_write(outputs["code"], code)


def run_job(job: Job, project: Project, font: Path | None = None, kernels: ServerInfo | None = None) -> Result:
    """Execute one job and write its outputs; on failure keep the last good outputs. With
    ``kernels``, the kernel is forked from that server (see :mod:`techmarket.kernel_fork`)."""
    import nbformat
    import papermill

    from techmarket.kernel_fork import kernel_manager_for

    t0 = time.perf_counter()
    print(f"  running  {job.label}", flush=True)
    outputs = job.outputs(project)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_out = Path(tmp) / job.notebook.name
        forked = {"kernel_manager_class": kernel_manager_for(kernels)} if kernels else {}
        try:
            nb = papermill.execute_notebook(str(job.notebook), str(tmp_out), parameters=job.parameters(),
                                            kernel_name=KERNEL, cwd=str(project.notebooks_dir), progress_bar=False,
                                            log_output=False, request_save_on_cell_execute=False,
                                            extra_arguments=KERNEL_ARGS, shutdown_kernel="immediate", **forked)
        except papermill.PapermillExecutionError as err:
            failed = outputs["ipynb"].with_suffix(".failed.ipynb")
            if tmp_out.is_file():
                atomic_write(failed, tmp_out.read_bytes())
            n = len(nbformat.read(job.notebook, as_version=4).cells)
            own = err.cell_index  # papermill counts its injected-parameters cell, placed after ours
            return Result(job, False, time.perf_counter() - t0,
                          f"cell {own} of {n}: {err.ename}: {err.evalue}")
        except Exception as err:  # kernel died, bad notebook, ...
            return Result(job, False, time.perf_counter() - t0, f"{type(err).__name__}: {err}")
    strip_volatile_metadata(nb)
    atomic_write(outputs["ipynb"], nbformat.v4.writes(nb) + "\n")  # papermill validated it already
    export_html(nb, outputs, font)
    outputs["ipynb"].with_suffix(".failed.ipynb").unlink(missing_ok=True)
    return Result(job, True, time.perf_counter() - t0)


# --- the index ------------------------------------------------------------------------------
def build_identity(project: Project) -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--", "data", "lib", "notebooks")
    data = [p for p in (project.root / "data").rglob("*") if p.is_file()]
    from techmarket.envfile import locked_pins

    pins = locked_pins(project.root / "requirements.lock")
    return {
        "commit": commit + (" (with uncommitted changes to data, lib or notebooks)" if dirty else ""),
        "data_sha256": tree_hash(project.root, data),
        "versions": ", ".join(f"{p} {pins[p]}" for p in KEY_PACKAGES if p in pins),
        "python": sys.version.split()[0],
        "built": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def write_index(project: Project, audit_counts: list[tuple[str, str, int]] | None, audit_error: str = "") -> Path:
    """reports/index.html: every report in both languages, the audit summary (or, with
    ``audit_error``, why the audit could not run), the build identity."""
    rows = []
    for nb in project.notebooks():
        cells = []
        for lang in LANGS:
            job = Job(nb, lang)
            if job.outputs(project)["html"].is_file():
                code = "代码" if lang == "zh" else "code"
                cells.append(f'<a href="{lang}/{html.escape(job.name)}.html">{lang}</a> '
                             f'(<a href="{lang}/{html.escape(job.name)}.code.html">{code}</a>)')
            else:
                cells.append("—")
        rows.append(f"<tr><td>{html.escape(nb.stem)}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    audit = ""
    if audit_counts:
        audit = "".join(f"<tr><td>{html.escape(t)}</td><td>{html.escape(v)}</td><td>{n}</td></tr>"
                        for t, v, n in audit_counts)
        audit = ("<h2>论文数字核查 · Claims audit</h2><table><tr><th>table</th><th>verdict</th><th>claims</th></tr>"
                 f"{audit}</table><p><a href=\"claims_audit.csv\">claims_audit.csv</a></p>")
    elif audit_error:
        audit = ("<h2>论文数字核查 · Claims audit</h2><p>核查未能运行，故无汇总 · "
                 "The claims audit could not run, so its summary is missing:</p>"
                 f"<pre>{html.escape(audit_error)}</pre>")
    ident = build_identity(project)
    ident_rows = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in ident.items())
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>广东技术市场 · Guangdong technology market — reports</title>
<!--font-->
<style>body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60em;\
margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}}</style></head>
<body><h1>广东技术市场 2016—2020 · Guangdong technology market 2016-2020</h1>
<h2>报告 · Reports</h2>
<table><tr><th>notebook</th><th>中文</th><th>English</th></tr>
{"".join(rows)}
</table>
{audit}
<h2>构建信息 · Build</h2>
<table>{ident_rows}</table>
</body></html>
"""
    page = embed_font([page.replace("<!--font-->", "")], base_font(project))[0]
    index = project.reports_dir / "index.html"
    atomic_write(index, page)
    return index


def _preload() -> None:
    """Import what every job needs, before the pool forks its workers."""
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    from fontTools import subset  # noqa: F401

    from techmarket.fonts import font_codepoints

    font_codepoints()  # the full font's character map, read once (0.4 s) instead of once per worker


def _timing_file(job: Job, project: Project) -> Path:
    return project.cache_dir / f"{job.name}.{job.lang}.seconds"


def _longest_first(jobs: list[Job], project: Project) -> list[Job]:
    """Start the slowest jobs first (by their last run), so the pool does not end on a long tail."""
    def last(job: Job) -> float:
        try:
            return float(_timing_file(job, project).read_text())
        except (OSError, ValueError):  # never run, or a damaged timing file
            return float("inf")
    return sorted(jobs, key=last, reverse=True)


def _audit_counts(project: Project) -> tuple[list[tuple[str, str, int]] | None, str]:
    """The claims-audit summary for the index, from the project's data (and ``claims_audit.csv``
    written beside it): ``(counts, "")``, or ``(None, why the audit could not run)``.

    It runs in a pool worker, so it returns its error as text instead of raising it: the
    package's ``DataValidationError`` does not survive pickling (unpickling it in the parent
    fails, and the pool is then broken) and its message is what the user needs."""
    root = project.root
    try:
        from techmarket.audit import run_audit, summary
        from techmarket.loaders import load_claims, load_external, load_facts

        facts = load_facts(root / FACTS_CSV.relative_to(PROJ_ROOT))
        external = load_external(root / EXTERNAL_CSV.relative_to(PROJ_ROOT))
        claims = load_claims(root / CLAIMS_CSV.relative_to(PROJ_ROOT), facts=facts)
        audit = run_audit(claims, facts, external).claims
        atomic_write(project.reports_dir / "claims_audit.csv", audit.to_csv(index=False))
        return [(r.table, r.value, int(r.claims)) for r in summary(audit).itertuples()], ""
    except OSError as err:
        if err.filename and Path(err.filename).is_relative_to(project.reports_dir):
            return None, _cannot_write(err, project)
        return None, f"{type(err).__name__}: {err}".replace(f"{root}{os.sep}", "")
    except Exception as err:  # a data error (file, line, column) or a bug: the message, not a traceback
        text = str(err) if type(err).__name__ == "DataValidationError" else f"{type(err).__name__}: {err}"
        return None, text.replace(f"{root}{os.sep}", "")


def _cannot_write(err: OSError, project: Project) -> str:
    """'cannot write reports/en/x.html (Permission denied)' for a failed write under reports/."""
    path = Path(err.filename)
    return f"cannot write {_rel(path, project.root)} ({_why_not_writable(err, path, project.root)})"


@contextlib.contextmanager
def _kernel_server(todo: list[Job], project: Project, kernel: str = KERNEL):
    """A fork server for the jobs' kernels: the libraries the notebooks import are imported once
    per build. None when there is nothing to run, off Linux (where forking a process that has
    loaded system frameworks is not safe), or when the kernel spec cannot be served (missing, or
    not an ipykernel): each job then launches its kernel the ordinary way and reports any error."""
    if not todo or not sys.platform.startswith("linux"):
        yield None
        return
    from jupyter_client.kernelspec import NoSuchKernel

    try:
        server = ForkServer(kernel, project.notebooks_dir, notebook_imports(sorted({j.notebook for j in todo})))
    except (NoSuchKernel, ValueError):
        yield None
        return
    with server as info:
        yield info


# --- the build ------------------------------------------------------------------------------
def build(only: list[str] | None = None, langs: list[str] | None = None, params: dict[str, str] | None = None,
          workers: int | None = None, force: bool = False, project: Project | None = None,
          with_audit: bool = True) -> int:
    """Build the reports; return an exit code: 2 for bad options (nothing runs), 1 when any job
    failed, a notebook could not be read, the audit could not run or a write failed, else 0.
    Every problem is printed as one message on stderr, never as a traceback."""
    project = project or Project()
    t0 = time.perf_counter()
    skipped: list[NotebookError] = []
    try:
        jobs = plan(project, only, langs, params, skipped=skipped)
    except BuildError as err:
        for bad in skipped:
            print(bad.shown(project.root), file=sys.stderr)
        print(f"build: {err}", file=sys.stderr)
        return 2
    for bad in skipped:
        print(f"{bad.shown(project.root)}; skipped, its last reports are kept", file=sys.stderr)
    try:
        return _build(project, jobs, skipped, workers, force, with_audit, t0)
    except OSError as err:  # a write under reports/ (index, caches) failed mid-build, or a file is unreadable
        if err.filename and Path(err.filename).is_relative_to(project.reports_dir):
            print(f"build: {_cannot_write(err, project)}; the build stopped, the existing reports are kept",
                  file=sys.stderr)
        else:
            where = f"{_rel(err.filename, project.root)}: " if err.filename else ""
            print(f"build: {where}{err.strerror or err}", file=sys.stderr)
        return 1


def _build(project: Project, jobs: list[Job], skipped: list[NotebookError], workers: int | None, force: bool,
           with_audit: bool, t0: float) -> int:
    removed = sweep_temporary(project)
    if removed:
        print(f"  removed  {removed} temporary file(s) left in reports/ by an interrupted build")
    env = environment_hash(project)
    keys = {j: job_key(j, project, env) for j in jobs}
    todo = [j for j in jobs if force or not is_current(j, project, keys[j])]
    for j in jobs:
        if j not in todo:
            print(f"  cached   {j.label}")
    index_key = _sha(env.encode(), *[keys[j].encode() for j in jobs],
                     str(sorted(p.name for p in project.notebooks())).encode(), b"audit" if with_audit else b"")
    index_cache = project.cache_dir / "index.key"
    index_files = [project.reports_dir / "index.html"]
    if with_audit:
        index_files.append(project.reports_dir / "claims_audit.csv")
    need_index = (force or bool(todo) or bool(skipped)
                  or not _recorded(index_cache, index_key, index_files, project.reports_dir))
    if todo or need_index:
        blocked = _unwritable(project, sorted({j.lang for j in todo}))
        if blocked:
            print(f"build: cannot write to {blocked}; nothing was built, the existing reports are kept",
                  file=sys.stderr)
            return 1
    results: list[Result] = []
    audit_counts, audit_error = None, ""
    if todo or (need_index and with_audit):
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with (_kernel_server(todo, project) as kernels,
              ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool):
            font = None
            if todo:
                font = base_font(project)  # while the kernel server imports
                _preload()  # import once here; forked workers start with everything loaded
            futures = {pool.submit(run_job, j, project, font, kernels): j for j in _longest_first(todo, project)}
            # the audit summary for the index runs beside the last notebooks, filling the tail
            audit_future = pool.submit(_audit_counts, project) if need_index and with_audit else None
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    res = fut.result()
                except OSError as err:  # writing its outputs failed: the files written before are whole
                    written = err.filename and Path(err.filename).is_relative_to(project.reports_dir)
                    res = Result(job, False, 0.0, f"{_cannot_write(err, project)}; its last good report is kept"
                                 if written else f"{type(err).__name__}: {err}")
                except Exception as err:  # the worker itself died
                    res = Result(job, False, 0.0, f"{type(err).__name__}: {err}")
                results.append(res)
                if res.ok:
                    record_built(job, project, keys[job])
                    atomic_write(_timing_file(job, project), f"{res.seconds:.2f}")
                    print(f"  done     {job.label} in {res.seconds:.1f} s", flush=True)
                else:
                    print(f"  FAILED   {job.label}: {res.error}", flush=True)
            if audit_future is not None:
                try:
                    audit_counts, audit_error = audit_future.result()
                except Exception as err:  # the worker died (the pool is broken)
                    audit_error = f"{type(err).__name__}: {err}"
    failed = [r for r in results if not r.ok]
    if need_index:
        write_index(project, audit_counts, audit_error)
        if not (failed or skipped or audit_error):
            _record(index_cache, index_key, index_files, project.reports_dir)
    done = sum(r.ok for r in results)
    bad = f", {len(skipped)} notebook(s) skipped" if skipped else ""
    print(f"{len(jobs)} report(s): {done} built, {len(jobs) - len(todo)} cached, {len(failed)} failed{bad} "
          f"in {time.perf_counter() - t0:.1f} s; index: {project.reports_dir.relative_to(project.root) / 'index.html'}")
    for r in failed:
        sep = " at " if r.error.startswith("cell ") else ": "
        print(f"  {r.job.label} failed{sep}{r.error}", file=sys.stderr)
    if audit_error:
        print(f"build: the claims audit could not run, so the index has no audit summary: {audit_error}",
              file=sys.stderr)
    return 1 if failed or skipped or audit_error else 0


def refresh_committed(only: list[str] | None = None) -> int:
    """Re-execute the committed notebooks in place with their default parameters, so that the
    outputs nbval checks are current. Returns an exit code."""
    import nbformat
    import papermill

    project = Project()
    failed = 0
    for nb in project.notebooks():
        if only and nb.stem not in only:
            continue
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / nb.name
            try:
                papermill.execute_notebook(str(nb), str(out), kernel_name=KERNEL, cwd=str(project.notebooks_dir),
                                           progress_bar=False, log_output=False)
            except Exception as err:
                failed += 1
                print(f"  {nb.stem} failed: {str(err).strip().splitlines()[-1]}")
                continue
            executed = nbformat.read(out, as_version=4)
        strip_volatile_metadata(executed)
        atomic_write(nb, nbformat.writes(executed) + "\n")
        print(f"  {nb.stem} refreshed in {time.perf_counter() - t0:.1f} s")
    return 1 if failed else 0

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
  (:mod:`techmarket.site.kernel_fork`); each notebook still runs in a kernel of its own.
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

This module runs the build; its parts are :mod:`techmarket.site.plan` (jobs and options),
:mod:`techmarket.site.notebook_files`, :mod:`techmarket.site.cache`, :mod:`techmarket.site.files`
(the folders it writes), :mod:`techmarket.site.notebook_run` (one job), :mod:`techmarket.site.export`
and :mod:`techmarket.site.index`; atomic writes and hashes are :mod:`techmarket.data.files`.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from techmarket.data.errors import TechmarketError
from techmarket.data.files import atomic_write, cannot_write, code_hash, content_hash
from techmarket.data.paths import relative
from techmarket.site.cache import _record, _recorded, is_current, job_key, record_built
from techmarket.site.files import sweep_temporary, unwritable
from techmarket.site.notebook_files import NotebookError
from techmarket.site.notebook_run import Result, preload, run_job
from techmarket.site.plan import KERNEL, BuildError, Job, Project, plan

if TYPE_CHECKING:
    pass


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

    from techmarket.site.fork_server import notebook_imports
    from techmarket.site.kernel_fork import ForkServer

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
    except TechmarketError as err:  # a data file the build reads is refused (a link leaving data/)
        print(f"build: {err}; nothing more was built, the existing reports are kept", file=sys.stderr)
        return 1
    except OSError as err:  # a write under reports/ (index, caches) failed mid-build, or a file is unreadable
        if err.filename and Path(err.filename).is_relative_to(project.reports_dir):
            print(f"build: {cannot_write(err, project.root)}; the build stopped, the existing reports are kept",
                  file=sys.stderr)
        else:
            where = f"{relative(err.filename, project.root)}: " if err.filename else ""
            print(f"build: {where}{err.strerror or err}", file=sys.stderr)
        return 1


def _build(project: Project, jobs: list[Job], skipped: list[NotebookError], workers: int | None, force: bool,
           with_audit: bool, t0: float) -> int:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from techmarket.pages.fonts import covers
    from techmarket.pages.paper_views import exhibit_notebooks, paper_text_path, view_files
    from techmarket.site.export import base_font, page_identity
    from techmarket.site.index import _audit_counts, write_index

    removed = sweep_temporary(project)
    if removed:
        print(f"  removed  {removed} temporary file(s) left in reports/ by an interrupted build")
    env = code_hash(project.root)
    keys = {j: job_key(j, project, env) for j in jobs}
    todo = [j for j in jobs if force or not is_current(j, project, keys[j])]
    for j in jobs:
        if j not in todo:
            print(f"  cached   {j.label}")
    paper = paper_text_path(project)
    index_key = content_hash(env.encode(), *[keys[j].encode() for j in jobs],
                     str(sorted(p.name for p in project.notebooks())).encode(), b"audit" if with_audit else b"",
                     paper.read_bytes() if with_audit and paper.is_file() else b"no paper")
    index_cache = project.cache_dir / "index.key"
    index_files = [project.reports_dir / "index.html"]
    if with_audit:
        index_files += [project.reports_dir / name for name in view_files(paper.is_file())]
    need_index = (force or bool(todo) or bool(skipped)
                  or not _recorded(index_cache, index_key, index_files, project.reports_dir))
    if todo or need_index:
        blocked = unwritable(project, sorted({j.lang for j in todo}))
        if blocked:
            print(f"build: cannot write to {blocked}; nothing was built, the existing reports are kept",
                  file=sys.stderr)
            return 1
    results: list[Result] = []
    audit_counts, audit_error, views_error = None, "", ""
    if todo or (need_index and with_audit):
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with (_kernel_server(todo, project) as kernels,
              ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool):
            font = None
            if todo:
                font = base_font(project)  # while the kernel server imports
                covers(font, "")  # read its characters once, before the workers fork
                preload()  # import once here; forked workers start with everything loaded
            # the audit (summary for the index, data pages) goes first: it runs beside the notebooks,
            # which, slowest first, then fill the tail evenly
            audit_future = pool.submit(_audit_counts, project) if need_index and with_audit else None
            identity = page_identity(project, env)  # the same for every page of this build
            futures = {pool.submit(run_job, j, project, font, kernels, identity): j
                       for j in _longest_first(todo, project)}
            # the views of the paper start once the audit is done and the notebooks that redraw the
            # paper's figures (which the annotated paper shows) are built: they fill the tail
            exhibits = exhibit_notebooks(project)
            waiting, views = set(futures), None
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                results += [_finished(fut, futures[fut], project, keys) for fut in done]
                if (views is None and audit_future is not None and audit_future.done()
                        and not any(futures[f].notebook.stem in exhibits for f in waiting)):
                    views = _start_views(pool, audit_future, project, identity, font)
            if audit_future is not None and views is None:
                views = _start_views(pool, audit_future, project, identity, font)
            if views is not None:
                audit_counts, audit_error, views_future = views
                if views_future is not None:
                    try:
                        views_error = views_future.result()
                    except Exception as err:  # the worker died
                        views_error = f"{type(err).__name__}: {err}"
    failed = [r for r in results if not r.ok]
    if need_index:
        write_index(project, audit_counts, audit_error, views_error)
        if not (failed or skipped or audit_error or views_error):
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
    if views_error:
        print(f"build: the views of the paper (replication report, erratum, annotated paper) were not written; "
              f"those built before are kept: {views_error}", file=sys.stderr)
    return 1 if failed or skipped or audit_error or views_error else 0


def _finished(fut, job: Job, project: Project, keys: dict) -> Result:
    """A notebook job's result, recorded and reported (a worker that raised is a failed job)."""
    try:
        res = fut.result()
    except OSError as err:  # writing its outputs failed: the files written before are whole
        written = err.filename and Path(err.filename).is_relative_to(project.reports_dir)
        res = Result(job, False, 0.0, f"{cannot_write(err, project.root)}; its last good report is kept"
                     if written else f"{type(err).__name__}: {err}")
    except Exception as err:  # the worker itself died
        res = Result(job, False, 0.0, f"{type(err).__name__}: {err}")
    if res.ok:
        record_built(job, project, keys[job])
        atomic_write(_timing_file(job, project), f"{res.seconds:.2f}")
        print(f"  done     {job.label} in {res.seconds:.1f} s", flush=True)
    else:
        print(f"  FAILED   {job.label}: {res.error}", flush=True)
    return res


def _start_views(pool, audit_future, project: Project, identity: str, font: Path | None) -> tuple:
    """The audit's outcome, and the views of the paper submitted to the pool if it has tables:
    (counts, error, future or None)."""
    from techmarket.pages.paper_views import write_for_build
    from techmarket.site.export import base_font

    try:
        counts, error, tables = audit_future.result()
    except Exception as err:  # the worker died (the pool is broken)
        return None, f"{type(err).__name__}: {err}", None
    if tables is None:
        return counts, error, None
    return counts, error, pool.submit(write_for_build, project, tables, identity, font or base_font(project))

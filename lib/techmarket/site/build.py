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

import os
import signal
import sys
import time
from pathlib import Path

from techmarket.data.errors import TechmarketError
from techmarket.data.files import cannot_write, code_hash, content_hash
from techmarket.data.notebook_json import NotebookError
from techmarket.data.paths import relative
from techmarket.site.cache import _record, _recorded, is_current, job_key
from techmarket.site.files import sweep_temporary, unwritable
from techmarket.site.notebook_run import TIME_LIMIT, Result
from techmarket.site.plan import BuildError, Job, Project, plan
from techmarket.site.pool import Interrupted, Progress, ignore_interrupts, kernel_server, run_pool, stop_pool


def build(only: list[str] | None = None, langs: list[str] | None = None, params: dict[str, str] | None = None,
          workers: int | None = None, force: bool = False, project: Project | None = None,
          with_audit: bool = True, time_limit: float = TIME_LIMIT) -> int:
    """Build the reports; return an exit code: 2 for bad options (nothing runs), 1 when any job
    failed, a notebook could not be read, the audit could not run or a write failed, 130 when
    interrupted (Ctrl-C), else 0. Every problem is printed as one message on stderr, never as a
    traceback. Each notebook may run ``time_limit`` seconds in all."""
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
        return _build(project, jobs, skipped, workers, force, with_audit, t0, time_limit)
    except (KeyboardInterrupt, Interrupted) as stop:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
        sweep_temporary(project)
        unfinished = f"; not finished: {', '.join(stop.unfinished)}" if isinstance(stop, Interrupted) else ""
        print(f"build: interrupted{unfinished}; the reports built before are kept, nothing half-written "
              "is left", file=sys.stderr)
        return 130
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
           with_audit: bool, t0: float, time_limit: float = TIME_LIMIT) -> int:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from techmarket.pages.paper_views import paper_text_path, view_files
    from techmarket.site.index import write_index

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
                             str(sorted(p.name for p in project.notebooks())).encode(),
                             b"audit" if with_audit else b"",
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
        progress = Progress()
        with (kernel_server(todo, project) as kernels,
              ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=ignore_interrupts) as pool):
            try:
                results, audit_counts, audit_error, views_error = run_pool(
                    pool, progress, project, todo, kernels, keys, env, need_index and with_audit, time_limit)
            except KeyboardInterrupt:
                raise Interrupted(stop_pool(pool, progress)) from None
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

"""The build's work in a process pool: the notebooks (slowest first, each in a kernel forked from one
warm server), the claims audit beside them and the views of the paper in the pool's tail; and
Ctrl-C, which stops every worker and kernel at once and says what had not finished.
"""
from __future__ import annotations

import contextlib
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from techmarket.data.files import atomic_write, cannot_write
from techmarket.site.cache import record_built
from techmarket.site.notebook_run import Result, preload, run_job
from techmarket.site.plan import KERNEL, Job, Project


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
def kernel_server(todo: list[Job], project: Project, kernel: str = KERNEL):
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


class Interrupted(Exception):
    """Ctrl-C while notebooks ran: the pool's workers and the kernels were stopped at once."""

    def __init__(self, unfinished: list[str]):
        super().__init__(", ".join(unfinished))
        self.unfinished = unfinished


def ignore_interrupts() -> None:
    """In each pool worker: Ctrl-C is the build's to handle (it stops the workers), not theirs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_pool(pool, progress: Progress) -> list[str]:
    """Stop every worker of ``pool`` now (their kernels end with the fork server); return what had
    not finished."""
    unfinished = [job.label for f, job in progress.futures.items() if not f.done()]
    if progress.views_running:
        unfinished.append("the views of the paper")
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    for process in workers:
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    return unfinished


@dataclass
class Progress:
    """What the pool has been given: each notebook's future, and whether the views are running."""

    futures: dict = field(default_factory=dict)
    views_running: bool = False


def run_pool(pool, progress: Progress, project: Project, todo: list[Job], kernels, keys: dict, env: str,
             audit: bool, time_limit: float) -> tuple:
    """Run the jobs, the audit and the views of the paper in ``pool``: (results, audit counts,
    audit error, views error)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from techmarket.pages.fonts import covers
    from techmarket.pages.paper_views import exhibit_notebooks
    from techmarket.site.export import base_font, page_identity
    from techmarket.site.index import _audit_counts

    results: list[Result] = []
    audit_counts, audit_error, views_error = None, "", ""
    font = None
    if todo:
        font = base_font(project)  # while the kernel server imports
        covers(font, "")  # read its characters once, before the workers fork
        preload()  # import once here; forked workers start with everything loaded
    # the audit (summary for the index, data pages) goes first: it runs beside the notebooks,
    # which, slowest first, then fill the tail evenly
    audit_future = pool.submit(_audit_counts, project) if audit else None
    identity = page_identity(project, env)  # the same for every page of this build
    futures = progress.futures
    futures.update({pool.submit(run_job, j, project, font, kernels, identity, time_limit): j
                    for j in _longest_first(todo, project)})
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
            progress.views_running = True
            try:
                views_error = views_future.result()
            except Exception as err:  # the worker died
                views_error = f"{type(err).__name__}: {err}"
            progress.views_running = False
    return results, audit_counts, audit_error, views_error


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

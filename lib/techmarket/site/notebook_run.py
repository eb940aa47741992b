"""One job of the build: a notebook executed with papermill in a kernel of its own (forked from
the build's warm server when there is one), its executed notebook and both HTML variants written
atomically; on failure the last good outputs are kept and the failing cell is named. Also the
re-execution of the committed notebooks in place (``make notebooks``).
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from techmarket.data.files import atomic_write
from techmarket.site.export import strip_volatile_metadata
from techmarket.site.plan import KERNEL, Job, Project

if TYPE_CHECKING:
    from techmarket.site.kernel_fork import ServerInfo


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    error: str = ""


KERNEL_ARGS = ["--HistoryManager.enabled=False"]  # a build needs no command history
TIME_LIMIT = 600.0  # seconds a notebook may run in all (``build --timeout``); the slowest takes about 5
# papermill's log lines ("Kernel died while waiting for execute reply") repeat what the build reports
# in one line, with the cell: only what is worse than an error is let through
logging.getLogger("papermill").setLevel(logging.CRITICAL)


@dataclass
class Running:
    """Where a notebook's run is: the cell that started last (as papermill numbers it: its own
    injected-parameters cell follows the parameters cell, so from then on a cell's 0-based index
    in the run is its 1-based number in the notebook), and the time left of the notebook's limit."""

    time_limit: float
    cell_index: int | None = None
    cell_id: str = ""
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.time_limit

    def started(self, cell, cell_index: int) -> None:
        """nbclient's hook, called as each cell starts."""
        self.cell_index, self.cell_id = cell_index, cell.get("id", "")

    def remaining(self, cell) -> float:
        """nbclient's per-cell timeout: what is left of the notebook's limit (never 0: nbclient
        reads 0 or less as no limit at all)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def where(self, n: int) -> str:
        return f"cell {self.cell_index} of {n}" + (f" ({self.cell_id})" if self.cell_id else "")


def failure(err: Exception, running: Running, n: int) -> str:
    """What went wrong in a notebook of ``n`` cells, naming the cell where one was running."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        running.cell_index = err.cell_index  # papermill counts as ``Running`` does
        return f"{running.where(n)}: {err.ename}: {err.evalue}"
    if running.cell_index is None:
        return f"{type(err).__name__}: {err}"
    if isinstance(err, CellTimeoutError | TimeoutError):
        return (f"{running.where(n)}: still running when the notebook's time limit of {running.time_limit:g} s "
                "ran out (build --timeout SECONDS sets the limit)")
    if isinstance(err, DeadKernelError):
        return f"{running.where(n)}: the kernel died while the cell ran ({err})"
    return f"{running.where(n)}: {type(err).__name__}: {err}"
# Every output is in hand when the last cell returns, so the kernel is stopped at once: a graceful
# shutdown waits 0.7-3 s per notebook for the kernel to exit on its own.


def run_job(job: Job, project: Project, font: Path | None = None, kernels: ServerInfo | None = None,
            identity: str | None = None, time_limit: float = TIME_LIMIT) -> Result:
    """Execute one job and write its outputs; on failure keep the last good outputs. With
    ``kernels``, the kernel is forked from that server (see :mod:`techmarket.site.kernel_fork`);
    ``identity``: the build's :func:`html_export.page_identity`, computed once per build. The
    notebook has ``time_limit`` seconds in all; a cell still running then, a kernel that dies or a
    cell that raises fails the job with the cell named (:func:`failure`)."""
    import nbformat
    import papermill

    from techmarket.pages.shell import Page, ids_used, title_of
    from techmarket.site.export import export_html, page_identity
    from techmarket.site.kernel_fork import kernel_manager_for

    t0 = time.perf_counter()
    print(f"  running  {job.label}", flush=True)
    outputs = job.outputs(project)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_out = Path(tmp) / job.notebook.name
        forked = {"kernel_manager_class": kernel_manager_for(kernels)} if kernels else {}
        running = Running(time_limit)
        try:
            nb = papermill.execute_notebook(str(job.notebook), str(tmp_out), parameters=job.parameters(),
                                            kernel_name=KERNEL, cwd=str(project.notebooks_dir), progress_bar=False,
                                            log_output=False, request_save_on_cell_execute=False,
                                            extra_arguments=KERNEL_ARGS, shutdown_kernel="immediate",
                                            on_cell_start=running.started, timeout_func=running.remaining,
                                            **forked)
        except Exception as err:  # a cell raised, ran out of time, or its kernel died; a bad notebook
            if isinstance(err, papermill.PapermillExecutionError) and tmp_out.is_file():
                atomic_write(outputs["ipynb"].with_suffix(".failed.ipynb"), tmp_out.read_bytes())
            n = len(nbformat.read(job.notebook, as_version=4).cells)
            return Result(job, False, time.perf_counter() - t0, failure(err, running, n))
    strip_volatile_metadata(nb)
    atomic_write(outputs["ipynb"], nbformat.v4.writes(nb) + "\n")  # papermill validated it already
    export_html(nb, outputs, font, Page(job.name, job.lang, title_of(nb, job.name), identity or page_identity(project),
                                        ids_used(nb)))
    outputs["ipynb"].with_suffix(".failed.ipynb").unlink(missing_ok=True)
    return Result(job, True, time.perf_counter() - t0)


def preload() -> None:
    """Import what every job needs, before the pool forks its workers."""
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    from fontTools import subset  # noqa: F401

    from techmarket.pages.fonts import font_codepoints

    font_codepoints()  # the full font's character map, read once (0.4 s) instead of once per worker


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

"""Kernels forked from a warm server are the kernels an ordinary launch gives, only faster to start.

The probe notebook reports what user code can see of its kernel (working directory, import path,
command-line arguments, environment, matplotlib's backend, its parent-process watch); the same
probe in an ordinary kernel and in a forked one must report the same. The reports the build makes
with forked kernels have the outputs of ordinary kernels: tests/test_notebooks.py runs every
notebook in English in an ordinary kernel and compares it with the built report, on this machine.
"""
from __future__ import annotations

import json
import os
import signal
import time

import nbformat
import papermill
import pytest

from techmarket.site.fork_server import notebook_imports, split_command
from techmarket.site.kernel_fork import ForkedKernel, ForkServer, kernel_manager_for, request_kernel
from techmarket.site.plan import KERNEL, Job, Project

PROBE = r'''
import json, os, sys
from pathlib import Path
preloaded = "statistics" in sys.modules  # imported by the fork server, never by this notebook
import matplotlib
from ipykernel.kernelapp import IPKernelApp
app = IPKernelApp.instance()
seen = {
    "cwd": os.getcwd(),
    "path": sys.path,
    "argv": [Path(sys.argv[0]).name] + [a for a in sys.argv[1:] if not a.endswith(".json")],
    "env": {k: v for k, v in os.environ.items() if k not in ("JPY_PARENT_PID",)},
    "parent_watched": app.parent_handle == int(os.environ["JPY_PARENT_PID"]),
    "backend": matplotlib.get_backend(),
    "main": sys.modules["__main__"].__name__,
    "session_leader": os.getsid(0) == os.getpid(),
}
print(json.dumps({"seen": seen, "ppid": os.getppid(), "preloaded": preloaded}))
'''


def _notebook(path, *cells):
    """Write a notebook of code cells for the project kernel; return its path."""
    nb = nbformat.v4.new_notebook()
    nb.cells += [c if isinstance(c, nbformat.NotebookNode) else nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(path, out, **kwargs) -> dict:
    nb = papermill.execute_notebook(str(path), str(out), kernel_name=KERNEL, cwd=str(path.parent),
                                    progress_bar=False, **kwargs)
    return json.loads(nb.cells[0].outputs[0]["text"])


def test_a_forked_kernel_looks_like_an_ordinary_one_to_the_notebook(tmp_path):
    probe = _notebook(tmp_path / "probe.ipynb", PROBE)
    ordinary = _run(probe, tmp_path / "ordinary.ipynb")
    with ForkServer(KERNEL, tmp_path, ["statistics"]) as server:
        forked = _run(probe, tmp_path / "forked.ipynb", kernel_manager_class=kernel_manager_for(server))
    assert forked["ppid"] == server.pid, "the kernel was not forked by the server"
    assert forked["preloaded"] and not ordinary["preloaded"]
    assert forked["seen"] == ordinary["seen"]
    assert forked["seen"]["parent_watched"] and forked["seen"]["session_leader"]


def test_requests_outside_the_servers_reach_launch_ordinary_kernels(tmp_path):
    probe = _notebook(tmp_path / "probe.ipynb", PROBE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with ForkServer(KERNEL, elsewhere, []) as server:  # another working directory
        seen = _run(probe, tmp_path / "out.ipynb", kernel_manager_class=kernel_manager_for(server))
    assert seen["ppid"] != server.pid
    # a server that has gone: the kernel is launched normally instead of failing
    seen = _run(probe, tmp_path / "out2.ipynb", kernel_manager_class=kernel_manager_for(server))
    assert seen["ppid"] != server.pid and seen["seen"]["cwd"] == str(tmp_path)


def test_split_command_recognises_only_the_ipykernel_launcher():
    assert split_command(["/p/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]) == (
        ["/p/python", "-Xfrozen_modules=off"], ["-f", "c.json"])
    assert split_command(["/p/python", "-m", "other_kernel", "-f", "c.json"]) is None
    assert split_command(["ipykernel_launcher", "-f", "c.json"]) is None


def test_notebook_imports_lists_absolute_imports_and_skips_magics_and_kernel_modules(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells += [nbformat.v4.new_code_cell("import pandas as pd, json\nfrom matplotlib import pyplot\n"
                                           "from . import sibling\nimport IPython.display"),
                 nbformat.v4.new_code_cell("%matplotlib inline\nimport never_seen"),
                 nbformat.v4.new_markdown_cell("import markdown_is_not_code")]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert notebook_imports([path]) == ["json", "matplotlib", "pandas"]


def test_a_kernel_that_dies_is_seen_as_gone_and_the_server_stops_with_the_build(tmp_path):
    with ForkServer(KERNEL, tmp_path, []) as server:
        # an argument ipykernel rejects: the forked child exits at once
        pid = request_kernel(server, ["--no-such-option-for-ipykernel", "-f", str(tmp_path / "c.json")],
                             dict(os.environ), str(tmp_path))
        handle = ForkedKernel(pid)
        handle.wait(timeout=30)
        assert handle.poll() is not None
        os.kill(server.pid, 0)  # the server lives on
    with pytest.raises(ProcessLookupError):
        for _ in range(100):
            os.kill(server.pid, 0)
            time.sleep(0.05)
    assert not os.path.exists(server.address)


def test_killing_a_forked_kernel(tmp_path):
    with ForkServer(KERNEL, tmp_path, []) as server:
        pid = request_kernel(server, ["-f", str(tmp_path / "c.json")], dict(os.environ), str(tmp_path))
        handle = ForkedKernel(pid)
        assert handle.poll() is None
        handle.send_signal(signal.SIGKILL)
        assert handle.wait(timeout=30) is not None


def test_a_kernel_that_dies_mid_notebook_fails_its_job_not_the_build(tmp_path):
    from techmarket.site.notebook_run import run_job

    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    _notebook(root / "notebooks" / "01_dies.ipynb",
              nbformat.v4.new_code_cell('lang = "zh"', metadata={"tags": ["parameters"]}),
              "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    project = Project(root)
    job = Job(project.notebooks()[0], "en")
    with ForkServer(KERNEL, project.notebooks_dir, []) as server:
        result = run_job(job, project, kernels=server)  # returns: the death is noticed, not waited out
    assert not result.ok and result.error.startswith("cell 2 of 2 (") and \
        "the kernel died while the cell ran" in result.error, result.error
    assert not job.outputs(project)["html"].exists()


@pytest.mark.site  # a whole report rebuilt: make test-site
def test_a_forced_rebuild_of_a_real_report_is_byte_identical(built_reports, fork_server):
    """05 run and exported again (its kernel forked from the tests' server) writes the same bytes.
    Only the job runs: the index and the caches of the reports are left alone."""
    from techmarket.data.files import exclusive
    from techmarket.site.export import base_font
    from techmarket.site.notebook_run import run_job

    job = Job(built_reports.notebooks_dir / "05_regions.ipynb", "zh")
    notebooks = sorted(p.name for p in built_reports.notebooks_dir.iterdir())
    with exclusive(built_reports.cache_dir / "tests.lock"):
        before = {k: p.read_bytes() for k, p in job.outputs(built_reports).items()}
        result = run_job(job, built_reports, base_font(built_reports), fork_server)
        after = {k: p.read_bytes() for k, p in job.outputs(built_reports).items()}
    assert result.ok, result.error
    assert sorted(p.name for p in built_reports.notebooks_dir.iterdir()) == notebooks, "kernels left files behind"
    assert after == before


def test_forked_kernels_draw_their_own_random_numbers_and_bad_requests_are_refused(tmp_path):
    path = _notebook(tmp_path / "draw.ipynb", "import random, numpy\nprint(random.random(), numpy.random.random())")
    with ForkServer(KERNEL, tmp_path, ["random", "numpy"]) as server:
        manager = kernel_manager_for(server)
        draws = [papermill.execute_notebook(str(path), str(tmp_path / f"d{i}.ipynb"), kernel_name=KERNEL,
                                            cwd=str(tmp_path), progress_bar=False,
                                            kernel_manager_class=manager).cells[0].outputs[0]["text"]
                 for i in range(2)]
        with pytest.raises(ConnectionError):
            request_kernel(server, None, {}, None)  # JSON the server cannot use: no answer
        os.kill(server.pid, 0)  # and it serves on
        pid = request_kernel(server, ["--no-such-option-for-ipykernel"], dict(os.environ), str(tmp_path))
        ForkedKernel(pid).wait(timeout=30)
    assert draws[0] != draws[1]


def test_a_kernel_spec_the_server_cannot_serve_falls_back_to_ordinary_launches(tmp_path):
    from techmarket.site.pool import kernel_server

    (tmp_path / "notebooks").mkdir()
    project = Project(tmp_path)
    jobs = [Job(_notebook(tmp_path / "notebooks" / "01_tiny.ipynb", "print(1)"), "en")]
    with kernel_server(jobs, project, kernel="no-such-kernel-here") as server:
        assert server is None
    with kernel_server([], project) as server:
        assert server is None
    with kernel_server(jobs, project) as server:
        assert server is not None and os.path.exists(server.address)

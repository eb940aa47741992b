"""Kernels forked from a warm server are the kernels an ordinary launch gives, only faster to start.

The probe notebook reports what user code can see of its kernel (working directory, import path,
command-line arguments, environment, matplotlib's backend, its parent-process watch); the same
probe in an ordinary kernel and in a forked one must report the same. The build's reports, made
with forked kernels, must have the same outputs as the committed notebooks, which
``make notebooks`` executes in ordinary kernels.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time

import nbformat
import papermill
import pytest
from techmarket.build import KERNEL, LANGS, Job, Project, build
from techmarket.kernel_fork import (
    ForkedKernel,
    ForkServer,
    kernel_manager_for,
    notebook_imports,
    request_kernel,
    split_command,
)
from techmarket.paths import NOTEBOOKS_DIR, PROJ_ROOT

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


@pytest.fixture(scope="module")
def forked_build(tmp_path_factory):
    """The Chinese reports (the committed notebooks' language), built in a copy of the project."""
    root = tmp_path_factory.mktemp("project")
    for name in ("data", "lib", "notebooks"):
        shutil.copytree(PROJ_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(PROJ_ROOT / "requirements.lock", root / "requirements.lock")
    project = Project(root)
    notebooks = sorted(p.name for p in project.notebooks_dir.iterdir())
    assert build(project=project, langs=["zh"], with_audit=False) == 0
    assert sorted(p.name for p in project.notebooks_dir.iterdir()) == notebooks, "kernels left files behind"
    return project


@pytest.mark.parametrize("nb", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_built_reports_match_the_committed_outputs_of_ordinary_kernels(forked_build, nb):
    assert LANGS[0] == "zh"
    committed = nbformat.read(nb, as_version=4)
    built = nbformat.read(Job(forked_build.notebooks_dir / nb.name, "zh").outputs(forked_build)["ipynb"],
                          as_version=4)
    by_id = {c.id: c for c in built.cells}
    assert set(by_id) - {c.id for c in committed.cells} == {"injected-parameters"}
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert _counted_on(by_id[cell.id].outputs) == cell.outputs, f"{nb.stem}: cell {cell.id} differs"


def _counted_on(outputs):
    """The build injects a parameters cell, so each later cell runs one execution count later."""
    out = nbformat.from_dict(outputs)
    for o in out:
        if o.get("execution_count") is not None:
            o["execution_count"] -= 1
    return out


def test_a_kernel_that_dies_mid_notebook_fails_its_job_not_the_build(tmp_path):
    from techmarket.build import run_job

    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    _notebook(root / "notebooks" / "01_dies.ipynb",
              nbformat.v4.new_code_cell('lang = "zh"', metadata={"tags": ["parameters"]}),
              "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    project = Project(root)
    job = Job(project.notebooks()[0], "en")
    with ForkServer(KERNEL, project.notebooks_dir, []) as server:
        result = run_job(job, project, kernels=server)  # returns: the death is noticed, not waited out
    assert not result.ok and "DeadKernelError" in result.error, result.error
    assert not job.outputs(project)["html"].exists()


def test_a_forced_rebuild_of_a_real_report_is_byte_identical(forked_build):
    job = Job(forked_build.notebooks_dir / "05_regions.ipynb", "zh")
    before = {k: p.read_bytes() for k, p in job.outputs(forked_build).items()}
    assert build(project=forked_build, only=["05_regions"], langs=["zh"], force=True, with_audit=False) == 0
    assert {k: p.read_bytes() for k, p in job.outputs(forked_build).items()} == before


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
    from techmarket.build import _kernel_server

    project = Project(PROJ_ROOT)
    jobs = [Job(project.notebooks()[0], "en")]
    with _kernel_server(jobs, project, kernel="no-such-kernel-here") as server:
        assert server is None
    with _kernel_server([], project) as server:
        assert server is None
    with _kernel_server(jobs, project) as server:
        assert server is not None and os.path.exists(server.address)

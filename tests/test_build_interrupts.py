"""A build that is interrupted, runs too long or loses a kernel says so in one line per notebook,
names the cell, keeps the last good reports and leaves no process behind (tiny notebooks that
sleep or kill their own kernel, in a copy of the project)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat as nbf
import pytest

from techmarket.cli.main import main
from techmarket.site.build import build
from techmarket.site.plan import Project

from conftest import copy_project

# whole builds with real kernels that sleep, die or are interrupted: make test-site (run by .ci/run)
pytestmark = pytest.mark.site


def _notebook(path: Path, *cells: str) -> None:
    nb = nbf.v4.new_notebook()
    params = nbf.v4.new_code_cell('lang = "zh"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbf.v4.new_code_cell(c) for c in cells)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "techmarket", "display_name": "Python (techmarket)", "language": "python"}
    nb.metadata["techmarket"] = {"data": []}
    nbf.write(nb, path)


def _project(root: Path, notebooks: dict[str, tuple[str, ...]]) -> Project:
    copy_project(root, notebooks=False)
    for name, cells in notebooks.items():
        _notebook(root / "notebooks" / f"{name}.ipynb", *cells)
    return Project(root)


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory lies in ``folder`` (kernels run in its notebooks/)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
def test_ctrl_c_stops_the_build_within_seconds_and_keeps_the_last_reports(tmp_path):
    project = _project(tmp_path / "proj", {"01_long": ("import time; time.sleep(120)",),
                                           "02_long": ("import time; time.sleep(120)",)})
    last_good = project.reports_dir / "en" / "01_long.html"
    last_good.parent.mkdir(parents=True)
    last_good.write_text("the last good report", encoding="utf-8")
    script = ("import sys; from pathlib import Path; from techmarket.site.build import build; "
              "from techmarket.site.plan import Project; "
              "sys.exit(build(project=Project(Path(sys.argv[1])), with_audit=False, langs=['en']))")
    proc = subprocess.Popen([sys.executable, "-c", script, str(project.root)], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_processes_in(project.notebooks_dir)) < 3:  # server + 2 kernels
        time.sleep(0.2)
    assert len(_processes_in(project.notebooks_dir)) >= 3, "the kernels did not start"
    time.sleep(1.0)  # both notebooks are in their sleeping cell
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: to the whole group
    t0 = time.monotonic()
    out, err = proc.communicate(timeout=30)
    stopped = time.monotonic() - t0
    assert stopped < 5, f"took {stopped:.1f} s to stop"
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err
    assert "build: interrupted; not finished: 01_long [en], 02_long [en]" in err or \
           "build: interrupted; not finished: 02_long [en], 01_long [en]" in err, err
    assert last_good.read_text(encoding="utf-8") == "the last good report"
    assert not list(project.reports_dir.rglob(".*.tmp"))
    deadline = time.monotonic() + 5
    while _processes_in(project.root) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_in(project.root), "processes were left behind"


def test_a_notebook_over_its_time_limit_and_a_dead_kernel_are_named_with_their_cell(tmp_path, capsys):
    project = _project(tmp_path / "proj", {"01_slow": ("print(1)", "import time; time.sleep(60)", "print(3)"),
                                           "02_dies": ("import os; os._exit(3)",)})
    t0 = time.monotonic()
    assert build(project=project, with_audit=False, langs=["en"], time_limit=4) == 1
    assert time.monotonic() - t0 < 40
    err = capsys.readouterr().err
    assert ("01_slow [en] failed at cell 3 of 4 (cell-02): still running when the notebook's time limit of 4 s "
            "ran out (build --timeout SECONDS sets the limit)") in err, err
    assert "02_dies [en] failed at cell 2 of 2 (cell-01): the kernel died while the cell ran" in err, err
    assert "Kernel died while waiting" not in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["-p", "province=江苏", "-p", "province=浙江"],
     "build: parameter 'province' given twice ('江苏' and '浙江'); give it once"),
    (["--timeout", "0"], "build: --timeout must be a positive number of seconds, got 0"),
    (["--timeout", "-5"], "build: --timeout must be a positive number of seconds, got -5"),
])
def test_build_options_that_contradict_themselves_are_refused(capsys, argv, message):
    assert main(["build", *argv]) == 2
    assert message in capsys.readouterr().err

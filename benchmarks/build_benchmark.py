"""Benchmark of the report build, on this machine, in a scratch copy of the project.

Prints a Markdown table:
- full build: ``techmarket build --force`` (parallel papermill runs in kernels forked from a server
  that has done the imports, in-process HTML export);
- naive: a shell-style loop, one notebook at a time: ``papermill`` then ``jupyter nbconvert --to html``;
- floor: the same notebooks' code exported as plain Python scripts, run with the same parallelism
  (no kernel, no export; each script imports its libraries itself, as an ordinary kernel would);
- no-op rebuild: ``python -m techmarket build`` with nothing changed (a fresh interpreter).

Full builds (each from an empty ``reports/``, as on a fresh clone) and floors alternate ``--repeat``
times, so that a slow spell of a shared machine hits both; the table compares the best of each
and lists every run. Targets: full build ≤ 0.5 × naive and ≤ 1.0 × floor; no-op rebuild < 0.2 s.
Run: ``make benchmark`` (or ``.venv/bin/python benchmarks/build_benchmark.py [--workers N] [--repeat N]``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from techmarket.audit.cache import CACHE_DIR
from techmarket.data.paths import PROJ_ROOT, SHARED_PAPER
from techmarket.pages.paper_views import paper_text_path
from techmarket.site.build import build
from techmarket.site.plan import KERNEL, LANGS, Project

BIN = Path(sys.executable).parent


def scratch_copy(dst: Path) -> Project:
    """The project as a fresh clone has it, with the paper's text at its documented place beside it
    if this machine has it (then the build also writes the annotated paper)."""
    for name in ("data", "lib", "notebooks"):
        shutil.copytree(PROJ_ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(PROJ_ROOT / "requirements.lock", dst / "requirements.lock")
    project = Project(dst)
    if SHARED_PAPER.is_file():
        paper_text_path(project).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHARED_PAPER, paper_text_path(project))
    return project


def cold(project: Project | None = None) -> None:
    """No caches, as on a fresh clone: the notebooks' audit (its cache is the installed package's,
    shared with the plain scripts of the floor) and, given a project, its reports."""
    if project is not None:
        shutil.rmtree(project.reports_dir, ignore_errors=True)
    for cached in CACHE_DIR.glob("audit-*.pickle"):
        cached.unlink()


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def naive(project: Project, out: Path) -> None:
    for nb in project.notebooks():
        for lang in LANGS:
            executed = out / f"{nb.stem}.{lang}.ipynb"
            subprocess.run([BIN / "papermill", str(nb), str(executed), "-p", "lang", lang, "-k", KERNEL,
                            "--cwd", str(project.notebooks_dir), "--no-progress-bar"], check=True, capture_output=True)
            subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", str(executed)],
                           check=True, capture_output=True)


def scripts(project: Project, out: Path) -> list[Path]:
    made = []
    for nb in project.notebooks():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells if c["cell_type"] == "code"]
        for lang in LANGS:
            path = out / f"{nb.stem}.{lang}.py"
            # the parameters cell first, then the language, as papermill would inject it
            path.write_text("\n\n".join([code[0], f'lang = "{lang}"', *code[1:]]), encoding="utf-8")
            made.append(path)
    return made


def floor(project: Project, files: list[Path], workers: int) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    def run(path: Path) -> None:
        subprocess.run([sys.executable, str(path)], cwd=project.notebooks_dir, check=True, capture_output=True, env=env)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, files))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="full builds and floors, alternated; the best of each is compared (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = scratch_copy(tmp / "project")
        n = len(project.notebooks()) * len(LANGS)
        (tmp / "scripts").mkdir()
        files = scripts(project, tmp / "scripts")
        fulls, floors = [], []
        for _ in range(args.repeat):  # alternated, so that a slow spell of the machine hits both
            cold(project)
            fulls.append(timed(lambda: build(project=project, workers=args.workers, force=True)))
            cold()
            floors.append(timed(lambda: floor(project, files, args.workers)))
        noop_cmd = [sys.executable, "-c", "from techmarket.site.build import build; "
                    "from techmarket.site.plan import Project; import sys; "
                    f"sys.exit(build(project=Project(__import__('pathlib').Path({str(project.root)!r}))))"]
        noops = [timed(lambda: subprocess.run(noop_cmd, check=True, capture_output=True)) for _ in range(3)]
        (tmp / "naive").mkdir()
        slow = timed(lambda: naive(project, tmp / "naive"))
    full, base, noop = min(fulls), min(floors), min(noops)
    runs = lambda ts: ", ".join(f"{t:.1f}" for t in ts)  # noqa: E731
    rows = [
        ("full build (`techmarket build --force`, fresh clone)", full, runs(fulls),
         f"{full / slow:.2f} × naive, {full / base:.2f} × floor", "≤ 0.5 × naive and ≤ 1.0 × floor",
         full <= 0.5 * slow and full <= 1.0 * base),
        ("naive loop (papermill, then nbconvert, one at a time)", slow, runs([slow]), "", "", None),
        (f"floor (plain scripts, {args.workers} in parallel)", base, runs(floors), "", "", None),
        ("no-op rebuild (fresh interpreter)", noop, runs(noops), "", "< 0.2 s", noop < 0.2),
    ]
    print(f"\n{n} runs ({len(LANGS)} languages), {args.workers} worker(s), {os.cpu_count()} core(s); "
          f"wall time is the best of the runs listed\n")
    print("| run | wall time (s) | runs (s) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for name, t, listed, ratio, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "no")
        print(f"| {name} | {t:.1f} | {listed} | {ratio} | {target} | {verdict} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Batch build: execute every numbered notebook with papermill, per language, and export HTML.

Outputs go to ``reports/<lang>/`` (executed notebook, HTML without code, HTML with code) and
``reports/index.html``. Writes are atomic (temporary file, then rename), so a failed run never
replaces the last good report.
"""
from __future__ import annotations

import html
import os
import sys
import tempfile
import time
from pathlib import Path

from techmarket.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR

LANGS = ("zh", "en")
KERNEL = "techmarket"


def notebooks() -> list[Path]:
    """The numbered notebooks, in order (``NN_name.ipynb``)."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def execute(nb: Path, lang: str, out: Path, parameters: dict | None = None) -> None:
    """Run ``nb`` with papermill (parameters: ``lang`` plus any extra) and write it to ``out``."""
    import nbformat
    import papermill

    params = {"lang": lang, **(parameters or {})}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_out = Path(tmp) / nb.name
        papermill.execute_notebook(
            str(nb), str(tmp_out), parameters=params, kernel_name=KERNEL,
            cwd=str(NOTEBOOKS_DIR), progress_bar=False, log_output=False,
        )
        executed = nbformat.read(tmp_out, as_version=4)
    strip_volatile_metadata(executed)
    atomic_write(out, nbformat.writes(executed) + "\n")


def refresh_committed(only: list[str] | None = None) -> int:
    """Re-execute the committed notebooks in place with their default parameters, so that the
    outputs nbval checks are current. Returns an exit code."""
    import nbformat
    import papermill

    failed = 0
    for nb in notebooks():
        if only and nb.stem not in only:
            continue
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / nb.name
            try:
                papermill.execute_notebook(str(nb), str(out), kernel_name=KERNEL, cwd=str(NOTEBOOKS_DIR),
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


def strip_volatile_metadata(nb) -> None:
    """Remove what changes from run to run (timings, paths, the random id papermill gives the
    injected-parameters cell), so that reruns are byte-identical."""
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    nb.metadata.get("papermill", {}).pop("input_path", None)
    nb.metadata.get("papermill", {}).pop("output_path", None)
    nb.metadata.get("papermill", {}).pop("environment_variables", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm is not None:
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(key, None)


def export_html(executed: Path, out: Path, with_code: bool) -> None:
    """Export an executed notebook to a self-contained HTML file (images embedded)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True)
    exporter.exclude_input = not with_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    atomic_write(out, body)


def write_index(built: list[tuple[str, str]]) -> Path:
    """reports/index.html linking every report in both languages."""
    items = "\n".join(
        f'<li>{html.escape(stem)}: <a href="{lang}/{html.escape(stem)}.html">{lang}</a> '
        f'(<a href="{lang}/{html.escape(stem)}.code.html">with code</a>)</li>'
        for stem, lang in built
    ) or "<li>No notebooks yet.</li>"
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>Guangdong technology market — reports</title></head>
<body><h1>广东技术市场 · Guangdong technology market 2016-2020</h1>
<ul>
{items}
</ul></body></html>
"""
    index = REPORTS_DIR / "index.html"
    atomic_write(index, page)
    return index


def build(only: list[str] | None = None, langs: list[str] | None = None) -> int:
    """Build the reports; return a process exit code (non-zero when any notebook failed)."""
    langs = list(langs or LANGS)
    chosen = [nb for nb in notebooks() if not only or nb.stem in only]
    unknown = set(only or []) - {nb.stem for nb in notebooks()}
    if unknown:
        print(f"unknown notebook(s): {sorted(unknown)}; known: {[nb.stem for nb in notebooks()]}", file=sys.stderr)
        return 2
    built, failed = [], []
    for nb in chosen:
        for lang in langs:
            t0 = time.perf_counter()
            executed = REPORTS_DIR / lang / f"{nb.stem}.ipynb"
            try:
                execute(nb, lang, executed)
                export_html(executed, REPORTS_DIR / lang / f"{nb.stem}.html", with_code=False)
                export_html(executed, REPORTS_DIR / lang / f"{nb.stem}.code.html", with_code=True)
            except Exception as err:  # keep building the others; report at the end
                failed.append((nb.stem, lang, err))
                print(f"  {nb.stem} [{lang}] failed: {str(err).splitlines()[-1] if str(err) else err!r}")
                continue
            built.append((nb.stem, lang))
            print(f"  {nb.stem} [{lang}] done in {time.perf_counter() - t0:.1f} s")
    index = write_index(built)
    print(f"{len(built)} report(s) built, {len(failed)} failed; index: {index.relative_to(PROJ_ROOT)}")
    return 1 if failed else 0

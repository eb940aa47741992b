"""The notebooks as a researcher uses them: in JupyterLab 4 with jupyterlab-myst, driven in
headless Chromium (Debian's, through the pinned Playwright; no browser is downloaded).

``make test-lab`` runs this file (``.ci/run`` calls it after ``make test``); ``make test`` skips it,
to keep its time budget. JupyterLab serves a scratch copy of the notebooks on 127.0.0.1 only, with
autosave off, every cell attached to the page (windowing off, so that what the test reads is
drawn) and no news fetched.

- Every notebook opens and runs all its cells: no error, every code cell executed; its outline
  (the table of contents) lists every heading of its prose; every ``{eval}`` expression is rendered
  with a value and none is left as text; and each value equals the result the committed notebook
  stores (the build's, :mod:`techmarket.site.expressions`), so JupyterLab and the build agree.
  The stored results are removed from the copies before they are opened, so every value shown
  comes from this run's kernel. jupyterlab-myst evaluates a Markdown cell's expressions after the
  cell is "run", in a request of its own whose reply can arrive after "run all" has returned: the
  test waits until every expression of every prose cell has its result (polling the notebook's
  model), never for a fixed time.
- The province in 06 and the language are changed in the parameters cell and the notebook is run
  again: tables, figures and prose follow (the results of the first run are cleared first, so the
  wait is for the new ones).
- A notebook copied under a new number and name (as the file browser copies and renames) runs in
  JupyterLab and in ``build --only`` without further edits.
- Screenshots of 02 and 06 after "run all", with the outline open, go beside the reports' in
  ``reports/screenshots/`` (``jupyterlab.02_economic_contribution.png``, ``jupyterlab.06_….png``).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from techmarket.data.paths import NOTEBOOKS_DIR, PROJ_ROOT
from techmarket.site.expressions import METADATA_KEY, expressions_in

from conftest import copy_project

pytestmark = pytest.mark.skipif(not os.environ.get("TECHMARKET_TEST_LAB"),
                                reason="JupyterLab in a browser: make test-lab (after make test in .ci/run)")

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJ_ROOT / "reports" / "screenshots"
SHOT = {"02_economic_contribution", "06_provincial_benchmarking"}
WAIT_S = 240  # the longest any wait may take; each returns as soon as its condition holds
CJK = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = {  # JupyterLab's user settings for the test
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _without_results(src: Path, dst: Path) -> None:
    """A copy of a notebook whose prose cells hold no stored expression results."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop(METADATA_KEY, None)
    nbformat.write(nb, dst)


class Lab:
    """A JupyterLab server on a scratch folder and one browser page on it."""

    def __init__(self, page, folder: Path):
        self.page, self.folder = page, folder

    def js(self, body: str, arg=None):
        """Run ``body`` (an async function body; ``app`` is JupyterLab, ``arg`` the argument)."""
        return self.page.evaluate(f"async (arg) => {{ const app = window.jupyterapp; {body} }}", arg)

    def open(self, name: str) -> None:
        self.js("""const w = await app.commands.execute('docmanager:open', {path: arg, factory: 'Notebook'});
                   await w.context.ready; await w.sessionContext.ready; app.shell.activateById(w.id);""", name)

    def close(self) -> None:
        self.js("""const w = app.shell.currentWidget; await w.sessionContext.shutdown(); w.dispose();""")

    def run_all(self) -> None:
        """Run every cell and wait until every expression of every prose cell has a result."""
        self.js("""const w = app.shell.currentWidget;
                   for (const c of w.content.widgets) { if (c.model.type === 'markdown') c.model.deleteMetadata(arg); }
                   await app.commands.execute('notebook:run-all-cells');""", METADATA_KEY)
        deadline = time.monotonic() + WAIT_S
        while True:
            missing = self.js("""const w = app.shell.currentWidget; const out = [];
                for (const c of w.content.widgets) {
                  if (c.model.type !== 'markdown') continue;
                  const src = c.model.sharedModel.getSource();
                  const have = new Set((c.model.getMetadata(arg) || []).map(e => e.expression));
                  for (const m of src.matchAll(/\\{eval\\}`([^`]*)`/g)) {
                    if (!have.has(m[1])) out.push(c.model.id + ': ' + m[1]);
                  }
                }
                const busy = w.sessionContext.session.kernel.status !== 'idle';
                return busy ? ['kernel busy'] : out;""", METADATA_KEY)
            if not missing:
                return
            assert time.monotonic() < deadline, f"expressions still without a result after {WAIT_S} s: {missing[:5]}"
            time.sleep(0.5)

    def notebook(self):
        """The open notebook as JupyterLab holds it (outputs and metadata of this run)."""
        return nbformat.from_dict(self.js("return app.shell.currentWidget.context.model.toJSON();"))

    def shown(self) -> dict:
        """What the page shows: the prose cells' text, expressions shown as errors or as code (no
        result), and the outline's entries."""
        self.js("await app.commands.execute('toc:show-panel');")

        self.page.wait_for_selector(".jp-TableOfContents-tree .jp-tocItem", timeout=WAIT_S * 1000)
        return self.page.evaluate("""() => {
            const md = Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell'));
            return {
              prose: md.map(e => e.innerText),
              errors: md.flatMap(e => Array.from(e.querySelectorAll(
                '[data-mime-type="application/vnd.jupyter.stderr"]'))).length,
              bare: md.flatMap(e => Array.from(e.querySelectorAll('code')).map(c => c.innerText)),
              outline: Array.from(document.querySelectorAll('.jp-TableOfContents-tree .jp-tocItem-content'))
                            .map(e => e.innerText.trim()),
            };
        }""")

    def screenshot(self, path: Path) -> None:
        self.js("const w = app.shell.currentWidget; w.content.activeCellIndex = 0; w.content.scrollToItem(0);")
        self.page.evaluate("document.querySelector('.jp-WindowedPanel-outer').scrollTop = 0")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)")
    base = tmp_path_factory.mktemp("jupyterlab")
    folder = base / "notebooks"
    folder.mkdir()
    for nb in NOTEBOOKS:
        _without_results(nb, folder / nb.name)
    for name, values in SETTINGS.items():
        (base / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (base / "settings" / name).write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
         "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={base / 'settings'}",
         f"--LabApp.workspaces_dir={base / 'workspaces'}", "--allow-root"],
        env=env, cwd=folder, stdout=(base / "server.log").open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (base / "server.log").read_text()
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/lab?token={token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=WAIT_S * 1000)
            page.evaluate("() => window.jupyterapp.started")
            yield Lab(page, folder)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def headings(nb) -> list[str]:
    """The prose's headings, as an outline shows them (without the #'s)."""
    return [line.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if re.match(r"#{1,6}\s", line)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_in_jupyterlab_with_its_outline_and_every_value_rendered(lab, path):
    lab.open(path.name)
    lab.run_all()
    nb, shown = lab.notebook(), lab.shown()
    if path.stem in SHOT:
        lab.screenshot(SCREENSHOTS / f"jupyterlab.{path.stem}.png")
    lab.close()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a code cell did not run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    committed = nbformat.read(path, as_version=4)
    stored = {c.id: c.metadata.get(METADATA_KEY) for c in committed.cells if c.cell_type == "markdown"}
    ran = {c.id: c.metadata.get(METADATA_KEY) for c in nb.cells if c.cell_type == "markdown"}
    assert ran == stored, "JupyterLab's values differ from those the build stored"
    assert not [s for s in shown["prose"] if "{eval}" in s], "an expression shown as text"
    assert shown["errors"] == 0, "an expression shown as an error"
    expressions = {e for c in nb.cells if c.cell_type == "markdown" for e in expressions_in(c.source)}
    bare = [b for b in shown["bare"] if b in expressions]
    assert not bare, f"expressions shown without their values: {bare}"
    # JupyterLab's outline reads a heading's source, not its rendering: a heading with an expression
    # (06: "Benchmark centred on {eval}`en.geo(province)`") is listed with the expression's source
    missing = [h for h in headings(nb) if not any(re.sub(r"\{eval\}`([^`]*)`", r"{eval}\1", h) == entry
                                                  for entry in shown["outline"])]
    assert not missing, f"headings missing from the outline: {missing}; outline: {shown['outline']}"


def test_changing_the_province_and_the_language_then_running_again(lab):
    lab.open("06_provincial_benchmarking.ipynb")
    lab.run_all()
    lab.js("""const cell = app.shell.currentWidget.content.model.cells.get(0);
              const src = cell.sharedModel.getSource();
              cell.sharedModel.setSource(src.replace('lang = "zh"', 'lang = "en"')
                                            .replace('province = "广东"', 'province = "江苏"'));""")
    lab.run_all()
    nb = lab.notebook()
    lab.close()
    assert 'province = "江苏"' in nb.cells[0].source and 'lang = "en"' in nb.cells[0].source
    texts = [o.data["text/plain"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
    assert any("Multiple of Jiangsu" in t for t in texts), "the tables did not follow the province"
    captions = [t for t in texts if t.startswith("[figure]")]
    assert captions and not [t for t in captions if CJK.search(t)], "the figures did not follow the language"
    values = [r["result"]["data"].get("text/plain", "") for c in nb.cells if c.cell_type == "markdown"
              for r in c.metadata.get(METADATA_KEY, [])]
    assert any("Jiangsu" in v for v in values) and any("江苏" in v for v in values), "the prose did not follow"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


def test_a_copied_notebook_runs_in_jupyterlab_and_in_the_build(lab, tmp_path):
    from techmarket.site.build import build
    from techmarket.site.plan import Project

    name = "09_my_structure.ipynb"
    lab.js("""const copy = await app.serviceManager.contents.copy('03_structure.ipynb', '');
              await app.serviceManager.contents.rename(copy.path, arg);""", name)
    lab.open(name)
    lab.run_all()
    nb = lab.notebook()
    lab.close()
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert all(c.metadata.get(METADATA_KEY) for c in nb.cells if c.cell_type == "markdown" and "{eval}" in c.source)
    project = copy_project(tmp_path / "project")
    shutil.copy(lab.folder / name, project / "notebooks" / name)  # as JupyterLab's file browser made it
    assert build(only=["09_my_structure"], project=Project(project)) == 0
    for lang in ("zh", "en"):
        page = (project / "reports" / lang / "09_my_structure.html").read_text(encoding="utf-8")
        assert "{eval}" not in page and "<title>03 " in page

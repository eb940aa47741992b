"""The built reports as a reader sees them: headless Chromium, network cut off.

Every page (index and every report in both languages) loads, every image decodes, the embedded
CJK font is used for Chinese, no request leaves the machine and no console error appears.
Screenshots of the index and of one report per language go to reports/screenshots/.

Chromium is Debian's package (/usr/bin/chromium; .ci/run installs it). Outside CI the test skips
when it is missing; in CI (CI set) a missing browser fails.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from techmarket.build import LANGS, Job, Project, build
from techmarket.fonts import WEB_FONT_FAMILY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def reports():
    if not CHROMIUM:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    project = Project()
    assert build(project=project) == 0  # incremental: a no-op when the reports are current
    return project


@pytest.fixture(scope="module")
def browser(reports):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def pages(project: Project) -> list[Path]:
    out = [project.reports_dir / "index.html"]
    for nb in project.notebooks():
        for lang in LANGS:
            o = Job(nb, lang).outputs(project)
            out += [o["html"], o["code"]]
    return out


def visit(browser, path: Path, screenshot: Path | None = None) -> dict:
    ctx = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    outside, errors = [], []

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready")
    info = page.evaluate("""(family) => ({
        images: Array.from(document.images).map(i => i.complete && i.naturalWidth > 0),
        cjkFont: document.fonts.check('16px "' + family + '"', '广东技术市场'),
        hasChinese: /[\\u4e00-\\u9fff]/.test(document.body.innerText),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
    })""", WEB_FONT_FAMILY)
    if screenshot:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    ctx.close()
    return {**info, "outside": outside, "errors": errors}


def test_every_page_loads_offline_with_images_and_font(browser, reports):
    shots = reports.reports_dir / "screenshots"
    chosen = {reports.reports_dir / "index.html": shots / "index.png",
              reports.reports_dir / "zh" / "01_scale.html": shots / "01_scale.zh.png",
              reports.reports_dir / "en" / "01_scale.html": shots / "01_scale.en.png"}
    problems = []
    for path in pages(reports):
        assert path.is_file(), path
        r = visit(browser, path, chosen.get(path))
        name = path.relative_to(reports.reports_dir)
        if r["outside"]:
            problems.append(f"{name}: requests left the machine: {r['outside']}")
        if r["errors"]:
            problems.append(f"{name}: console errors: {r['errors']}")
        if not all(r["images"]):
            problems.append(f"{name}: {r['images'].count(False)} image(s) did not decode")
        if r["hasChinese"] and not r["cjkFont"]:
            problems.append(f"{name}: the embedded CJK font is not available")
        if path.name == "index.html":
            missing = [h for h in r["links"] if not (path.parent / h).is_file()]
            if missing:
                problems.append(f"index links to missing files: {missing}")
    assert not problems, "\n".join(problems)
    for shot in chosen.values():
        assert shot.is_file() and shot.stat().st_size > 10_000


def test_reports_have_figures(browser, reports):
    r = visit(browser, reports.reports_dir / "en" / "02_economic_contribution.html")
    assert len(r["images"]) >= 1 and all(r["images"])


def test_the_check_would_see_a_request_leaving(browser, tmp_path):
    page = tmp_path / "leak.html"
    page.write_text('<html><body><img src="https://example.org/x.png"></body></html>', encoding="utf-8")
    r = visit(browser, page)
    assert r["outside"] == ["https://example.org/x.png"] and r["images"] == [False]

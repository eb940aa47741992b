"""The built reports as a reader sees them: headless Chromium, network cut off.

Every page (index and every report in both languages, with and without code; one test each)
loads, every image decodes, every Chinese character is drawn with the embedded CJK font (never a
fallback, in code too), no element is wider than a 1280 px window, no request leaves the machine
and no console error appears.
Screenshots of the index and of every report in both languages go to reports/screenshots/.

Chromium is Debian's package (/usr/bin/chromium; .ci/run installs it). Outside CI the test skips
when it is missing; in CI (CI set) a missing browser fails.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from techmarket.build_plan import LANGS
from techmarket.fonts import WEB_FONT_FAMILY
from techmarket.paths import NOTEBOOKS_DIR

CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1280  # the window every page must fit
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def reports(built_reports):
    if not CHROMIUM:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return built_reports


class Visitor:
    """One offline browser page that visits files: no request can leave the context; every
    request that tries is recorded, with console errors, per visit. (One page serves every visit:
    each navigation makes a new document, with its own fonts and images.)"""

    def __init__(self, browser):
        self.context = browser.new_context(offline=True, viewport={"width": WIDTH, "height": 900})
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: r.url.startswith(("file://", "data:")) or self.outside.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def chinese_not_in_embedded_font(self, limit: int = 12) -> list[str]:
        """Elements whose own Chinese characters are not all drawn with the embedded font (the
        browser's record of the fonts it used for each element's text). One element is asked
        per styling context (its tag, class and its parent's class: a table cell, a code span, a
        caption …), which is where a fallback would differ."""
        count = self.page.evaluate("""() => {
            const seen = new Set(); let n = 0;
            for (const el of document.body.querySelectorAll("*")) {
                if (["SCRIPT", "STYLE", "OPTION", "SELECT"].includes(el.tagName)) continue;
                const own = Array.from(el.childNodes).filter(c => c.nodeType === 3).map(c => c.nodeValue).join("");
                if (!/[\\u4e00-\\u9fff]/.test(own)) continue;
                const parent = el.parentElement ? el.parentElement.className : "";
                const key = el.tagName + "|" + el.className + "|" + parent;
                if (seen.has(key)) continue;
                seen.add(key); el.setAttribute("data-font-check", String(n++));
            }
            return n;
        }""")
        if not count:
            return []
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]
        found: list[str] = []
        marked = cdp.send("DOM.querySelectorAll", {"nodeId": root["nodeId"], "selector": "[data-font-check]"})
        for node_id in marked["nodeIds"]:
            own = cdp.send("DOM.resolveNode", {"nodeId": node_id})["object"]
            text = cdp.send("Runtime.callFunctionOn", {
                "objectId": own["objectId"], "returnByValue": True,
                "functionDeclaration": "function () { return Array.from(this.childNodes).filter(c => c.nodeType === 3)"
                                       ".map(c => c.nodeValue).join('') + '|' + this.tagName; }"})["result"]["value"]
            own_text, _, tag = text.rpartition("|")
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            embedded = sum(f["glyphCount"] for f in fonts if f["isCustomFont"])
            if embedded < len(CJK_CHARS.findall(own_text)):
                found.append(f"<{tag.lower()}> {own_text.strip()[:30]!r}: "
                             f"{[f['familyName'] for f in fonts if not f['isCustomFont']]}")
            if len(found) >= limit:
                break
        cdp.detach()
        return found

    def __call__(self, path: Path, screenshot: Path | None = None) -> dict:
        self.outside, self.errors = [], []
        page = self.page
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready")
        info = page.evaluate("""(family) => ({
            images: Array.from(document.images).map(i => i.complete && i.naturalWidth > 0),
            cjkFont: document.fonts.check('16px "' + family + '"', '广东技术市场'),
            hasChinese: /[\\u4e00-\\u9fff]/.test(document.body.innerText),
            links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
            width: document.documentElement.scrollWidth,
        })""", WEB_FONT_FAMILY)
        info["fallback"] = self.chinese_not_in_embedded_font()
        if screenshot:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        return {**info, "outside": self.outside, "errors": self.errors}


@pytest.fixture(scope="module")
def visit(reports):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield Visitor(browser)
        browser.close()


# every page of a build, relative to reports/: the index and, per notebook and language, the
# report without and with code (one test each, so that the suite's workers share them)
PAGES = ["index.html"] + [f"{lang}/{nb.stem}{variant}.html" for nb in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
                          for lang in LANGS for variant in ("", ".code")]
# a screenshot of the index and of every report without code, in both languages
SCREENSHOTS = {"index.html": "index.png"} | {p: p.removesuffix(".html").replace("/", ".") + ".png" for p in PAGES
                                             if not p.endswith(".code.html") and p != "index.html"}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_offline_with_images_and_font(visit, reports, page):
    path = reports.reports_dir / page
    assert path.is_file(), path
    shot = reports.reports_dir / "screenshots" / SCREENSHOTS[page] if page in SCREENSHOTS else None
    r = visit(path, shot)
    problems = []
    if r["outside"]:
        problems.append(f"requests left the machine: {r['outside']}")
    if r["errors"]:
        problems.append(f"console errors: {r['errors']}")
    if not all(r["images"]):
        problems.append(f"{r['images'].count(False)} image(s) did not decode")
    if r["hasChinese"] and not r["cjkFont"]:
        problems.append("the embedded CJK font is not available")
    if r["fallback"]:
        problems.append(f"Chinese drawn with another font than the embedded one: {r['fallback']}")
    if r["width"] > WIDTH:
        problems.append(f"the page is {r['width']} px wide, wider than a {WIDTH} px window")
    missing = [h for h in r["links"] if not (path.parent / h).is_file()]
    if page == "index.html" and missing:
        problems.append(f"links to missing files: {missing}")
    assert not problems, f"{page}: " + "; ".join(problems)
    assert shot is None or (shot.is_file() and shot.stat().st_size > 10_000)


def test_reports_have_figures(visit, reports):
    r = visit(reports.reports_dir / "en" / "02_economic_contribution.html")
    assert len(r["images"]) >= 1 and all(r["images"])


def test_the_check_would_see_a_request_leaving(visit, tmp_path):
    page = tmp_path / "leak.html"
    page.write_text('<html><body><img src="https://example.org/x.png"></body></html>', encoding="utf-8")
    r = visit(page)
    assert r["outside"] == ["https://example.org/x.png"] and r["images"] == [False]


def test_the_register_can_be_filtered_in_the_page(visit, reports):
    """The audit page's register narrows to the rows of a section and a verdict, with no request."""
    visit(reports.reports_dir / "en" / "08_claims_audit.html")
    page = visit.page
    rows = page.locator(".tm-filterable tbody tr")
    shown = page.locator(".tm-filterable tbody tr:not([hidden])")
    total = rows.count()
    page.locator("select[data-column]").nth(1).select_option("inconsistent")
    # the diagnosis names three inconsistent claims: S2.1-07, S2.1-08 and S2.2-12
    assert shown.count() == 3 and total > 200
    page.locator("select[data-column]").nth(0).select_option("2.2")
    assert shown.count() == 1 and "S2.2-12" in shown.first.inner_text()
    page.locator("select[data-column]").nth(1).select_option("")
    page.locator("select[data-column]").nth(0).select_option("")
    assert shown.count() == total


def test_the_font_check_would_see_a_fallback(visit, tmp_path):
    """Chinese in code drawn with a system font (no embedded face in the code font stack) is found."""
    page = tmp_path / "fallback.html"
    page.write_text('<html><head><meta charset="utf-8"><style>code{font-family:monospace}</style></head>'
                    "<body><p>text</p><code>x = 广东</code></body></html>", encoding="utf-8")
    r = visit(page)
    assert r["fallback"] and r["fallback"][0].startswith("<code> 'x = 广东'")

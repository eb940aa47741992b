"""Every page usable by everyone, as far as a machine can tell (a whole-site check: ``make test-site``).

axe-core (pinned in package.json, installed by ``make test-site`` with ``npm ci``) runs in Debian's
chromium, through the pinned Playwright, on every page of the build (the index, the data
dictionary, the data pages, every report with and without code in both languages, the three views
of the paper in both languages: 48 pages) with the rules tagged WCAG 2.0 and 2.1 A and AA and
best practice: no violation. Then every page again in a window 320 CSS px wide (WCAG 1.4.10,
reflow): the page does not scroll sideways, no text or image reaches past the window's right edge
unless it is inside a box that scrolls sideways (a wide table or code), and axe finds nothing at that
width either (a box that scrolls must take the keyboard's focus); and at 640 px, which is a 1280 px
window at 200 % zoom, the page does not scroll sideways. One browser serves every page.

Each check is shown to fail on pages with defects seeded into built pages.

Automated checks are not conformance: README.md ("Accessibility") records the keyboard walk.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from techmarket.data.paths import PROJ_ROOT
from techmarket.pages.paper_views import paper_text_path

from conftest import require_shared
from site_pages import every_page, need

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("browser-site")]  # one browser, one worker

AXE = PROJ_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]
NARROW, ZOOMED, WIDE = 320, 640, 1280  # CSS px: a phone; a 1280 px window at 200 %; a desktop window

RUN_AXE = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map(v => ({id: v.id, n: v.nodes.length, where: v.nodes[0].target.join(" "),
                                   why: v.nodes[0].failureSummary.split("\\n").slice(0, 2).join(" ")}));
}"""
# text or images past the window's right edge that no ancestor scrolls sideways (cut off, or the page scrolls)
PAST_THE_EDGE = """() => {
    const edge = document.documentElement.clientWidth + 1, out = [];
    const scrolls = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) return true; } return false; };
    for (const el of document.body.querySelectorAll("*")) {
        const text = Array.from(el.childNodes).some(c => c.nodeType === 3 && c.nodeValue.trim());
        if (!text && el.tagName !== "IMG") continue;
        const r = el.getBoundingClientRect();
        if (r.width > 1 && r.right > edge && !scrolls(el)) out.push(el.tagName.toLowerCase() + ": "
            + (el.textContent || el.getAttribute("alt") || "").trim().slice(0, 40));
    }
    return out.slice(0, 5);
}"""


@pytest.fixture(scope="module")
def browser():
    need(CHROMIUM, "Debian's chromium (apt-get install chromium)")
    need(AXE, f"axe-core ({AXE.relative_to(PROJ_ROOT)}: run make test-site, which runs npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Checker:
    """One offline page of one browser at one width; the page's own Content-Security-Policy is
    bypassed so that axe-core can be injected (the policy itself is checked in test_browser.py)."""

    def __init__(self, browser, width: int):
        self.context = browser.new_context(offline=True, bypass_csp=True, viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.axe = AXE.read_text(encoding="utf-8")

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.evaluate("document.fonts.ready")
        return self.page

    def violations(self, path: Path) -> list[str]:
        """axe-core's violations of the WCAG 2.0/2.1 A and AA rules and best practices on ``path``."""
        page = self.open(path)
        page.add_script_tag(content=self.axe)
        return [f"{v['id']} ×{v['n']} (first: {v['where']}: {v['why']})" for v in page.evaluate(RUN_AXE, TAGS)]

    def sideways(self, path: Path | None = None) -> list[str]:
        """What makes the page (already open, or ``path``) scroll sideways or cuts text off."""
        page = self.open(path) if path else self.page
        width, window = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        out = [f"the page is {width} px wide in a {window} px window"] if width > window else []
        return out + [f"past the right edge: {e}" for e in page.evaluate(PAST_THE_EDGE)]


@pytest.fixture(scope="module")
def pages(built_reports) -> list[Path]:
    found = every_page(built_reports.reports_dir)
    if not paper_text_path(built_reports).is_file():
        require_shared(paper_text_path(built_reports))  # without the paper's text, no annotated paper
    assert len(found) == 48, [p.name for p in found]
    return found


def check_all(pages: list[Path], reports: Path, check) -> dict[str, list[str]]:
    """``check(page)`` of every page: the problems of each page that has any, by its name."""
    found = {str(p.relative_to(reports)): check(p) for p in pages}
    return {name: problems for name, problems in found.items() if problems}


def test_every_page_passes_axe(browser, pages, built_reports):
    found = check_all(pages, built_reports.reports_dir, Checker(browser, WIDE).violations)
    assert not found, found


def test_every_page_reflows_at_320_px_and_passes_axe_there(browser, pages, built_reports):
    checker = Checker(browser, NARROW)
    found = check_all(pages, built_reports.reports_dir, lambda p: checker.violations(p) + checker.sideways())
    assert not found, found


def test_no_page_scrolls_sideways_at_200_percent_zoom(browser, pages, built_reports):
    found = check_all(pages, built_reports.reports_dir, Checker(browser, ZOOMED).sideways)
    assert not found, found


# --- the checks fail on seeded defects --------------------------------------------------------------------
def seeded(reports: Path, tmp_path: Path, name: str, edit) -> Path:
    """A built page with a defect: ``edit`` applied to the text of ``name``, written to ``tmp_path``
    (the page is self-contained: the checks need nothing beside it)."""
    page = tmp_path / Path(name).name
    page.write_text(edit((reports / name).read_text(encoding="utf-8")), encoding="utf-8")
    return page


def test_axe_finds_defects_seeded_into_built_pages(browser, built_reports, tmp_path):
    reports = built_reports.reports_dir
    checker = Checker(browser, WIDE)
    defects = {  # page, edit, the rule that must be reported
        "link-in-text-block": ("en/01_scale.html",
                               lambda t: t.replace("</style>", "a.tm-id{text-decoration:none !important}</style>", 1)),
        "landmark-one-main": ("erratum.html", lambda t: t.replace("<main>", "<div>").replace("</main>", "</div>")),
        "heading-order": ("erratum.html", lambda t: t.replace("<h2>", "<h3>").replace("</h2>", "</h3>")),
        "color-contrast": ("en/data/facts.html", lambda t: t.replace("</style>", "td{color:#aaa}</style>", 1)),
        "nested-interactive": ("en/data/facts.html", lambda t: t.replace("<td>", '<td role="button" tabindex="0">'
                                                                         '<a href="#x">x</a>', 1)),
    }
    for rule, (name, edit) in defects.items():
        found = checker.violations(seeded(reports, tmp_path, name, edit))
        assert any(v.startswith(rule + " ") for v in found), (rule, found)


def test_the_reflow_check_finds_a_page_that_scrolls_or_cuts_text_off(browser, built_reports, tmp_path):
    reports = built_reports.reports_dir
    checker = Checker(browser, NARROW)
    unboxed = seeded(reports, tmp_path, "en/data/releases.html",  # the table outside its scrolling box
                     lambda t: t.replace('class="tm-scroll"', 'class="x"'))
    assert any("the page is" in p for p in checker.sideways(unboxed)), checker.sideways(unboxed)
    clipped = seeded(reports, tmp_path, "en/03_structure.code.html",  # code cut off, as nbconvert's theme did
                     lambda t: t.replace("</style>", ".jp-InputArea-editor .highlight pre{white-space:pre !important}"
                                                     "</style>", 1))
    assert any(p.startswith("past the right edge: ") for p in checker.sideways(clipped)), checker.sideways(clipped)
    assert checker.sideways(reports / "en/03_structure.code.html") == []

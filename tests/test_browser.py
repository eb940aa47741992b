"""The built reports as a reader sees them: headless Chromium, network cut off.

Every page (index, every report in both languages with and without code, and the three views of
the paper in both languages; one test each) loads, every image decodes, every Chinese character is
drawn with the embedded CJK font (never a fallback, in code too), no element is wider than a
1280 px window, no request leaves the machine and no console error appears. The annotated paper
(built only when the paper's text is at ../shared/paper/ beside the project) is also used as a
reader would: Tab reaches a highlight's button and opens its note, Enter or Space moves into it,
Escape closes it, a link in the note moves to the figure it names, a click on a highlight opens its
note; printed, it hides the note and numbers each highlight.

Screenshots go to reports/screenshots/: the index (index.png), every report in both languages
(<lang>.<notebook>.png), the replication report and the erratum (<lang>.replication.png,
<lang>.erratum.png), the top of the annotated paper (<lang>.annotated_paper.top.png) and one of its
highlights with the note open (<lang>.annotated_paper.note.png); <lang> is en or zh.

Chromium is Debian's package (/usr/bin/chromium; .ci/run installs it). Outside CI the test skips
when it is missing; in CI (CI set) a missing browser fails.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from techmarket.data.paths import NOTEBOOKS_DIR
from techmarket.pages.fonts import WEB_FONT_FAMILY
from techmarket.pages.paper_pages import PAGES as VIEWS
from techmarket.pages.paper_pages import file_name
from techmarket.pages.paper_views import paper_text_path
from techmarket.site.plan import LANGS

from conftest import require_shared

# a whole-site check (every page, in a browser): make test-site, which .ci/run calls after make test
pytestmark = pytest.mark.site

CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 1280, 900  # the window every page must fit (in width)
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
        self.context = browser.new_context(offline=True, viewport={"width": WIDTH, "height": HEIGHT})
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

    def open(self, path: Path):
        """Start a visit: load ``path`` and its fonts; returns the page."""
        self.outside, self.errors = [], []
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.evaluate("document.fonts.ready")
        return self.page

    def __call__(self, path: Path, screenshot: Path | None = None) -> dict:
        page = self.open(path)
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
# and per language the views of the paper, each with a screenshot (of the annotated paper: its top); the
# annotated paper is built only when the paper's text is beside the project
VIEW_SHOTS = {file_name(stem, lang): f"{lang}.{stem}{'.top' if stem == 'annotated_paper' else ''}.png"
              for stem in VIEWS for lang in LANGS}
ANNOTATED = {file_name("annotated_paper", lang): lang for lang in LANGS}
PAGES += list(VIEW_SHOTS)
SCREENSHOTS |= VIEW_SHOTS


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_offline_with_images_and_font(visit, reports, page):
    if page in ANNOTATED:
        require_shared(paper_text_path(reports))
    path = reports.reports_dir / page
    assert path.is_file(), path
    shot = reports.reports_dir / "screenshots" / SCREENSHOTS[page] if page in SCREENSHOTS else None
    r = visit(path, shot)
    problems = []
    if r["outside"]:
        problems.append(f"requests left the machine: {r['outside']}")
    csp = [e for e in r["errors"] if "Content Security Policy" in e]
    if csp:
        problems.append(f"the page breaks its own Content-Security-Policy: {csp}")
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


def test_the_check_would_see_a_script_the_policy_refuses(visit, reports, tmp_path):
    """A page of the build with one script more, which its policy does not pin: the browser refuses
    it and says so (the check above would report it)."""
    built = (reports.reports_dir / "en" / "08_claims_audit.html").read_text(encoding="utf-8")
    page = tmp_path / "injected.html"
    page.write_text(built.replace("</body>", "<script>document.title = 'ran'</script></body>", 1), encoding="utf-8")
    r = visit(page)
    assert any("Content Security Policy" in e for e in r["errors"]), r["errors"]
    assert visit.page.title() != "ran"


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


# --- the annotated paper, used as a reader would -----------------------------------------------
NOTE_SHOWN = "S2.1-07"  # the highlight whose open note is screenshotted: an inconsistent figure
AFTER = "el => getComputedStyle(el, '::after').content"
DISPLAY = "el => getComputedStyle(el).display"


@pytest.fixture(params=list(ANNOTATED))
def annotated(visit, reports, request):
    """(page, lang): the annotated paper of a language, open at its top with no note shown."""
    require_shared(paper_text_path(reports))
    page = visit.open(reports.reports_dir / request.param)
    yield page, ANNOTATED[request.param]
    page.emulate_media(media="null")


def shown(text: str) -> str:
    return " ".join(text.split())


def note_of(page, claim: str) -> str:
    """The text of a claim's endnote, as the notes section at the end of the page shows it."""
    return shown(page.locator(f'.notes li[id="n-{claim}"]').inner_text())


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def button(claim: str) -> str:
    """The selector of the button that opens a claim's note (at the end of its highlight, id c-<claim>)."""
    return f'[id="b-{claim}"]'


def test_tab_reaches_a_highlight_that_opens_its_note_and_escape_closes_it(annotated, visit):
    page, _ = annotated
    pop = page.locator("#tm-pop")
    assert pop.is_hidden()
    for _ in range(200):
        page.keyboard.press("Tab")
        claim = page.evaluate("(el => el.matches('.hl-note') ? el.dataset.claim : '')(document.activeElement)")
        if claim:
            break
    else:
        pytest.fail("200 presses of Tab from the top did not reach a highlight")
    assert pop.is_visible(), f"the note of {claim} did not open when its highlight got the focus"
    assert page.evaluate("document.activeElement.closest('.hl[id]').id") == f"c-{claim}"  # at its highlight's end
    text = shown(pop.inner_text())
    assert claim in text and text == note_of(page, claim)
    page.keyboard.press("Escape")
    assert pop.is_hidden() and focused(page) == f"b-{claim}"
    assert not visit.errors and not visit.outside


def test_a_link_in_a_note_moves_to_the_highlight_it_names_and_opens_its_note(annotated, visit):
    page, _ = annotated
    # the first note with a link to another highlight (its first link is to itself) more than a window's height
    # away, so that following it must scroll
    claim, target = page.evaluate("""(height) => {
        const top = id => document.getElementById("c-" + id).getBoundingClientRect().top;
        for (const li of document.querySelectorAll(".notes > ol > li")) {
            const own = li.id.slice(2);
            for (const a of li.querySelectorAll("a.in")) {
                const other = a.getAttribute("href").slice(3);
                if (other !== own && Math.abs(top(other) - top(own)) > height) return [own, other];
            }
        }
        return ["", ""];
    }""", HEIGHT)
    assert claim, "no note links to a highlight a window's height away"
    pop = page.locator("#tm-pop")
    page.locator(button(claim)).focus()
    assert pop.is_visible() and shown(pop.inner_text()) == note_of(page, claim)
    pop.locator(f'a.in[href="#c-{target}"]').first.click()
    assert focused(page) == f"b-{target}"
    assert pop.is_visible() and shown(pop.inner_text()) == note_of(page, target)
    box = page.locator(f'[id="c-{target}"]').bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT, f"{target} was not scrolled into view: {box}"
    assert not visit.errors and not visit.outside


def test_printed_each_highlight_carries_its_note_number_and_the_popover_is_hidden(annotated, visit, tmp_path):
    page, lang = annotated
    first = page.locator(".hl[id]").first
    first.locator(":scope > .hl-note").focus()  # a note left open must not be printed
    pop = page.locator("#tm-pop")
    assert pop.is_visible() and first.get_attribute("data-n") == "1"
    on_screen = first.evaluate(AFTER)
    page.emulate_media(media="print")
    assert pop.evaluate(DISPLAY) == "none"
    assert page.locator(".hl-note").first.evaluate(DISPLAY) == "none"  # nor the buttons that open the notes
    assert first.evaluate(AFTER) == '"1"' != on_screen  # the number of its endnote
    notes = page.locator("section.notes")  # the endnotes, one per highlight, are printed
    assert notes.evaluate(DISPLAY) != "none"
    assert notes.locator(":scope > ol > li").count() == page.locator(".hl[id]").count()
    assert not visit.errors and not visit.outside
    if lang != "en":  # the PDF itself: once is enough (the print stylesheet is the same)
        return
    pdf = tmp_path / "annotated_paper.pdf"
    page.pdf(path=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000
    assert not visit.errors and not visit.outside


def test_a_highlight_with_its_note_open_is_screenshotted(annotated, reports, visit):
    """The note opens just below its highlight, inside the window; the screenshot shows both."""
    page, lang = annotated
    highlight, pop = page.locator(f'[id="c-{NOTE_SHOWN}"]'), page.locator("#tm-pop")
    highlight.evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -120); }")
    page.locator(button(NOTE_SHOWN)).focus()
    assert pop.is_visible() and NOTE_SHOWN in pop.inner_text()
    h, p = highlight.bounding_box(), pop.bounding_box()
    assert p["y"] >= h["y"] + h["height"] and 0 <= p["x"] and p["x"] + p["width"] <= WIDTH, (h, p)
    top, bottom = max(0, h["y"] - 80), min(HEIGHT, p["y"] + p["height"] + 20)
    shot = reports.reports_dir / "screenshots" / f"{lang}.annotated_paper.note.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shot, clip={"x": 0, "y": top, "width": WIDTH, "height": bottom - top})
    assert shot.stat().st_size > 10_000
    assert not visit.errors and not visit.outside


def test_enter_moves_into_a_note_tab_goes_through_its_links_and_on_escape_returns(annotated, visit):
    page, _ = annotated
    pop = page.locator("#tm-pop")
    claim = "S2.1-07"  # a note with several links (register, inputs, erratum, report)
    page.locator(button(claim)).focus()
    links = pop.locator("a[href]").count()
    assert links >= 3
    page.keyboard.press("Enter")
    inside = "document.getElementById('tm-pop').contains(document.activeElement)"
    assert page.evaluate(inside), "Enter did not move the focus into the note"
    for _ in range(links - 1):
        page.keyboard.press("Tab")
        assert page.evaluate(inside), "Tab left the note before its last link"
    page.keyboard.press("Tab")  # past the last link: on to the next highlight, whose note opens
    after = page.evaluate("document.activeElement.dataset.claim")
    order = page.evaluate("Array.from(document.querySelectorAll('.hl-note'), el => el.dataset.claim)")
    assert after == order[order.index(claim) + 1]
    assert shown(pop.inner_text()) == note_of(page, after)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # from inside the note: closed, back on its highlight, and it stays closed
    assert pop.is_hidden() and focused(page) == f"b-{after}"
    assert not visit.errors and not visit.outside


def test_space_opens_a_note_too_a_click_on_the_highlight_opens_it_and_the_focus_is_seen(annotated, visit):
    """Space does what Enter does; a click anywhere on a highlight opens its note and puts the focus
    on its button; the highlight is outlined while its button has the focus (the button of a figure
    that holds shows no glyph, so the outline is what a sighted keyboard user sees)."""
    page, _ = annotated
    pop = page.locator("#tm-pop")
    claim = "S2.1-03"  # a figure that holds: its button shows nothing of its own
    assert "bare" in page.locator(button(claim)).get_attribute("class")
    page.locator(button(claim)).focus()
    highlight = page.locator(f'[id="c-{claim}"]')
    assert highlight.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert page.locator(button(claim)).get_attribute("aria-expanded") == "true"
    page.keyboard.press(" ")
    assert page.evaluate("document.getElementById('tm-pop').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert pop.is_hidden() and focused(page) == f"b-{claim}"
    assert page.locator(button(claim)).get_attribute("aria-expanded") == "false"
    assert highlight.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.locator("h1").click()  # away from the highlight: no outline
    assert highlight.evaluate("el => getComputedStyle(el).outlineStyle") == "none"
    other = page.evaluate("""() => Array.from(document.querySelectorAll(".hl[id]")).find(el =>
        !el.querySelector(".hl") && el.getClientRects().length === 1 && el.id !== "c-S2.1-03").dataset.claim""")
    page.locator(f'[id="c-{other}"]').click()  # a highlight with none inside it, on one line
    assert pop.is_visible() and focused(page) == f"b-{other}" and shown(pop.inner_text()) == note_of(page, other)
    assert not visit.errors and not visit.outside


def test_a_note_near_the_bottom_of_the_window_opens_above_its_highlight(annotated):
    page, _ = annotated
    page.locator(button("S2.1-07")).focus()
    page.evaluate("""() => {  // scroll so that the highlight sits near the bottom of the window
        const el = document.getElementById("c-S2.1-07"), b = document.getElementById("b-S2.1-07");
        window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 20);
        b.blur(); b.focus({preventScroll: true});
    }""")
    pop = page.locator("#tm-pop").bounding_box()
    mark = page.locator('[id="c-S2.1-07"]').bounding_box()
    assert pop["y"] + pop["height"] <= mark["y"], (pop, mark)
    assert pop["y"] >= 0

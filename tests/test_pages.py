"""What surrounds each report: title and language, header and footer, ids linked to the data
pages, numbers right-aligned; the data pages; and, on the built reports, that every page has a
title and language, every figure its caption as alt text, every id a link, and every link a target."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from techmarket.pages.paper_pages import PAGES as VIEWS
from techmarket.pages.shell import ID_RE, Page, align_numbers, footer_html, header_html, ids_used, link_ids, title_of
from techmarket.site.plan import LANGS


def test_link_ids_links_visible_ids_only():
    page = ('<html><head><title>S2.1-03</title><style>.S2.1-03{}</style></head><body>'
            '<p>see S2.1-03, EXT-110 and D-10; <a href="x">T1-06</a> C-01x S2.1-031</p>'
            '<script>var a = "C-01";</script></body></html>')
    out = link_ids(page)
    assert '<a class="tm-id" href="data/facts.html#S2.1-03">S2.1-03</a>' in out
    assert '<a class="tm-id" href="data/releases.html#EXT-110">EXT-110</a>' in out
    assert '<a class="tm-id" href="data/derived.html#D-10">D-10</a>' in out
    assert '<title>S2.1-03</title>' in out and 'var a = "C-01"' in out and '<a href="x">T1-06</a>' in out
    assert "C-01x" in out and "S2.1-031" in out and out.count("tm-id") == 3  # not parts of longer words
    # Chinese has no spaces: an id right after or before a Chinese character is still an id
    assert link_ids("<p>不再成立的有S2.2-14、S2.2-15年</p>").count('class="tm-id"') == 2


def test_align_numbers_marks_only_all_numeric_columns():
    table = ('<table class="tm-table"><thead><tr><th>Item</th><th>Paper</th><th>Range</th><th>Verdict</th></tr>'
             '</thead><tbody><tr><td>a</td><td>3.13 %</td><td>[2.140, 2.160]</td><td>✓ consistent</td></tr>'
             '<tr><td>b</td><td>110760.94 亿元</td><td>—</td><td>✗</td></tr></tbody></table>')
    out = align_numbers(table)
    cells = re.findall(r'<t[hd]( class="num")?>([^<]*)<', out)
    assert [text for cls, text in cells if cls] == ["Paper", "Range", "3.13 %", "[2.140, 2.160]", "110760.94 亿元", "—"]


def test_header_and_footer_link_the_other_language_variant_and_ids():
    page = Page("06_provincial_benchmarking.province-江苏", "en", "06 Provincial benchmarking", "data SHA-256 ab",
                ("S2.1-03", "EXT-110"))
    head = header_html(page, with_code=False)
    assert 'href="../index.html"' in head and 'href="../zh/06_provincial_benchmarking.province-江苏.html"' in head
    assert 'href="06_provincial_benchmarking.province-江苏.code.html"' in head and ">with code<" in head
    assert 'href="../zh/06_provincial_benchmarking.province-江苏.code.html"' in header_html(page, with_code=True)
    foot = footer_html(page)
    assert 'href="data/facts.html#S2.1-03"' in foot and 'href="data/releases.html#EXT-110"' in foot
    assert "data/paper/facts.csv" in foot and "data SHA-256 ab" in foot


def test_title_and_ids_come_from_the_executed_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('ctx.value("S2.1-03")'), nbformat.v4.new_code_cell("x")]
    shown = {"text/markdown": "# 01 Scale (§2.1)\n\nT1-06 and C-01"}
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", shown)]
    assert title_of(nb, "fallback") == "01 Scale (§2.1)"
    assert ids_used(nb) == ("S2.1-03", "T1-06", "C-01")
    assert title_of(nbformat.v4.new_notebook(), "fallback") == "fallback"


# --- the built reports ---------------------------------------------------------------------------
def _pages(reports: Path) -> list[Path]:
    """Every report and data page, and the views of the paper at the top of reports/."""
    views = [p for p in reports.glob("*.html") if p.name.split(".")[0] in VIEWS]
    return sorted([*(p for lang in LANGS for p in (reports / lang).rglob("*.html")), *views])


def _lang(path: Path, reports: Path) -> str:
    """A page's language: its folder's, or for a view of the paper its name's (``.zh.html``)."""
    if path.parent == reports:
        return "zh" if path.name.endswith(".zh.html") else "en"
    return path.relative_to(reports).parts[0]


@pytest.fixture(scope="module")
def reports_dir(built_reports) -> Path:
    return built_reports.reports_dir


@pytest.mark.site  # every built page: make test-site
def test_every_report_has_its_title_and_language(reports_dir):
    for path in _pages(reports_dir):
        text = path.read_text(encoding="utf-8")
        lang = _lang(path, reports_dir)
        assert re.search(rf'<html[^>]*\blang="{lang}"', text), path
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1).strip()
        assert title and title != "Notebook", path
        if "/data/" not in path.as_posix():
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)
            assert title in re.sub(r"<[^>]+>", "", heading), (path, title)


@pytest.mark.site  # every built page: make test-site
def test_every_figure_has_its_caption_as_alt_text(reports_dir):
    for path in _pages(reports_dir):
        for alt in re.findall(r"<img[^>]*\balt=\"([^\"]*)\"", path.read_text(encoding="utf-8")):
            assert alt.strip() and "No description" not in alt, path


@pytest.mark.site  # every built page: make test-site
def test_every_id_shown_is_a_link_and_every_link_has_a_target(reports_dir):
    anchors: dict[Path, set[str]] = {}

    def targets(path: Path) -> set[str]:
        if path not in anchors:
            anchors[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
        return anchors[path]

    for path in [*_pages(reports_dir), reports_dir / "index.html", reports_dir / "data_dictionary.html"]:
        text = path.read_text(encoding="utf-8")
        body = re.sub(r"<(script|style|head|title)\b.*?</\1>", "", text, flags=re.S)
        visible = re.sub(r"<(a|button)\b[^>]*>.*?</\1>", "", body, flags=re.S)  # a control's name is not linked
        unlinked = [m for m in ID_RE.findall(re.sub(r"<[^>]+>", " ", visible))]
        assert not unlinked, (path, unlinked[:5])
        for href in re.findall(r'<a\b[^>]*\bhref="([^"#:]*)(#[^"]*)?"', text):
            file, anchor = href
            target = (path.parent / file).resolve() if file else path
            assert target.is_file(), (path, file)
            if anchor:
                assert anchor[1:] in targets(target), (path, file + anchor)


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SNAKE = re.compile(r"(?<![/\w.])[a-z]+(?:_[a-z0-9]+)+\b(?!\.[a-z]{2,4}\b)")  # not a file name or a path
PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w.:]*\}")


def language_problems(page_html: str, lang: str) -> list[str]:
    """Visible text (outside code, scripts and styles) that breaks the page's language: Chinese
    outside a ``lang="zh"`` element on an English page, a snake_case identifier, an unfilled
    placeholder."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    for hidden in soup(["script", "style", "head", "code", "pre"]):
        hidden.decompose()
    for code in soup.select(".jp-InputArea"):
        code.decompose()
    out = []
    for node in soup.find_all(string=True):
        text = str(node)
        if not text.strip() or text.strip().startswith("http"):
            continue
        quoted = any(getattr(p, "get", lambda *_: None)("lang") == "zh" for p in node.parents)
        if lang == "en" and CJK.search(text) and not quoted:
            out.append(f"Chinese outside a quotation: {text.strip()[:60]!r}")
        for pattern, what in ((SNAKE, "identifier"), (PLACEHOLDER, "placeholder")):
            m = pattern.search(text)
            if m:
                out.append(f"{what} {m.group(0)!r} in {text.strip()[:60]!r}")
    return out


def test_language_scan_finds_what_it_should():
    assert language_problems('<p>Turnover 3.13 <span>万元</span></p>', "en") == [
        "Chinese outside a quotation: '万元'"]
    assert language_problems('<p><q lang="zh">技术</q> rose; see data/external/official_releases.csv</p>', "en") == []
    assert language_problems("<p>类型 pp_change，{years}年</p>", "zh") == [
        "identifier 'pp_change' in '类型 pp_change，{years}年'", "placeholder '{years}' in '类型 pp_change，{years}年'"]
    assert language_problems("<p><code>first_if_over_half(x)</code></p>", "zh") == []


@pytest.mark.site  # every built page: make test-site
def test_every_page_is_in_its_language(reports_dir):
    """Every page without code, the index (Chinese, English marked) and the data dictionary (English) too."""
    problems = {}
    langs = {reports_dir / "index.html": "zh", reports_dir / "data_dictionary.html": "en"}
    langs |= {p: _lang(p, reports_dir) for p in _pages(reports_dir) if not p.name.endswith(".code.html")}
    assert all(p.is_file() for p in langs)
    for path, lang in langs.items():
        found = language_problems(path.read_text(encoding="utf-8"), lang)
        if found:
            problems[str(path.relative_to(reports_dir))] = found[:3]
    assert not problems, problems


def test_the_index_lists_each_report_and_each_variant_by_title(tmp_path):
    """A report built with -p (06 for 江苏) is listed under its notebook with its parameters."""
    import shutil

    from techmarket.data.paths import PROJ_ROOT
    from techmarket.site.index import write_index
    from techmarket.site.plan import Project

    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "06_provincial_benchmarking.ipynb").write_text("{}", encoding="utf-8")
    (root / "data").mkdir()
    shutil.copy(PROJ_ROOT / "requirements.lock", root / "requirements.lock")
    for lang, title in (("zh", "06 主要省市对标"), ("en", "06 Provincial benchmarking")):
        (root / "reports" / lang).mkdir(parents=True)
        for name in ("06_provincial_benchmarking", "06_provincial_benchmarking.province-江苏"):
            (root / "reports" / lang / f"{name}.html").write_text(f"<title>{title}</title>", encoding="utf-8")
    text = write_index(Project(root), None).read_text(encoding="utf-8")
    variant = 'href="en/06_provincial_benchmarking.province-江苏.html">06 Provincial benchmarking · province 江苏</a>'
    assert variant in text
    assert 'href="zh/06_provincial_benchmarking.html">06 主要省市对标</a>' in text
    assert "Ten-province benchmark" in text  # its description


def test_the_theme_css_loses_only_its_invalid_declarations():
    """nbconvert's theme CSS: the four declarations the Nu Html Checker rejects go (or become what
    browsers make of them); the rest of the head and the body are unchanged."""
    from techmarket.site.export import valid_theme_css

    head = ("<html><head><style>\n.a {\n  color: red;\n}\n\n"
            ".jp-scrollbar-tiny::-webkit-scrollbar-track:horizontal {\n  border-left: 0 solid transparent;\n}\n\n"
            ".jp-scrollbar-tiny::-webkit-scrollbar-track:vertical {\n  border-top: 0 solid transparent;\n}\n\n"
            ".b {\n  box-shadow: '0px 4px 4px rgba(0, 0, 0, 0.25)';\n}\n.c {\n  overflow: overlay;\n}\n</style></head>")
    body = "<body><pre>overflow: overlay;</pre></body></html>"  # a notebook's text is not CSS
    out = valid_theme_css(head + body)
    assert out == ("<html><head><style>\n.a {\n  color: red;\n}\n\n\n\n.b {\n}\n.c {\n  overflow: auto;\n}\n"
                   "</style></head>" + body)


def test_the_data_dictionary_marks_chinese_and_shows_column_names_as_code():
    from techmarket.site.data_site import _in_running_text

    rendered = ('<h2 id="增长">增长 growth</h2><p>from base_year to year ("年均增长X%"), see '
                '<a href="data/paper/facts.csv">facts.csv</a></p><p><code>base_year</code> <code>倍</code></p>')
    assert _in_running_text(rendered) == (
        '<h2 id="增长"><span lang="zh">增长</span> growth</h2><p>from <code>base_year</code> to year '
        '("<span lang="zh">年均增长</span>X%"), see <a href="data/paper/facts.csv">facts.csv</a></p>'
        '<p><code>base_year</code> <code><span lang="zh">倍</span></code></p>')

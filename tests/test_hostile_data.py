"""Any text in any cell of data/ stays text on every page (issue: text from data/ must never become
live markup or reach outside the project). Tested by kind, not by example, with one build of all
the payloads at once (a whole-site check: ``make test-site``, which .ci/run calls after ``make test``).

In a scratch copy of the project, every free-text column of every table gets hostile strings of
each kind (script tags, event-handler attributes, ``javascript:`` and ``data:`` addresses,
entity-encoded variants, closing tags, quotes and backslashes, Markdown links), spans included
(changed alike in the facts, the claims and a copy of the paper's text, so that the annotated
paper is built too), and new releases carry hostile publishers. The copy builds every page (the
notebooks run against the copy's data: its ``lib`` is first on the import path), and each page is
parsed with an HTML parser: no script but the package's own inline scripts (each pinned by the
page's Content-Security-Policy), no event-handler attribute, no link or source with another
scheme than http(s), data: images or a relative address, no frame, object, form or base. The data
pages show the hostile text as text. Columns whose values the schema constrains (ids, areas and
other enums, patterns, numbers) refuse such strings; that is checked in tests/test_bad_input.py,
tests/test_hostile_input.py and tests/test_untrusted_data.py.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from techmarket.data.paths import SHARED_PAPER
from techmarket.pages.shell import content_security_policy

from conftest import copy_project, read_rows, require_shared, write_rows

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("hostile-site")]  # one build, one worker

PAYLOADS = [
    "<script>alert('tm-xss')</script>",
    "<img src=x onerror=alert('tm-xss')>",
    '"><svg onload=alert(\'tm-xss\')>',
    "javascript:alert('tm-xss')",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;script&gt;alert('tm-xss')&lt;/script&gt;",
    "</td></tr></table></div><script>alert('tm-xss')</script>",
    "' onmouseover='alert(`tm-xss`)' x='",
    '\\"><a href=javascript:alert(\'tm-xss\')>tm</a>\\',
    "[tm](javascript:alert('tm-xss')) ![tm](data:image/svg+xml,<svg onload=alert('tm-xss')>)",
    "<iframe src=javascript:alert('tm-xss')></iframe><form action=https://evil.example><input></form>",
    "<base href=https://evil.example/><meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
]
ADDRESSES = ["javascript:alert('tm-xss')", "data:text/html,<script>alert('tm-xss')</script>",
             "JaVaScRiPt:alert('tm-xss')", "https://example.org/\"><script>alert('tm-xss')</script>"]
NO_SEPARATOR = [p for p in PAYLOADS if ";" not in p]  # for the items a count claim lists (';' separates them)
FREE_TEXT = {  # columns no schema rule constrains and no route computes with
    "facts": ["note"],
    "claims": ["paraphrase_en"],
    "official_releases": ["publisher", "excerpt", "note"],
}
FILES = {"facts": "data/paper/facts.csv", "claims": "data/paper/claims.csv",
         "official_releases": "data/external/official_releases.csv"}


def _payload(i: int, kinds: list[str] = PAYLOADS) -> str:
    return kinds[i % len(kinds)]


def _edit(path: Path, edit) -> None:
    rows = read_rows(path)
    edit(rows[0], rows[1:])
    write_rows(path, rows)


def _lone_spans(facts: list[dict], claims: list[dict], paper: str) -> list[str]:
    """Facts' spans printed once in the paper, where no other span overlaps them: a payload after
    them leaves every other span as it is."""
    spans = {r["span"] for r in facts} | {r["span"] for r in claims}
    where = {s: [(m.start(), m.end()) for m in re.finditer(re.escape(s), paper)] for s in spans}
    lone = []
    for s in sorted({r["span"] for r in facts}):
        if len(where[s]) == 1:
            a, b = where[s][0]
            if not any(o != s and any(x < b and a < y for x, y in where[o]) for o in spans):
                lone.append(s)
    return lone


def hostile_copy(root: Path, paper_text: str) -> Path:
    """A copy of the project under ``root`` with hostile text in every free-text column, and the
    paper's text, changed alike, beside it; returns the project's folder."""
    project = copy_project(root / "project")
    data = {name: project / rel for name, rel in FILES.items()}
    with data["facts"].open(encoding="utf-8", newline="") as fh:
        facts = list(csv.DictReader(fh))
    with data["claims"].open(encoding="utf-8", newline="") as fh:
        claims = list(csv.DictReader(fh))
    changed = {s: s + _payload(i) for i, s in enumerate(_lone_spans(facts, claims, paper_text))}
    for name, columns in FREE_TEXT.items():
        def edit(header, rows, columns=columns, name=name):
            for i, row in enumerate(rows):
                for column in columns:
                    cell = header.index(column)
                    row[cell] = f"{row[cell]} {_payload(i + cell)}".strip()
                if "span" in header and row[header.index("span")] in changed:
                    row[header.index("span")] = changed[row[header.index("span")]]
                if name == "claims" and row[header.index("items")]:
                    items = row[header.index("items")].split(";")
                    row[header.index("items")] = ";".join([items[0] + _payload(i, NO_SEPARATOR), *items[1:]])
                if name == "official_releases":
                    row[header.index("retrieved_from")] = _payload(i, ADDRESSES)
            if name == "official_releases":  # new releases, each from a hostile publisher
                template = rows[0]
                for i, p in enumerate(PAYLOADS):
                    new = list(template)
                    new[header.index("publisher")] = f"tm {p}"
                    new[header.index("year")] = str(2000 + i)
                    rows.append(new)
        _edit(data[name], edit)
    for span, new in changed.items():
        paper_text = paper_text.replace(span, new, 1)
    paper = root / "shared" / SHARED_PAPER.relative_to(SHARED_PAPER.parents[1])
    paper.parent.mkdir(parents=True)
    paper.write_text(paper_text, encoding="utf-8")
    return project


class Page(HTMLParser):
    """What a browser would make live on a page."""

    LINKS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "frame", "object", "embed", "form", "base", "applet"):
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        for key, value in attrs:
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...>")
            if key in self.LINKS and value is not None:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                ok = scheme is None or scheme.group(1).lower() in ("http", "https") or (
                    scheme.group(1).lower() == "data" and tag == "img" and value.startswith("data:image/png"))
                if not ok:
                    self.problems.append(f"<{tag} {key}={value[:40]!r}>")
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")
            if any(k == "src" for k, _ in attrs):
                self.problems.append("<script src>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    paper_text = require_shared(SHARED_PAPER).read_text(encoding="utf-8")
    root = tmp_path_factory.mktemp("hostile")
    project = hostile_copy(root, paper_text)
    env = {**os.environ, "PYTHONPATH": str(project / "lib")}  # the notebooks read the copy's data
    done = subprocess.run([sys.executable, "-m", "techmarket", "build"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    yield project
    shutil.rmtree(root, ignore_errors=True)


def _own_scripts() -> set[str]:
    """The package's own inline scripts: what lib/ writes (the register's filter, the notes)."""
    from techmarket.notebook.report import FILTER_SCRIPT
    from techmarket.pages.annotated_paper import ASSETS

    notes = (ASSETS / "notes.js").read_text(encoding="utf-8")
    filter_body = re.search(r"<script>(.*)</script>", FILTER_SCRIPT, re.S).group(1)
    return {filter_body, "\n" + notes}


def test_every_page_shows_hostile_data_as_text(hostile_site):
    pages = sorted((hostile_site / "reports").rglob("*.html"))
    names = {p.relative_to(hostile_site / "reports").as_posix() for p in pages}
    assert {"index.html", "annotated_paper.html", "erratum.zh.html", "en/data/releases.html",
            "zh/01_scale.html", "en/08_claims_audit.code.html"} <= names, sorted(names)
    own = _own_scripts()
    problems = {}
    for path in pages:
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        found = list(page.problems)
        found += [f"a script that is not the package's own: {s[:60]!r}" for s in page.scripts if s not in own]
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        if policy is None or policy.group(1) != content_security_policy(text):
            found.append("no Content-Security-Policy pinning exactly its scripts")
        if found:
            problems[path.relative_to(hostile_site / "reports").as_posix()] = found
    assert not problems, problems


def test_the_data_pages_show_every_payload_as_text(hostile_site):
    for lang in ("en", "zh"):
        releases = Page((hostile_site / "reports" / lang / "data" / "releases.html").read_text(encoding="utf-8"))
        shown = "".join(releases.text)
        missing = [p for p in PAYLOADS + ADDRESSES if p not in shown]
        assert not missing, (lang, missing)
        facts = "".join(Page((hostile_site / "reports" / lang / "data" / "facts.html").read_text("utf-8")).text)
        assert PAYLOADS[0] in facts and PAYLOADS[6] in facts

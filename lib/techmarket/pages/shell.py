"""What every report page has around the notebook: a real title and language, a header (back to
the index, the same report in the other language, with and without code), a footer (the data
files and ids it uses, the build's identity), alt text on its figures, and every id it shows as a
link to its entry on the data pages; and the one style sheet of every page the package writes
(``style.css`` beside this module).

Pure functions over a notebook and HTML text; :mod:`techmarket.site.export` calls them.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from techmarket.data.i18n import tr
from techmarket.pages.untrusted import escape

# an id stands alone between other ASCII letters and digits (C-01x and S2.1-031 are not ids), but may touch
# Chinese text, which has no spaces: "不再成立的有S2.2-14、"
ID_RE = re.compile(r"(?<![A-Za-z0-9_.-])(?:(?:S[1-5](?:\.[1-6])?|T1|F2)-\d{2}|C-\d{2}|D-\d{2}|EXT-\d{3})"
                   r"(?![A-Za-z0-9_-])")
DATA_PAGES = {"S": "facts", "T": "facts", "F": "facts", "C": "claims", "D": "derived", "E": "releases"}
DATA_FILES = ("data/paper/facts.csv", "data/paper/claims.csv", "data/external/official_releases.csv")
NOT_LINKED = {"a", "script", "style", "title", "head"}
STYLE_SHEET = Path(__file__).with_name("style.css")


@cache
def style_sheet() -> str:
    """The package's one style sheet (``pages/style.css``), which every page it writes embeds."""
    return STYLE_SHEET.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Page:
    """Where a report page sits and what it says about itself."""

    name: str  # file stem, e.g. 06_provincial_benchmarking.province-江苏
    lang: str
    title: str
    identity: str  # what build made it: data and code hashes
    ids: tuple[str, ...]  # the fact, claim, derived and release ids the report uses or shows


def scroll_box(table_html: str, label: str) -> str:
    """A table in a box of its own that scrolls sideways when the table is wider than the window, so
    that the page never does (WCAG 1.4.10): a region named ``label`` (text, escaped here) that takes
    the keyboard's focus, so that the arrow keys scroll it."""
    return f'<div class="tm-scroll" role="region" aria-label="{escape(label)}" tabindex="0">{table_html}</div>'


def data_href(ident: str, folder: str = "data/") -> str:
    """Where an id's entry is, relative to a report of ``reports/<lang>/`` (from a data page
    itself, ``folder`` is empty)."""
    return f"{folder}{DATA_PAGES[ident[0]]}.html#{ident}"


def title_of(nb, fallback: str) -> str:
    """A report's title: its first Markdown heading (``# 08 Claims audit``), as shown: in a Markdown
    cell or a Markdown output."""
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else []
        texts += [out.get("data", {}).get("text/markdown", "") for out in cell.get("outputs", [])]
        for text in texts:
            m = re.match(r"#\s+(.+)", text)
            if m:
                return m.group(1).strip()
    return fallback


def ids_used(nb) -> tuple[str, ...]:
    """Every id a report's code or prose reads or its outputs show, sorted."""
    texts = [cell.source for cell in nb.cells if cell.cell_type in ("code", "markdown")]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts += [v for k, v in out.get("data", {}).items() if k.startswith("text/") and isinstance(v, str)]
    return tuple(sorted(set(ID_RE.findall("\n".join(texts))), key=_id_order))


def _id_order(ident: str) -> tuple:
    head, _, num = ident.rpartition("-")
    return ("SFTCDE".index(head[0]) if head[0] in "SFTCDE" else 9, head, int(num))


def header_html(page: Page, with_code: bool) -> str:
    """The page's header: links to the index, the same report in the other language, and the other
    variant (the template puts it before the page's ``main``, the footer after it)."""
    other = "en" if page.lang == "zh" else "zh"
    variant = f"{page.name}.html" if with_code else f"{page.name}.code.html"
    label = tr(page.lang, "报告导航", "Report navigation")
    return (f'<header class="tm-header"><nav class="tm-nav" aria-label="{label}">'
            f'<a href="../index.html">{tr(page.lang, "← 全部报告", "← All reports")}</a>'
            f'<a href="../{other}/{escape(page.name)}.{"code." if with_code else ""}html" lang="{other}" '
            f'hreflang="{other}">{"English" if other == "en" else "中文"}</a>'
            f'<a href="{escape(variant)}">'
            f'{tr(page.lang, "不含代码" if with_code else "含代码", "without code" if with_code else "with code")}</a>'
            "</nav></header>")


def footer_html(page: Page) -> str:
    """The data files and ids the report uses, and the build's identity."""
    files = ", ".join(f"<code>{f}</code>" for f in DATA_FILES)
    ids = " ".join(f'<a href="{data_href(i)}">{i}</a>' for i in page.ids)
    return (f'<footer class="tm-footer"><p>{tr(page.lang, "数据文件", "Data files")}: {files}</p>'
            f'<p>{tr(page.lang, "本报告使用的编号", "Ids this report uses")}: {ids or "—"}</p>'
            f'<p>{tr(page.lang, "构建", "Build")}: {escape(page.identity)}</p></footer>')


TAG_RE = re.compile(r"(<!--.*?-->|<[^>]+>)", re.S)
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")


def link_ids(page_html: str, folder: str = "data/") -> str:
    """Every id in the visible text (outside links, scripts, styles and the head) as a link to
    its entry on the data pages (in ``folder``, relative to the page: :func:`data_href`)."""
    out, inside = [], 0  # inside: how many elements that must not get links are open
    for piece in TAG_RE.split(page_html):
        if piece.startswith("<"):
            m = TAG_NAME.match(piece)
            if m and m.group(2).lower() in NOT_LINKED and not piece.endswith("/>"):
                inside += -1 if m.group(1) else 1
                inside = max(inside, 0)
            out.append(piece)
        elif inside or not ID_RE.search(piece):
            out.append(piece)
        else:
            out.append(ID_RE.sub(lambda m: f'<a class="tm-id" href="{data_href(m.group(0), folder)}">{m.group(0)}</a>',
                                 piece))
    return "".join(out)


TABLE_RE = re.compile(r"<table[^>]*\btm-table\b.*?</table>", re.S)
NUMBER_CELL = re.compile(r"^[\[\]−\-+–,.\d\s%*×]*\d[\[\]−\-+–,.\d\s%*×]*(?:\s*\S{1,4})?$")


CELL_RE = re.compile(r"<(t[dh])\b([^>]*)>(.*?)</\1>", re.S)
ROW_RE = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", m.group(3))).strip() for m in CELL_RE.finditer(row)]


def align_numbers(page_html: str) -> str:
    """In every table of the notebooks, mark the columns whose cells are all numbers (a value, a
    range, with at most a short unit) so that they are right-aligned; text stays left-aligned."""
    def one(m: re.Match) -> str:
        table = m.group(0)
        body = re.search(r"<tbody>.*?</tbody>", table, re.S)
        rows = [_cells(r) for r in ROW_RE.findall(body.group(0))] if body else []
        if not rows:
            return table
        width = max(len(r) for r in rows)
        full = [r for r in rows if len(r) == width]
        numeric = [all(not r[i] or r[i] == "—" or NUMBER_CELL.match(r[i]) for r in full)
                   and any(r[i] not in ("", "—") for r in full) for i in range(width)]

        def mark(row: re.Match) -> str:
            cells = list(CELL_RE.finditer(row.group(0)))
            if len(cells) != width:
                return row.group(0)
            out, last = [], 0
            for cell, num in zip(cells, numeric, strict=True):
                out.append(row.group(0)[last:cell.start()])
                tag, attrs, inner = cell.groups()
                out.append(f'<{tag}{attrs} class="num">{inner}</{tag}>' if num and "class=" not in attrs
                           else cell.group(0))
                last = cell.end()
            out.append(row.group(0)[last:])
            return "".join(out)
        return ROW_RE.sub(mark, table)
    return TABLE_RE.sub(one, page_html)


SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
CHARSET_RE = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)


class UnsafePage(ValueError):
    """A page the package was about to write holds a script that does not come from the page itself."""


def content_security_policy(page_html: str) -> str:
    """The Content-Security-Policy of a page: nothing from any other origin, no plugin, no form,
    no ``<base>``; images and the embedded font only as data; styles inline; scripts only those
    written inline in the page, each pinned by the SHA-256 of its text (so no ``javascript:``
    link, inline event handler or ``eval`` runs)."""
    hashes = []
    for attrs, body in SCRIPT_RE.findall(page_html):
        if "src" in attrs.lower():
            raise UnsafePage(f"a script with a source address ({attrs.strip()}): scripts must be inline")
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(dict.fromkeys(hashes)) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")


def with_csp(page_html: str) -> str:
    """``page_html`` with its Content-Security-Policy (:func:`content_security_policy`) in a
    ``<meta http-equiv>`` right after the charset, before anything it governs. Every page the
    package writes passes through here last."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(page_html)}">'
    found = CHARSET_RE.search(page_html)
    if found is None:
        raise UnsafePage("a page without <meta charset=\"utf-8\"> in its head")
    return page_html[:found.end()] + meta + page_html[found.end():]

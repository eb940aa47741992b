"""The data pages every id links to (``reports/<lang>/data/``) and the data dictionary
(``reports/data_dictionary.html``, data/README.md rendered), as the site writes them: one subset of
the CJK font for all, each with its Content-Security-Policy."""
from __future__ import annotations

import html
import re
from pathlib import Path

from techmarket.data.files import atomic_write
from techmarket.pages.fonts import embed_font
from techmarket.pages.shell import TAG_RE, link_ids, scroll_box, style_sheet, with_csp
from techmarket.site.export import base_font
from techmarket.site.plan import LANGS, Project


def dictionary_page(project: Project) -> str:
    """reports/data_dictionary.html: data/README.md, rendered (without its font) as an English page:
    its Chinese marked ``lang="zh"``, the column names in its running text shown as code, every id a
    link to its entry on the English data pages, its tables in boxes that scroll sideways on a narrow
    screen."""
    from nbconvert.filters.markdown import markdown2html

    text = (project.root / "data" / "README.md").read_text(encoding="utf-8")
    body = _in_running_text(markdown2html(text))
    # a heading's permanent link (¶) stays for the mouse; to a screen reader and the Tab key it is noise
    body = body.replace('<a class="anchor-link" ', '<a class="anchor-link" aria-hidden="true" tabindex="-1" ')
    body = link_ids(_tables_in_boxes(body), folder="en/data/")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Data dictionary</title>'
            f'<style>{style_sheet()}</style></head><body class="tm-page">'
            '<header><nav aria-label="Site"><a href="index.html">← All reports</a></nav></header>'
            f"<main>{body}</main></body></html>\n")


def _tables_in_boxes(page_html: str) -> str:
    """Each table of rendered Markdown in a scrolling box named by the heading above it (and its
    number under that heading, when there are several), so that every box has a name of its own."""
    out, last, heading, count = [], 0, "Data dictionary", 0
    for m in re.finditer(r"<h[1-6][^>]*>(.*?)</h[1-6]>|<table>.*?</table>", page_html, re.S):
        out.append(page_html[last:m.start()])
        if m.group(1) is not None:
            heading, count = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip().rstrip("¶").strip(), 0
            out.append(m.group(0))
        else:
            count += 1
            out.append(scroll_box(m.group(0), heading if count == 1 else f"{heading} ({count})"))
        last = m.end()
    return "".join(out) + page_html[last:]


NAME = re.compile(r"(?<![/\w.])[a-z]+(?:_[a-z0-9]+)+\b(?!\.[a-z]{2,4}\b)")  # a column name, not a file name


def _in_running_text(page_html: str) -> str:
    """The text of rendered HTML with its Chinese marked ``lang="zh"`` (:func:`~techmarket.data.i18n.mark_terms`)
    and, outside code, each column name (``base_year``) shown as code; tags are left as they are."""
    from techmarket.data.i18n import mark_terms

    out, code = [], 0  # code: how many code or pre elements are open
    for piece in TAG_RE.split(page_html):
        if piece.startswith("<"):
            m = re.match(r"<(/?)(code|pre)\b", piece)
            if m:
                code = max(0, code + (-1 if m.group(1) else 1))
            out.append(piece)
            continue
        piece = mark_terms(piece)
        out.append(piece if code else NAME.sub(lambda m: f"<code>{m.group(0)}</code>", piece))
    return "".join(out)


def write_data_pages(project: Project, facts, external, derived, result) -> list[Path]:
    """reports/<lang>/data/*.html, the pages every id in a report links to, and
    reports/data_dictionary.html; one subset of the CJK font serves them all."""
    from techmarket.pages.data_pages import data_pages

    pages = {project.reports_dir / lang / "data" / name: text for lang in LANGS
             for name, text in data_pages(facts, external, derived, result, lang).items()}
    pages[project.reports_dir / "data_dictionary.html"] = dictionary_page(project)
    for path, text in zip(pages, embed_font(list(pages.values()), base_font(project), whole=True), strict=True):
        atomic_write(path, with_csp(text))
    return list(pages)

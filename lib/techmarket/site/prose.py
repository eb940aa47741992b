"""The prose of an executed notebook made ready for one language's page.

A notebook's prose lives in Markdown cells, each in Chinese or in English, marked by the cell tag
``lang-zh`` or ``lang-en``; a Markdown cell without such a tag belongs to both pages. For the page
of one language (:func:`page_notebook`):

- the cells of the other language are dropped with nbconvert's own ``TagRemovePreprocessor``;
- each inline expression (``{eval}`expr` ``) is replaced by the result the run stored in the cell's
  metadata (:mod:`techmarket.site.expressions`), shown as jupyterlab-myst shows it: a result with an
  HTML form as that HTML, passed through the package's sanitizer; any other as its text (a Python
  string's repr read back to the string), as Markdown that renders as exactly that text. Both
  through :mod:`techmarket.pages.untrusted`: a result may hold text from ``data/``;
- on the English page, Chinese terms in the prose are marked ``lang="zh"``
  (:func:`techmarket.data.i18n.mark_terms`).

nbconvert's Markdown knows no MyST roles or directives, so a cell that still holds one afterwards
(an expression without a stored result, a directive such as ``:::{note}``) stops the page with
:class:`ProseError`, which names the cell and what was found.
"""
from __future__ import annotations

import ast
import copy
import re

from techmarket.data.i18n import check_lang, mark_terms
from techmarket.pages.untrusted import clean_html, markdown_text
from techmarket.site.expressions import EVAL_ROLE, METADATA_KEY

LANGS = ("zh", "en")
# What nbconvert would show as literal text: a role ({name}`...`) or a directive (```{name} or :::{name})
MYST_SYNTAX = re.compile(r"\{[A-Za-z][\w:-]*\}`|^\s*(?:`{3,}|~{3,}|:{3,})\s*\{[A-Za-z][\w:-]*\}", re.M)


class ProseError(ValueError):
    """A Markdown cell that cannot become part of a page: which cell, and what is wrong."""


def lang_tag(lang: str) -> str:
    """The cell tag that marks a prose cell as written in ``lang``."""
    return f"lang-{check_lang(lang)}"


def cell_lang(cell) -> str | None:
    """The language a cell is tagged with (None: no language tag)."""
    tags = [lang for lang in LANGS if lang_tag(lang) in cell.get("metadata", {}).get("tags", [])]
    return tags[0] if len(tags) == 1 else None


def shown(result: dict) -> str:
    """A stored expression result as Markdown for the page (see the module's docstring)."""
    data = result.get("data", {})
    if "text/html" in data:
        return clean_html(data["text/html"])
    text = data.get("text/plain", "")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = None
    return markdown_text(value if isinstance(value, str) else text)


def rendered_source(cell, where: str) -> str:
    """A Markdown cell's source with every expression replaced by its stored result."""
    results = {r.get("expression"): r.get("result", {}) for r in cell.get("metadata", {}).get(METADATA_KEY, [])}

    def one(m: re.Match) -> str:
        expression = m.group(1)
        if expression not in results:
            raise ProseError(f"{where}: {{eval}}`{expression}` has no stored result (was the notebook run with "
                             "techmarket.site.expressions?)")
        result = results[expression]
        if result.get("status") != "ok":
            raise ProseError(f"{where}: {{eval}}`{expression}` raised {result.get('ename', '')}: "
                             f"{result.get('evalue', '')}")
        return shown(result)

    text = EVAL_ROLE.sub(one, cell.source)
    leftover = MYST_SYNTAX.search(text)
    if leftover:
        line = text.count("\n", 0, leftover.start()) + 1
        raise ProseError(f"{where}, line {line}: MyST syntax {leftover.group(0).strip()!r} that the HTML export "
                         "cannot render (only {eval} expressions are supported)")
    return text


def for_language(nb, lang: str):
    """A copy of notebook ``nb`` without the prose cells of the other language (nbconvert's
    ``TagRemovePreprocessor``)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    other = {lang_tag(x) for x in LANGS if x != check_lang(lang)}
    page, _ = TagRemovePreprocessor(remove_cell_tags=other, enabled=True).preprocess(copy.deepcopy(nb), {})
    return page


def fill_in(page, lang: str, name: str = "notebook") -> None:
    """Replace the expressions of ``page``'s Markdown cells by their results, in place, and mark the
    Chinese terms of an English page (see the module's docstring); ``name`` names the notebook in
    errors."""
    for i, cell in enumerate(page.cells):
        if cell.cell_type != "markdown":
            continue
        text = rendered_source(cell, f"{name}, Markdown cell id {cell.get('id', i)}")
        cell.source = mark_terms(text) if lang == "en" else text
        cell.metadata.pop(METADATA_KEY, None)


def page_notebook(nb, lang: str, name: str = "notebook"):
    """A copy of executed notebook ``nb`` as the page of ``lang`` shows it."""
    page = for_language(nb, lang)
    fill_in(page, lang, name)
    return page

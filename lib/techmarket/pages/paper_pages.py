"""The frame shared by the three pages that look at the paper as a whole (the annotated paper,
the replication report, the erratum): where each sits in ``reports/``, its header with the
language switch and the links between them, and their common style. One file per language:
``<stem>.html`` in English, ``<stem>.zh.html`` in Chinese.
"""
from __future__ import annotations

from techmarket.data.i18n import check_lang, mark_terms, tr
from techmarket.pages.shell import ID_RE, data_href, style_sheet
from techmarket.pages.untrusted import escape

PAGES = {  # stem -> (zh title, en title)
    "annotated_paper": ("论文逐句核查", "The paper, annotated"),
    "replication": ("重现报告", "Replication report"),
    "erratum": ("建议勘误", "Proposed erratum"),
}

def data_link(ident: str, lang: str) -> str:
    """An id as a link to its entry on the data pages of ``lang`` (from ``reports/``)."""
    return f'<a href="{data_href(ident, f"{lang}/data/")}">{ident}</a>'


def claim_link(claim_id: str, lang: str, title: str = "") -> str:
    """A claim id as a link to its row in the register of claims (a claim on a printed figure has
    its fact's id: :func:`data_link` would go to the fact)."""
    hint = f' title="{escape(title)}"' if title else ""
    return f'<a href="{lang}/data/claims.html#{claim_id}"{hint}>{claim_id}</a>'


def audit_text(text: object, lang: str, link=data_link) -> str:
    """A text of the audit shown in ``lang``: escaped, Chinese terms marked on an English page, and
    every id a link (``link(ident, lang)``; by default to its data page)."""
    shown = escape(str(text))
    if lang == "en":
        shown = mark_terms(shown)
    return ID_RE.sub(lambda m: link(m.group(0), lang), shown)


def file_name(stem: str, lang: str) -> str:
    """Where the page of ``lang`` is, relative to ``reports/``."""
    return f"{stem}.html" if check_lang(lang) == "en" else f"{stem}.zh.html"


def title(stem: str, lang: str) -> str:
    return tr(lang, *PAGES[stem])


def header(stem: str, lang: str) -> str:
    """Links to the index, the same page in the other language, and the two other pages."""
    other = "en" if lang == "zh" else "zh"
    links = [f'<a href="index.html">{tr(lang, "← 全部报告", "← All reports")}</a>',
             f'<a href="{file_name(stem, other)}" lang="{other}" hreflang="{other}">'
             f'{"English" if other == "en" else "中文"}</a>']
    links += [f'<a href="{file_name(s, lang)}">{escape(title(s, lang))}</a>' for s in PAGES if s != stem]
    return f'<nav class="tm-nav" aria-label="{tr(lang, "页面导航", "Page navigation")}">{"".join(links)}</nav>'


def page(stem: str, lang: str, body: str, identity: str, script: str = "") -> str:
    """A whole page: title, language, a header with the navigation, the body as the page's one
    ``main``, and a footer with the build's identity."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title(stem, lang))}</title>"
            f"<style>{style_sheet()}</style></head>\n"
            f'<body class="tm-page tm-view tm-{stem}"><header>{header(stem, lang)}</header>\n<main>{body}</main>\n'
            f'<footer><p>{tr(lang, "构建", "Build")}: {escape(identity)}</p></footer>{script}</body></html>\n')

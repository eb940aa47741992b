"""The data pages a report's ids link to (``reports/<lang>/data/``): every printed fact with its
span, locator and the claims that read it; every claim with its verdict and routes; every official
release, publisher first, with where it was read and its excerpt; every derived value with its
formula and inputs. Offline like the reports, in each language; quotations of the paper and of
Chinese pages are marked ``lang="zh"``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from techmarket.data import i18n
from techmarket.data.i18n import tr
from techmarket.pages.shell import ID_RE, data_href, scroll_box, style_sheet
from techmarket.pages.untrusted import escape, link

if TYPE_CHECKING:
    import pandas as pd

LOCATORS = {"Table 1": ("表1", "Table 1"), "Figure 2 data": ("图2数据", "Figure 2 data")}
PAGES = {  # file stem -> (zh title, en title)
    "facts": ("论文印出的数字", "Numbers printed in the paper"),
    "claims": ("论断登记表", "Register of claims"),
    "releases": ("官方发布", "Official releases"),
    "derived": ("推算值", "Derived values"),
}
INTROS = {  # what each page is, in both languages
    "facts": ("每个数字都按论文原样记录（原文片段、位置、精度）；“使用它的论断”中第一个是该数字自身的论断，"
              "其余是以它为输入重算的论断。",
              "Every number as the paper prints it (the quoted span, where it is, its precision). Under "
              "'claims that use it' the first is the number's own claim; the others recompute from it."),
    "claims": ("论文的每个数字和每个数量比较；重算路径中的编号指向所用的数字。完整的核查见第08号报告。",
               "Every number and every quantitative comparison of the paper; the ids in a route link to the "
               "figures it reads. The full audit is report 08."),
    "releases": ("官方发布的数字，先列发布机构，再列读取的网址和原文摘录；“确数”为正式数，其余为取整数或初步数。",
                 "Figures from official releases: the publisher first, then where the figure was read and the "
                 "excerpt; 'exact' marks a final figure, the others are rounded or preliminary."),
    "derived": ("论文只是隐含、由代码推算的数值：每个数值是其输入的四舍五入区间所允许的范围，公式中的编号指向输入。",
                "Values the paper only implies, computed in code: each is the range its inputs' rounding "
                "intervals allow; the ids in a formula link to its inputs."),
}
ID, VALUE = ("编号", "Id"), ("数值", "Value")
HEADS = {  # each page's columns, in both languages
    "facts": [ID, ("位置", "Where"), ("原文", "As printed"), VALUE, ("精度", "Precision"),
              ("使用它的论断", "Claims that use it")],
    "claims": [ID, ("章节", "Section"), ("原文", "As printed"), ("论文", "Paper"), ("重算路径", "Routes"),
               ("判断", "Verdict"), ("与官方发布", "Against releases")],
    "releases": [ID, ("发布机构", "Publisher"), ("指标", "Series"), VALUE, ("性质", "Status"),
                 ("读取自", "Read at"), ("摘录", "Excerpt")],
    "derived": [ID, ("数量", "Quantity"), ("范围", "Range"), ("路径", "Route"), ("公式", "Formula")],
}
def quoted(text: str) -> str:
    """Text as shown: Chinese marked as such, so an English page holds Chinese only in quotations
    (a span's tabs, from Figure 2's chart data, shown as separators)."""
    text = i18n.span_text(text)
    return f'<q lang="zh">{escape(text)}</q>' if i18n.CJK.search(text) else escape(text)


def linked(text: str) -> str:
    """Text with every id in it linked to its entry (the pages sit beside each other)."""
    return ID_RE.sub(lambda m: f'<a href="{data_href(m.group(0), folder="")}">{m.group(0)}</a>', escape(text))


def _claim_link(claim_id: str) -> str:
    """A claim's id as a link to its row on the register of claims (a page beside this one)."""
    return f'<a href="claims.html#{claim_id}">{claim_id}</a>'


def _row_head(ident: str) -> str:
    """A row's id, linking to itself (a permanent address for the entry)."""
    return f'<th scope="row"><a href="#{ident}">{ident}</a></th>'


def gloss(paraphrase: str, lang: str) -> str:
    """On an English page, the claim in English under the quoted span (its Chinese terms marked)."""
    return "" if lang == "zh" else f"<br>{i18n.mark_terms(linked(paraphrase))}"


def value(text: str, unit: str, lang: str) -> str:
    shown = unit if lang == "zh" or not unit else i18n.unit(unit, lang)
    return f"{escape(text)} {escape(shown)}".strip()


def locator(loc: str, lang: str) -> str:
    zh, en = LOCATORS.get(loc, (loc, loc))
    return tr(lang, zh, en)


def page(stem: str, lang: str, rows: list[str]) -> str:
    """A data page: a header with the navigation; in its main, the title, what it is, and its table
    (in a box that scrolls sideways on a narrow screen)."""
    title, intro, head = tr(lang, *PAGES[stem]), tr(lang, *INTROS[stem]), [tr(lang, *h) for h in HEADS[stem]]
    nav = " ".join(f'<a href="{s}.html">{escape(tr(lang, *PAGES[s]))}</a>' for s in PAGES if s != stem)
    other = "en" if lang == "zh" else "zh"
    table = ("<table><thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
             + "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{style_sheet()}</style></head><body class=\"tm-page tm-data\">\n"
            f'<header><nav aria-label="{tr(lang, "数据页导航", "Data pages")}">'
            f'<a href="../../index.html">{tr(lang, "← 全部报告", "← All reports")}</a>{nav}'
            f'<a href="../../{other}/data/{stem}.html" lang="{other}" hreflang="{other}">'
            f'{"English" if other == "en" else "中文"}</a></nav></header>\n'
            f"<main>\n<h1>{escape(title)}</h1>\n<p>{intro}</p>\n{scroll_box(table, title)}\n</main>\n</body></html>\n")


def facts_page(facts: pd.DataFrame, claims: pd.DataFrame, routes: pd.DataFrame, lang: str) -> str:
    readers: dict[str, list[str]] = {}
    for cid, inputs in zip(routes["claim_id"], routes["inputs"], strict=True):
        for i in inputs:
            readers.setdefault(i, [])
            if cid not in readers[i]:
                readers[i].append(cid)
    paraphrase = dict(zip(claims["claim_id"], claims["paraphrase_en"], strict=True))
    rows = []
    for r in facts.itertuples():
        users = [r.fact_id, *readers.get(r.fact_id, [])]
        rows.append(f'<tr id="{r.fact_id}">{_row_head(r.fact_id)}<td>{escape(locator(r.locator, lang))}</td>'
                    f"<td>{quoted(r.span)}{gloss(paraphrase.get(r.fact_id, ''), lang)}"
                    + f'</td><td class="num">{value(r.value, r.unit, lang)}</td>'
                    f"<td>{escape(i18n.qualifier(r.qualifier, lang))}</td>"
                    f"<td>{' '.join(_claim_link(u) for u in users)}</td></tr>")
    return page("facts", lang, rows)


def claims_page(audit_claims: pd.DataFrame, routes: pd.DataFrame, lang: str) -> str:
    by_claim = {cid: list(g["formula_ids"]) for cid, g in routes.groupby("claim_id", sort=False)}
    rows = []
    for r in audit_claims.itertuples():
        verdict = i18n.verdict(r.verdict, lang, bool(r.restated))
        steps = "<br>".join(f"<code>{linked(f)}</code>" for f in by_claim.get(r.claim_id, [])) or "—"
        rows.append(f'<tr id="{r.claim_id}">{_row_head(r.claim_id)}<td>§{escape(r.section)}</td>'
                    f"<td>{quoted(r.span)}{gloss(r.paraphrase_en, lang)}"
                    + f'</td><td class="num">{value(r.reported, r.unit, lang)}</td><td>{steps}</td>'
                    f"<td>{escape(verdict)}</td><td>{escape(i18n.verdict(r.external_verdict, lang))}</td></tr>")
    return page("claims", lang, rows)


def releases_page(external: pd.DataFrame, lang: str) -> str:
    rows = []
    for r in external.itertuples():
        where = link(r.retrieved_from, rel="noreferrer")
        rows.append(f'<tr id="{r.ext_id}">{_row_head(r.ext_id)}<td>{quoted(r.publisher)}</td>'
                    f"<td>{escape(i18n.series(r.series, lang))}, {escape(i18n.geo(r.geo, lang))}, {r.year}</td>"
                    f'<td class="num">{value(r.value_text, r.unit, lang)}</td>'
                    f'<td>{escape(i18n.qualifier(r.qualifier, lang))}</td><td class="addr">{where}</td>'
                    f"<td>{quoted(r.excerpt)}</td></tr>")
    return page("releases", lang, rows)


def derived_page(derived: pd.DataFrame, lang: str) -> str:
    rows = []
    for r in derived.itertuples():
        what = ", ".join(x for x in (i18n.indicator(r.indicator, lang), i18n.geo(r.geo, lang), str(r.year),
                                     i18n.category(r.category, lang) if r.category else "") if x)
        sentence = r.route_zh if lang == "zh" else r.route
        rows.append(f'<tr id="{r.derived_id}">{_row_head(r.derived_id)}<td>{escape(what)}</td>'
                    f'<td class="num">{r.lo:.4g} – {r.hi:.4g} {escape(i18n.unit(r.unit, lang))}</td>'
                    f"<td>{escape(sentence)}</td>"  # the English sentences quote their values in English
                    f"<td><code>{linked(r.formula_ids)}</code></td></tr>")
    return page("derived", lang, rows)


def data_pages(facts: pd.DataFrame, external: pd.DataFrame, derived: pd.DataFrame, audit, lang: str) -> dict[str, str]:
    """Every data page in ``lang``, by file name."""
    return {"facts.html": facts_page(facts, audit.claims, audit.routes, lang),
            "claims.html": claims_page(audit.claims, audit.routes, lang),
            "releases.html": releases_page(external, lang),
            "derived.html": derived_page(derived, lang)}

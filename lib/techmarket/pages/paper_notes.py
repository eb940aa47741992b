"""The note beside each highlight of the annotated paper (and its endnote): the printed value and
its rounding interval, every route's arithmetic with its inputs (each a link to where that figure
is printed), the verdict's detail, the diagnosis, the official releases and what a final figure
changes, and links to the register, the erratum and the report cell that examines the claim.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.data import i18n
from techmarket.data.i18n import tr
from techmarket.pages import paper_pages
from techmarket.pages.claim_status import FLAG_LABELS, HIGHLIGHT_LABELS
from techmarket.pages.untrusted import escape


@dataclass(frozen=True)
class Notes:
    """Everything a note reads, indexed once."""

    claims: dict  # claim id -> the audit's claims row (a dict)
    routes: dict  # claim id -> its rows of the audit's routes table (named tuples)
    releases: dict  # claim id -> its rows of the audit's releases table
    changes: tuple  # the rows of the audit's what-if table
    statuses: dict  # claim id -> claim_status.statuses row
    facts: dict  # fact id -> facts row
    derived: dict  # derived id -> derived row (first route)
    examined: dict  # claim id -> report_locations.Location
    erratum: dict  # claim id -> erratum anchor
    on_page: frozenset  # claim ids highlighted on the page

    @staticmethod
    def from_tables(result, statuses: pd.DataFrame, facts: pd.DataFrame, derived: pd.DataFrame, examined: dict,
                    erratum: dict, on_page) -> Notes:
        """Index the audit's tables once (a note reads them hundreds of times)."""
        def by_claim(df: pd.DataFrame) -> dict:
            out: dict = {}
            for r in df.itertuples(index=False):
                out.setdefault(r.claim_id, []).append(r)
            return out

        def rows(df: pd.DataFrame, key: str) -> dict:
            return {r[key]: r for r in df.to_dict("records")}

        return Notes(rows(result.claims, "claim_id"), by_claim(result.routes), by_claim(result.releases),
                     tuple(result.changes.itertuples(index=False)), rows(statuses, "claim_id"), rows(facts, "fact_id"),
                     rows(derived.drop_duplicates("derived_id"), "derived_id"), examined, erratum, frozenset(on_page))

    def link(self, ident: str, lang: str) -> str:
        """An id as a link: a printed figure to its highlight, anything else to its data page."""
        if ident in self.on_page:
            return f'<a class="in" href="#c-{ident}">{ident}</a>'
        return paper_pages.data_link(ident, lang)

    def text(self, text: str, lang: str) -> str:
        """A text of the audit shown in ``lang`` (:func:`paper_pages.audit_text`), its ids linked by
        :meth:`link`."""
        return paper_pages.audit_text(text, lang, self.link)


def _printed(n: Notes, cid: str, lang: str) -> str:
    from techmarket.audit.culprits import fact_interval
    from techmarket.audit.judge import fmt

    c = n.claims[cid]
    quote = f'<q lang="zh">{escape(i18n.span_text(c["span"]))}</q>'
    if not c["fact_id"] or c["fact_id"] not in n.facts:
        what = n.text(c["paraphrase_en"], lang) if lang == "en" else quote
        return f'<p>{tr(lang, "论断：", "Claim: ")}{what}</p>'
    interval = fact_interval(n.facts[c["fact_id"]])
    width = (tr(lang, "确数（整数个）", "exact (a whole count)") if interval.lo == interval.hi else
             f'{tr(lang, "四舍五入区间", "rounding interval")} {escape(fmt(interval, str(c["reported"]), 1))}')
    value = escape(i18n.amount(c["reported"], c["unit"], lang))
    return (f'<p>{tr(lang, "印出：", "Printed: ")}{quote} = {value}{tr(lang, "；", "; ")}'
            f"{width}</p>")


def _routes(n: Notes, cid: str, lang: str) -> str:
    rows = n.routes.get(cid, [])
    if not rows:  # the verdict's detail says so
        return ""
    items = []
    for r in rows:
        state = {"holds": tr(lang, "成立", "holds"), "fails": tr(lang, "不成立", "fails")}.get(r.holds, r.holds)
        figures = ", ".join(n.link(x, lang) for x in r.explained_by)
        why = (tr(lang, f"（由诊断出的数字 {figures} 解释）", f" (explained by the diagnosed figure {figures})")
               if r.explained_by else "")
        inputs = []
        for ident in r.inputs:
            if ident.startswith("D-") and ident in n.derived:
                d = n.derived[ident]
                inputs.append(f'{n.link(ident, lang)} = {n.text(d["formula_ids"], lang)}')
            else:  # a figure, a release, or the items a count claim lists ("C-37 items")
                inputs.append(n.text(ident, lang))
        items.append(f'<li><code>{n.text(r.arithmetic, lang)}</code> = {escape(r.shown)} — {state}{why}'
                     f'<br><small>{tr(lang, "输入：", "inputs: ")}{", ".join(inputs)}</small></li>')
    return f'<p>{tr(lang, "重算路径：", "Routes:")}</p><ol class="routes">{"".join(items)}</ol>'



def _releases(n: Notes, cid: str, lang: str) -> str:
    rows = n.releases.get(cid, [])
    items = [f'<li>{n.link(r.ext_id, lang)} {escape(i18n.amount(r.value_text, r.unit, lang))} '
             f'{i18n.paren(escape(i18n.qualifier(r.qualifier, lang)), lang)}{tr(lang, "，", ", ")}'
             f'{n.text(r.publisher, lang)}{tr(lang, "：", ": ")}'
             f'{tr(lang, "一致" if r.agrees else "不同", "agrees" if r.agrees else "differs")}</li>'
             for r in rows]
    fid = n.claims[cid]["fact_id"]
    changed = [r for r in n.changes if r.fact_id == fid or r.claim_id == cid]
    for r in changed:
        verdicts = i18n.paren(f"{i18n.verdict(r.verdict_before, lang)} → {i18n.verdict(r.verdict_after, lang)}", lang)
        items.append(f'<li>{tr(lang, "若用正式数", "With the final figure")} {n.link(r.ext_id, lang)} '
                     f'{tr(lang, "代替", "for")} {n.link(r.fact_id, lang)}{tr(lang, "：", ": ")}'
                     f'{n.link(r.claim_id, lang)} {escape(r.before)} → {escape(r.after)} {verdicts}</li>')
    if not items:
        return ""
    return f'<p>{tr(lang, "官方发布：", "Official releases:")}</p><ul>{"".join(items)}</ul>'


def note_html(n: Notes, cid: str, number: int, lang: str) -> str:
    """One claim's note: verdict, printed value and interval, routes, diagnosis, releases, links."""
    c, s = n.claims[cid], n.statuses[cid]
    badge = f'<span class="sw h-{s["highlight"]}">{tr(lang, *HIGHLIGHT_LABELS[s["highlight"]][0])}</span>'
    if s["flag"]:
        badge += f' <span class="sw f-{s["flag"]}">{tr(lang, *FLAG_LABELS[s["flag"]][0])}</span>'
    register = tr(lang, "登记表中的条目", "its entry in the register")
    parts = [f'<p class="nh"><b class="num">{number}</b> '
             f"{paper_pages.claim_link(cid, lang, register)} · {badge}</p>",
             _printed(n, cid, lang),
             f'<p>{n.text(c["detail_zh"] if lang == "zh" else c["detail"], lang)}</p>',
             _routes(n, cid, lang)]
    if c["needed"]:
        parts.append(f'<p>{tr(lang, "诊断：", "Diagnosis: ")}{tr(lang, "需要", "it would need")} '
                     f'{escape(i18n.amount(c["needed"], c["unit"], lang))}</p>')
    parts.append(_releases(n, cid, lang))
    links = []
    if cid in n.erratum:
        links.append(f'<a href="{paper_pages.file_name("erratum", lang)}#{n.erratum[cid]}">'
                     f'{tr(lang, "勘误条目", "erratum entry")}</a>')
    where = n.examined.get(cid)
    if where is not None:
        links.append(f'<a href="{where.href(lang)}">{tr(lang, "报告", "report")} {where.notebook[:2]} '
                     f'{i18n.paren(where.cell_id, lang)}</a>')
    if links:
        parts.append(f'<p>{tr(lang, "参见：", "See: ")}{" · ".join(links)}</p>')
    return f'<li id="n-{cid}" value="{number}">{"".join(parts)}</li>'

"""A proposed erratum, from the audit alone: for each diagnosed misprint the paper's sentence as
printed and as it would read with the value that makes every route hold (competing diagnoses side
by side); for each figure a final release contradicts, the sentence with the final figure and
every claim computed from it as it would then read, with the release cited.

:func:`entries` derives the entries as data; :func:`erratum_page` shows them. Sentences come from
the paper's text when it is given (the sentence holding the span), else the span itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from techmarket.data import i18n
from techmarket.data.i18n import tr
from techmarket.pages import paper_pages
from techmarket.pages.shell import scroll_box
from techmarket.pages.untrusted import escape, link


@dataclass(frozen=True)
class Correction:
    """One printed figure and the value it would need."""

    claim_id: str
    printed: str
    unit: str
    corrected: str  # a value at the printed precision, or a range "lo–hi" of values that would all do


@dataclass(frozen=True)
class Entry:
    """One erratum entry."""

    anchor: str  # e-<fact id>
    kind: str  # misprint | competing | superseded
    alternatives: tuple[Correction, ...]  # misprint: one; competing: one per diagnosis; superseded: the figure
    fixes: tuple[str, ...]  # misprint: claims whose failing routes it explains
    consequences: tuple[dict, ...] = ()  # superseded: the audit's changes rows
    release: dict | None = None  # superseded: the final release (ext_id, value_text, unit, publisher, retrieved_from)

    def claims(self) -> tuple[str, ...]:
        return tuple(c.claim_id for c in self.alternatives) + tuple(r["claim_id"] for r in self.consequences)


def _claim_of_fact(claims: pd.DataFrame) -> dict[str, str]:
    own = claims[claims["fact_id"] == claims["claim_id"]]
    return dict(zip(own["fact_id"], own["claim_id"], strict=True))


def entries(audit, statuses: pd.DataFrame) -> list[Entry]:
    """The erratum's entries, misprints first (by diagnosis group), then superseded figures."""
    claims = audit.claims.set_index("claim_id")
    claim_of = _claim_of_fact(audit.claims)
    out = []
    smallest = audit.diagnoses[audit.diagnoses["smallest"]]
    for _, group in smallest.groupby("group", sort=True):
        corrections = tuple(Correction(claim_of[r.fact_id], r.printed, r.unit, r.needed) for r in group.itertuples())
        facts = set(group["fact_id"])
        fixes = tuple(sorted({r.claim_id for r in audit.routes.itertuples() if set(r.explained_by) & facts}
                             - {c.claim_id for c in corrections}))
        kind = "competing" if len(corrections) > 1 else "misprint"
        out.append(Entry(f"e-{group['fact_id'].iloc[0]}", kind, corrections, fixes))
    contradicted = statuses[statuses["flag"] == "contradicted"]["claim_id"]
    for cid in contradicted:
        fid = claims.loc[cid, "fact_id"]
        changes = audit.changes[audit.changes["fact_id"] == fid]
        if changes.empty:
            continue
        ext_id = changes["ext_id"].iloc[0]
        rel = audit.releases[(audit.releases["claim_id"] == cid) & (audit.releases["ext_id"] == ext_id)].iloc[0]
        release = {k: rel[k] for k in ("ext_id", "value_text", "unit", "publisher", "retrieved_from")}
        release["preliminary"] = tuple(audit.releases[(audit.releases["claim_id"] == cid) & ~audit.releases["final"]
                                                      & audit.releases["agrees"]]["ext_id"])
        figure = Correction(cid, claims.loc[cid, "reported"], claims.loc[cid, "unit"], rel["value_text"])
        out.append(Entry(f"e-{fid}", "superseded", (figure,), (), tuple(changes.to_dict("records")), release))
    return out


def anchors(found: list[Entry]) -> dict[str, str]:
    """The erratum entry each claim is part of (the first one, if several)."""
    out: dict[str, str] = {}
    for e in found:
        for cid in e.claims():
            out.setdefault(cid, e.anchor)
    return out


NUMBER = r"(?<![\d.]){}(?![\d])"


def value_position(span: str, reported: str) -> tuple[int, int] | None:
    """Where a span prints its value (digits, thousands spaces allowed), if exactly once."""
    digits = reported.lstrip("<>")
    pattern = NUMBER.format(r"\s?".join(re.escape(ch) for ch in digits))
    hits = list(re.finditer(pattern, span))
    return (hits[0].start(), hits[0].end()) if len(hits) == 1 else None


def sentence_of(claim_id: str, claims: pd.DataFrame, paper=None, located: pd.DataFrame | None = None
                ) -> tuple[str, int]:
    """The sentence holding a claim's span and where the span starts in it (the span alone, at 0,
    without the paper's text)."""
    span = str(claims.loc[claim_id, "span"])
    if paper is None or located is None:
        return span, 0
    from techmarket.pages.paper_text import sentence_around

    row = located.set_index("claim_id").loc[claim_id]
    s, e = sentence_around(paper, int(row["start"]), int(row["end"]))
    return paper.visible(s, e).strip(), len(paper.visible(s, int(row["start"])).lstrip())


def _sentence_html(claim_id: str, claims: pd.DataFrame, new: str | None, paper, located) -> str:
    """A sentence quoted, with the claim's value struck out and ``new`` put in (or as printed)."""
    text, at = sentence_of(claim_id, claims, paper, located)
    span = str(claims.loc[claim_id, "span"])
    pos = value_position(span, str(claims.loc[claim_id, "reported"])) if new is not None else None
    if pos is None:
        return f'<q lang="zh">{escape(i18n.span_text(text))}</q>'
    a, b = at + pos[0], at + pos[1]
    return (f'<q lang="zh">{escape(text[:a])}<del>{escape(text[a:b])}</del>'
            f'<ins>{escape(new)}</ins>{escape(text[b:])}</q>')


HEADS = {"misprint": ("诊断出的误印", "Diagnosed misprint"), "competing": ("互相竞争的诊断", "Competing diagnoses"),
         "superseded": ("被正式发布取代的初步数", "Preliminary figure superseded by a final release")}



def _change(c: Correction, lang: str) -> str:
    before, after = i18n.amount(c.printed, c.unit, lang), i18n.amount(c.corrected, c.unit, lang)
    return f"{escape(before)} → {escape(after)}"


def _misprint_html(e: Entry, claims: pd.DataFrame, lang: str, paper, located) -> list[str]:
    printed = _sentence_html(e.alternatives[0].claim_id, claims, None, paper, located)
    parts = [f'<p>{tr(lang, "原文：", "As printed: ")}{printed}</p>']
    if e.kind == "competing":
        either = tr(lang, "以下任一改法都能让所有重算路径成立，论文的数字无法判定哪个印错：",
                    "Either change makes every route hold; the figures in the paper cannot tell which one is "
                    "misprinted:")
        parts.append(f"<p>{either}</p>")
    colon = tr(lang, "：", ": ")
    cells = "".join(
        f'<div class="alt"><p><b>{tr(lang, "改为", "Would read")}</b> '
        f"{i18n.paren(f'{paper_pages.claim_link(c.claim_id, lang)}{colon}{_change(c, lang)}', lang)}</p>"
        f"<p>{_sentence_html(c.claim_id, claims, c.corrected, paper, located)}</p></div>" for c in e.alternatives)
    parts.append(f'<div class="alts">{cells}</div>')
    if e.fixes:
        explains = tr(lang, "其不成立的路径由此得到解释的论断", "Claims whose failing routes this explains")
        parts.append(f'<p>{explains}: {", ".join(paper_pages.claim_link(c, lang) for c in e.fixes)}</p>')
    return parts


def _release_html(rel: dict, lang: str) -> str:
    src = i18n.mark_terms(escape(rel["publisher"])) if lang == "en" else escape(rel["publisher"])
    ext = rel["ext_id"]
    text = (f'{tr(lang, "来源：", "Release: ")}{paper_pages.data_link(ext, lang)}, '
            f'{src} ({link(rel["retrieved_from"], tr(lang, "读取处", "where it was read"))})')
    if rel["preliminary"]:
        matches = tr(lang, "论文的数字与初步发布一致", "the figure in the paper matches the preliminary release")
        text += f"; {matches} " + ", ".join(paper_pages.data_link(x, lang) for x in rel["preliminary"])
    return f"<p>{text}</p>"


def _superseded_html(e: Entry, claims: pd.DataFrame, lang: str, paper, located) -> list[str]:
    c = e.alternatives[0]
    parts = [f'<p>{tr(lang, "原文：", "As printed: ")}{_sentence_html(c.claim_id, claims, None, paper, located)}</p>',
             f'<p><b>{tr(lang, "按正式数", "With the final figure")}</b> ({_change(c, lang)}): '
             f'{_sentence_html(c.claim_id, claims, c.corrected, paper, located)}</p>',
             _release_html(e.release, lang)]
    rows = []
    for r in e.consequences:
        if r["verdict_before"] == r["verdict_after"] == "consistent":
            verdict = tr(lang, "仍成立", "still holds")
        elif r["verdict_after"] == "inconsistent" and r["verdict_before"] != "inconsistent":
            verdict = tr(lang, "不再成立", "no longer holds")
        else:
            verdict = i18n.verdict(r["verdict_after"], lang)
        sentence = _sentence_html(r["claim_id"], claims, r["restated_as"] or None, paper, located)
        rows.append(f'<tr><th scope="row">{paper_pages.claim_link(r["claim_id"], lang)}</th><td>{sentence}</td>'
                    f'<td class="num">{escape(r["before"])} → {escape(r["after"])}</td>'
                    f"<td>{verdict}</td></tr>")
    caption = tr(lang, "由该数字算出的论断，改用正式数后", "Claims computed from it, with the final figure")
    heads = "".join(f"<th>{tr(lang, *h)}</th>" for h in (("论断", "Claim"), ("将读作", "Would read"),
                                                       ("重算值", "Recomputed"), ("结论", "Verdict")))
    parts.append(scroll_box(f'<table><caption>{caption}</caption><thead><tr>{heads}</tr></thead>'
                            f'<tbody>{"".join(rows)}</tbody></table>', f"{caption}: {c.claim_id}"))
    return parts


def _entry_html(e: Entry, claims: pd.DataFrame, lang: str, paper, located) -> str:
    figures = ", ".join(paper_pages.claim_link(c.claim_id, lang) for c in e.alternatives)
    body = (_superseded_html if e.kind == "superseded" else _misprint_html)(e, claims, lang, paper, located)
    return (f'<section class="entry" id="{e.anchor}"><h2>{tr(lang, *HEADS[e.kind])}{tr(lang, "：", ": ")}{figures}</h2>'
            + "".join(body) + "</section>")


def erratum_page(audit, statuses: pd.DataFrame, lang: str, identity: str, paper=None, located=None) -> str:
    """The erratum page of ``lang``."""
    found = entries(audit, statuses)
    claims = audit.claims.set_index("claim_id")
    source = (tr(lang, f"句子取自论文文本 {paper.path.name}（SHA-256 {paper.sha256}）。",
                 f"Sentences are taken from the paper's text {paper.path.name} (SHA-256 {paper.sha256}).")
              if paper is not None else
              tr(lang, "未找到论文文本，故只引用登记的原文片段。",
                 "The paper's text was not found, so only the registered spans are quoted."))
    intro = tr(lang, "以下每一条都由核查推出，没有手写的改动：误印的改法是让所有重算路径成立的数值；"
                     "被取代的初步数换成正式发布的数字，"
                     "并列出由它算出的每个论断如何变化。",
               "Every entry is derived by the audit; nothing is written by hand. A misprint's correction is the value "
               "that makes every route hold; a superseded preliminary figure is replaced by the final release, and "
               "every claim computed from it is shown as it would then read.")
    body = (f"<h1>{escape(paper_pages.title('erratum', lang))}</h1><p>{intro}</p><p class=\"muted\">{source}</p>"
            + "".join(_entry_html(e, claims, lang, paper, located) for e in found))
    return paper_pages.page("erratum", lang, body, identity)

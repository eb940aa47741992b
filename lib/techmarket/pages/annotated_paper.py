"""The paper, annotated: its whole text in reading order with every registered claim highlighted
by its verdict, and beside each highlight a note with the printed value, every route's
arithmetic and inputs, the diagnosis, the official releases and where the reports examine it.

Highlights nest where spans nest; where two spans cross, the later one continues in a second
piece (``data-part="2"``) so that the markup stays well formed. Only the first piece of a claim's
highlight carries its id; it ends with the button that opens the note (a highlight itself is not
interactive, so no control is ever inside another). The notes are also the page's endnotes, so
the printed page carries them numbered.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from techmarket.data import i18n
from techmarket.data.i18n import tr
from techmarket.pages import paper_pages
from techmarket.pages.claim_status import AUDIT_VERDICT_OF, FLAG_LABELS, HIGHLIGHT_LABELS
from techmarket.pages.paper_notes import Notes, note_html
from techmarket.pages.paper_text import MARKER, Paper
from techmarket.pages.shell import scroll_box
from techmarket.pages.untrusted import escape

GLYPHS = {"diagnosed": "✗", "competing": "⇄", "inconsistent": "✗", "ambiguous_wording": "?", "undecidable": "?"}
FLAG_GLYPH = "!"


@dataclass(frozen=True)
class Mark:
    """One claim's highlight: where it is and how it is drawn."""

    claim_id: str
    start: int
    end: int
    highlight: str
    flag: str
    number: int  # its endnote's number


def _text_html(text: str, lang: str) -> str:
    """Paper text as shown: markers dropped (a footnote reference becomes a link), tabs of the
    chart data shown as separators."""
    out, last = [], 0
    for m in MARKER.finditer(text):
        out.append(escape(text[last:m.start()]).replace("\t", " · "))
        if m.group("ref"):
            n = m.group("ref")
            label = f'{tr(lang, "脚注", "footnote")} {n}'
            out.append(f'<sup><a href="#fn-{n}" id="fnref-{n}" aria-label="{label}">{n}</a></sup>')
        last = m.end()
    out.append(escape(text[last:]).replace("\t", " · "))
    return "".join(out)


def _open(mark: Mark, first: bool, height: int) -> str:
    """The opening tag of a piece of a highlight: a mark in the text, which nothing inside it makes
    interactive (its note opens from the button at the end of its first piece, :func:`_button`)."""
    classes = f"hl h-{mark.highlight}" + (f" f-{mark.flag}" if mark.flag else "") + (" d" + str(height))
    if not first:
        return f'<span class="{classes}" data-claim="{mark.claim_id}" data-part="2">'
    return (f'<span class="{classes}" id="c-{mark.claim_id}" data-claim="{mark.claim_id}" data-n="{mark.number}" '
            f'data-glyph="{_glyph(mark)}">')


def _glyph(mark: Mark) -> str:
    return GLYPHS.get(mark.highlight, "") + (FLAG_GLYPH if mark.flag else "")


def _button(mark: Mark, lang: str) -> str:
    """The control that opens a highlight's note, at the end of its first piece: it shows the
    highlight's glyph (none for a figure that holds: the button is then seen only as the outline
    its highlight gets while it has the focus) and is named, for a screen reader, by its note's
    number, the claim and its verdict, in the page's language (the paper around it is Chinese)."""
    label = tr(lang, *HIGHLIGHT_LABELS[mark.highlight][0])
    if mark.flag:
        label += "; " + tr(lang, *FLAG_LABELS[mark.flag][0])
    name = f'{tr(lang, "注释", "note")} {mark.number} · {mark.claim_id}{tr(lang, "：", ": ")}{escape(label)}'
    glyph = _glyph(mark)
    return (f'<button type="button" class="hl-note{"" if glyph else " bare"}" id="b-{mark.claim_id}" '
            f'data-claim="{mark.claim_id}" lang="{lang}" aria-expanded="false" aria-controls="tm-pop" '
            f'aria-describedby="n-{mark.claim_id}"><span aria-hidden="true">{glyph}</span>'
            f'<span class="tm-sr">{name}</span></button>')


def markup(text: str, start: int, end: int, marks: list[Mark], lang: str) -> str:
    """The text between ``start`` and ``end`` with the marks inside it as nested highlights; a mark
    that crosses another is closed and reopened as a continuation piece. The first piece of each
    ends with the button that opens its note."""
    inside = [m for m in marks if start <= m.start and m.end <= end]
    heights: dict[str, int] = {}  # how many highlights stack inside (for the underline offsets), at most 4
    for m in sorted(inside, key=lambda m: m.end - m.start):
        within = [heights[o.claim_id] for o in inside if o.claim_id in heights and o is not m
                  and m.start <= o.start and o.end <= m.end]
        heights[m.claim_id] = min(4, 1 + max(within, default=0))
    points = sorted({start, end, *(m.start for m in inside), *(m.end for m in inside)})
    order = sorted(inside, key=lambda m: (m.start, -m.end, m.claim_id))
    stack: list[Mark] = []
    first_open: set[str] = set()  # the marks whose first piece is open: it closes with the mark's button
    out = []

    def close(pieces: list[Mark]) -> None:
        for m in reversed(pieces):
            if m.claim_id in first_open:
                out.append(_button(m, lang))
                first_open.discard(m.claim_id)
            out.append("</span>")

    for a, b in zip(points, points[1:], strict=False):
        ending = [m for m in stack if m.end == a]
        if ending:
            depth = min(stack.index(m) for m in ending)
            reopen = [m for m in stack[depth:] if m.end != a]
            close(stack[depth:])
            del stack[depth:]
            for m in reopen:
                out.append(_open(m, False, heights[m.claim_id]))
                stack.append(m)
        for m in order:
            if m.start == a:
                out.append(_open(m, True, heights[m.claim_id]))
                first_open.add(m.claim_id)
                stack.append(m)
        out.append(_text_html(text[a:b], lang))
    close(stack)
    return "".join(out)


def _footnotes(paper: Paper, start: int, end: int) -> str:
    return "".join(f'<p class="footnote" id="fn-{m.group("note")}"><sup>{m.group("note")}</sup> '
                   f'{escape(m.group("body").strip())} <a href="#fnref-{m.group("note")}" aria-label="↩">↩</a></p>'
                   for m in MARKER.finditer(paper.text, start, end) if m.group("note"))


def _figure(paper: Paper, block, inner: str, figures: dict, lang: str) -> str:
    exhibit = f"Figure {block.number}"
    found = figures.get(exhibit)
    if found is None:
        later = tr(lang, "重绘的图在报告构建后显示于此（make reports）。",
                   "The rebuilt chart shows here once the reports are built (make reports).")
        chart = f'<p class="muted">{later}</p>'
        where = ""
    else:
        png, width, alt, location = found
        chart = f'<img src="data:image/png;base64,{png}" width="{width}" alt="{escape(alt)}">'
        where = (f' <small><a href="{location.href(lang)}">{tr(lang, "重绘于报告", "rebuilt in report")} '
                 f'{location.notebook[:2]}</a></small>')
    return f'<figure id="figure-{block.number}">{chart}<figcaption>{inner}{where}</figcaption></figure>'


def _table(paper: Paper, block, caption: str, marks: list[Mark], lang: str) -> str:
    head = "".join(f'<th scope="col">{escape(paper.text[s:e].strip())}</th>' for s, e in block.rows[0])
    body = []
    for row in block.rows[1:]:
        cells = []
        for i, (s, e) in enumerate(row):
            inner = markup(paper.text, s, e, marks, lang)
            cls = ' class="num"' if i >= 2 else ""
            cells.append(f"<td{cls}>{inner}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return scroll_box(f'<table class="paper-table" id="table-{block.number}"><caption>{caption}</caption>'
                      f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>',
                      tr(lang, f"表{block.number}", f"Table {block.number}"))


def paper_html(paper: Paper, marks: list[Mark], figures: dict, lang: str) -> str:
    """The paper's blocks in reading order, with the highlights."""
    out, caption, data_label = [], "", False
    for block in paper.blocks:
        inner = markup(paper.text, block.start, block.end, marks, lang)
        if block.kind == "abstract":
            out.append(f'<p class="abstract" lang="{block.lang}">{inner}</p>')
        elif block.kind == "heading":
            level = 2 if "." not in block.number else 3
            out.append(f'<h{level} id="s-{block.number}">{inner}</h{level}>{_footnotes(paper, block.start, block.end)}')
        elif block.kind == "caption" and block.label == "表":
            caption = inner
        elif block.kind == "caption":
            out.append(_figure(paper, block, inner, figures, lang))
        elif block.kind == "table":
            out.append(_table(paper, block, caption, marks, lang))
        elif block.kind == "chart_data":
            if not data_label:
                label = tr(lang, "文本末尾残留的图表数据（图2）：",
                           "Chart data left at the end of the text (Figure 2):")
                out.append(f'<p class="muted" lang="{lang}">{label}</p>')
                data_label = True
            out.append(f'<p class="chart-data">{inner}</p>')
        else:
            out.append(f"<p>{inner}</p>")
    return "\n".join(out)


def summary_html(n: Notes, statuses: pd.DataFrame, diagnoses: pd.DataFrame, lang: str) -> str:
    """Counts per verdict with the legend, and the independent problems, one line each."""
    counts = statuses["highlight"].value_counts()
    flags = statuses["flag"].value_counts()
    rows = [f'<tr><td><span class="sw h-{h}">{tr(lang, *HIGHLIGHT_LABELS[h][0])}</span></td>'
            f'<td class="num">{int(counts.get(h, 0))}</td><td>{tr(lang, *HIGHLIGHT_LABELS[h][1])}</td></tr>'
            for h in HIGHLIGHT_LABELS]
    rows += [f'<tr><td><span class="sw f-{f}">{tr(lang, *FLAG_LABELS[f][0])}</span></td>'
             f'<td class="num">{int(flags.get(f, 0))}</td><td>{tr(lang, *FLAG_LABELS[f][1])}</td></tr>'
             for f in FLAG_LABELS]
    caption = tr(lang, "每种标注的论断数及其含义", "Claims per highlight, and what each means")
    sums = [(verdict, [h for h in HIGHLIGHT_LABELS if h in kinds]) for verdict, kinds in AUDIT_VERDICT_OF.items()]
    sums_text = tr(lang, "；", "; ").join(
        f'{i18n.verdict(v, lang)} {sum(int(counts.get(h, 0)) for h in hs)}'
        + (f' = {" + ".join(tr(lang, *HIGHLIGHT_LABELS[h][0]) for h in hs)}' if len(hs) > 1 else "")
        for v, hs in sums)
    verdicts = tr(lang, "核查的判断", "The verdicts of the audit")
    audit_line = f"<p>{verdicts}{tr(lang, '：', ': ')}{escape(sums_text)}{tr(lang, '。', '.')}</p>"
    legend = scroll_box(f'<table class="legend"><caption>{caption}</caption><thead><tr>'
                        f'<th>{tr(lang, "标注", "Highlight")}</th><th>{tr(lang, "论断", "Claims")}</th>'
                        f'<th>{tr(lang, "含义", "Meaning")}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>',
                        caption)
    problems = []
    smallest = diagnoses[diagnoses["smallest"]]
    for _, g in smallest.groupby("group", sort=True):
        figures = [f'{n.link(r.fact_id, lang)} ({escape(i18n.amount(r.printed, r.unit, lang))} → '
                   f'{escape(i18n.amount(r.needed, r.unit, lang))})' for r in g.itertuples()]
        if len(figures) > 1:
            problems.append(tr(lang, f"{'与'.join(figures)}互相矛盾：改其中任一个都能让所有路径成立，无法判定哪个印错",
                               f"{' and '.join(figures)} contradict each other: changing either one makes every "
                               "route hold, so which is misprinted cannot be told"))
        else:
            problems.append(tr(lang, f"诊断出的误印：{figures[0]}", f"diagnosed misprint: {figures[0]}"))
    for cid in statuses[statuses["flag"] == "contradicted"]["claim_id"]:
        c = n.claims[cid]
        printed = escape(i18n.amount(c["reported"], c["unit"], "zh"))
        problems.append(tr(lang, f"正式发布否定了论文的 {n.link(cid, 'zh')}（{printed}）",
                           f"a final release contradicts {n.link(cid, 'en')} "
                           f"({escape(i18n.amount(c['reported'], c['unit'], 'en'))})"))
    items = "".join(f"<li>{p}</li>" for p in problems)
    heading = tr(lang, "发现的独立问题", "Independent problems found")
    return f'{audit_line}{legend}<h2>{heading}</h2><ol class="problems">{items}</ol>'


ASSETS = Path(__file__).parent / "templates" / "annotated"  # the page's script


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")




def annotated_page(paper: Paper, marks: list[Mark], n: Notes, statuses: pd.DataFrame, diagnoses: pd.DataFrame,
                   figures: dict, lang: str, identity: str) -> str:
    """The whole annotated paper of ``lang``: summary, the paper, the notes."""
    numbered = sorted(marks, key=lambda m: m.number)
    name = escape(paper.path.name)
    built = tr(lang, f"由论文文本 <code>{name}</code>（SHA-256 <code>{paper.sha256}</code>）生成；"
                     f"核查所用的数据与代码：{escape(identity)}。",
               f"Built from the paper's text <code>{name}</code> (SHA-256 <code>{paper.sha256}</code>), "
               f"with the audit's {escape(identity)}.")
    how = tr(lang, "点击某处标注，或用 Tab 键移到它上面，即可打开它的注释；"
                   "按 Enter 进入注释，用 Tab 逐个经过其中的链接；"
                   "Esc 关闭注释并回到标注。注释中的编号链接跳到该数字在原文中的位置。"
                   "所有注释也按编号列在文末。论文正文保持中文原文。",
             "Click a highlight, or move to it with the Tab key, to open its note; Enter moves into the note, whose "
             "links Tab then goes through; Esc closes it and returns to the highlight. An id in a note jumps to "
             "where that figure is printed. Every note is also listed, numbered, at the end. The paper itself stays "
             "in Chinese.")
    body = (f'<h1>{escape(paper_pages.title("annotated_paper", lang))}</h1><p>{built}</p><p>{how}</p>'
            f'{summary_html(n, statuses, diagnoses, lang)}'
            f'<h2 id="the-paper">{tr(lang, "论文全文", "The paper")}</h2>'
            f'<section class="paper" lang="zh" aria-labelledby="the-paper">{paper_html(paper, marks, figures, lang)}'
            f'</section><section class="notes"><h2>{tr(lang, "注释", "Notes")}</h2><ol>'
            + "".join(note_html(n, m.claim_id, m.number, lang) for m in numbered)
            + f'</ol></section><div id="tm-pop" role="dialog" aria-label="{tr(lang, "注释", "Note")}" hidden></div>')
    return paper_pages.page("annotated_paper", lang, body, identity,
                            f"<script>\n{_asset('notes.js')}</script>")

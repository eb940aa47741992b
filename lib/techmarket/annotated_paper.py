"""The paper, annotated: its whole text in reading order with every registered claim highlighted
by its verdict, and beside each highlight a note with the printed value, every route's
arithmetic and inputs, the diagnosis, the official releases and where the reports examine it.

Highlights nest where spans nest; where two spans cross, the later one continues in a second
piece (``data-part="2"``) so that the markup stays well formed. Only the first piece of a claim's
highlight carries its id and takes keyboard focus. The notes are also the page's endnotes, so the
printed page carries them numbered.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from techmarket import i18n, paper_pages
from techmarket.claim_status import FLAG_LABELS, HIGHLIGHT_LABELS
from techmarket.i18n import tr
from techmarket.paper_text import MARKER, Paper

AUDIT_VERDICT_OF = {"consistent": ("consistent", "rounding", "restated"),
                    "inconsistent": ("diagnosed", "competing", "inconsistent"),
                    "ambiguous_wording": ("ambiguous_wording",), "undecidable": ("undecidable",),
                    "primary": ("primary",)}  # the audit's verdict -> the highlights it splits into
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
        out.append(html.escape(text[last:m.start()]).replace("\t", " · "))
        if m.group("ref"):
            n = m.group("ref")
            label = f'{tr(lang, "脚注", "footnote")} {n}'
            out.append(f'<sup><a href="#fn-{n}" id="fnref-{n}" aria-label="{label}">{n}</a></sup>')
        last = m.end()
    out.append(html.escape(text[last:]).replace("\t", " · "))
    return "".join(out)


def _open(mark: Mark, first: bool, height: int, lang: str) -> str:
    classes = f"hl h-{mark.highlight}" + (f" f-{mark.flag}" if mark.flag else "") + (" d" + str(height))
    if not first:
        return f'<span class="{classes}" data-claim="{mark.claim_id}" data-part="2">'
    label = tr(lang, *HIGHLIGHT_LABELS[mark.highlight][0])
    if mark.flag:
        label += "; " + tr(lang, *FLAG_LABELS[mark.flag][0])
    glyph = GLYPHS.get(mark.highlight, "") + (FLAG_GLYPH if mark.flag else "")
    return (f'<span class="{classes}" id="c-{mark.claim_id}" data-claim="{mark.claim_id}" data-n="{mark.number}" '
            f'data-glyph="{glyph}" tabindex="0" role="button" aria-describedby="n-{mark.claim_id}" '
            f'aria-label="{mark.claim_id}: {html.escape(label)}">')


def markup(text: str, start: int, end: int, marks: list[Mark], lang: str) -> str:
    """The text between ``start`` and ``end`` with the marks inside it as nested highlights; a mark
    that crosses another is closed and reopened as a continuation piece."""
    inside = [m for m in marks if start <= m.start and m.end <= end]
    heights: dict[str, int] = {}  # how many highlights stack inside (for the underline offsets), at most 4
    for m in sorted(inside, key=lambda m: m.end - m.start):
        within = [heights[o.claim_id] for o in inside if o.claim_id in heights and o is not m
                  and m.start <= o.start and o.end <= m.end]
        heights[m.claim_id] = min(4, 1 + max(within, default=0))
    points = sorted({start, end, *(m.start for m in inside), *(m.end for m in inside)})
    order = sorted(inside, key=lambda m: (m.start, -m.end, m.claim_id))
    stack: list[Mark] = []
    out = []
    for a, b in zip(points, points[1:], strict=False):
        ending = [m for m in stack if m.end == a]
        if ending:
            depth = min(stack.index(m) for m in ending)
            reopen = [m for m in stack[depth:] if m.end != a]
            out.append("</span>" * (len(stack) - depth))
            del stack[depth:]
            for m in reopen:
                out.append(_open(m, False, heights[m.claim_id], lang))
                stack.append(m)
        for m in order:
            if m.start == a:
                out.append(_open(m, True, heights[m.claim_id], lang))
                stack.append(m)
        out.append(_text_html(text[a:b], lang))
    out.append("</span>" * len(stack))
    return "".join(out)


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
        from techmarket.page_shell import data_href

        if ident in self.on_page:
            return f'<a class="in" href="#c-{ident}">{ident}</a>'
        return f'<a href="{data_href(ident, f"{lang}/data/")}">{ident}</a>'

    def text(self, text: str, lang: str) -> str:
        """A text of the audit shown in ``lang``: escaped, ids linked, Chinese terms marked on an
        English page."""
        from techmarket.page_shell import ID_RE

        shown = html.escape(str(text))
        if lang == "en":
            shown = i18n.mark_terms(shown)
        return ID_RE.sub(lambda m: self.link(m.group(0), lang), shown)


def _printed(n: Notes, cid: str, lang: str) -> str:
    from techmarket.culprits import fact_interval
    from techmarket.judge import fmt

    c = n.claims[cid]
    quote = f'<q lang="zh">{html.escape(i18n.span_text(c["span"]))}</q>'
    if not c["fact_id"] or c["fact_id"] not in n.facts:
        what = n.text(c["paraphrase_en"], lang) if lang == "en" else quote
        return f'<p>{tr(lang, "论断：", "Claim: ")}{what}</p>'
    interval = fact_interval(n.facts[c["fact_id"]])
    width = (tr(lang, "确数（整数个）", "exact (a whole count)") if interval.lo == interval.hi else
             f'{tr(lang, "四舍五入区间", "rounding interval")} {html.escape(fmt(interval, str(c["reported"]), 1))}')
    value = html.escape(i18n.amount(c["reported"], c["unit"], lang))
    return (f'<p>{tr(lang, "印出：", "Printed: ")}{quote} = {value}{tr(lang, "；", "; ")}'
            f"{width}</p>")


def _routes(n: Notes, cid: str, lang: str) -> str:
    rows = n.routes.get(cid, [])
    if not rows:  # the verdict's detail says so
        return ""
    items = []
    for r in rows:
        state = {"holds": tr(lang, "成立", "holds"), "fails": tr(lang, "不成立", "fails")}.get(r.holds, r.holds)
        why = (f' ({tr(lang, "由诊断出的数字解释", "explained by the diagnosed figure")} '
               f'{", ".join(n.link(x, lang) for x in r.explained_by)})' if r.explained_by else "")
        inputs = []
        for ident in r.inputs:
            if ident.startswith("D-") and ident in n.derived:
                d = n.derived[ident]
                inputs.append(f'{n.link(ident, lang)} = {n.text(d["formula_ids"], lang)}')
            else:  # a figure, a release, or the items a count claim lists ("C-37 items")
                inputs.append(n.text(ident, lang))
        items.append(f'<li><code>{n.text(r.arithmetic, lang)}</code> = {html.escape(r.shown)} — {state}{why}'
                     f'<br><small>{tr(lang, "输入：", "inputs: ")}{", ".join(inputs)}</small></li>')
    return f'<p>{tr(lang, "重算路径", "Routes")}:</p><ol class="routes">{"".join(items)}</ol>'


def _releases(n: Notes, cid: str, lang: str) -> str:
    rows = n.releases.get(cid, [])
    items = [f'<li>{n.link(r.ext_id, lang)} {html.escape(i18n.amount(r.value_text, r.unit, lang))} '
             f'({html.escape(i18n.qualifier(r.qualifier, lang))}), {n.text(r.publisher, lang)}: '
             f'{tr(lang, "一致" if r.agrees else "不同", "agrees" if r.agrees else "differs")}</li>'
             for r in rows]
    fid = n.claims[cid]["fact_id"]
    changed = [r for r in n.changes if r.fact_id == fid or r.claim_id == cid]
    items += [f'<li>{tr(lang, "若用正式数", "With the final figure")} {n.link(r.ext_id, lang)} '
              f'{tr(lang, "代替", "for")} {n.link(r.fact_id, lang)}: {n.link(r.claim_id, lang)} '
              f'{html.escape(r.before)} → {html.escape(r.after)} ({i18n.verdict(r.verdict_before, lang)} → '
              f'{i18n.verdict(r.verdict_after, lang)})</li>' for r in changed]
    if not items:
        return ""
    return f'<p>{tr(lang, "官方发布", "Official releases")}:</p><ul>{"".join(items)}</ul>'


def note_html(n: Notes, cid: str, number: int, lang: str) -> str:
    """One claim's note: verdict, printed value and interval, routes, diagnosis, releases, links."""
    c, s = n.claims[cid], n.statuses[cid]
    badge = f'<span class="sw h-{s["highlight"]}">{tr(lang, *HIGHLIGHT_LABELS[s["highlight"]][0])}</span>'
    if s["flag"]:
        badge += f' <span class="sw f-{s["flag"]}">{tr(lang, *FLAG_LABELS[s["flag"]][0])}</span>'
    register = tr(lang, "登记表中的条目", "its entry in the register")
    parts = [f'<p class="nh"><b class="num">{number}</b> '
             f'<a href="{lang}/data/claims.html#{cid}" title="{register}">{cid}</a> · {badge}</p>',
             _printed(n, cid, lang),
             f'<p>{n.text(c["detail_zh"] if lang == "zh" else c["detail"], lang)}</p>',
             _routes(n, cid, lang)]
    if c["needed"]:
        parts.append(f'<p>{tr(lang, "诊断：", "Diagnosis: ")}{tr(lang, "需要", "it would need")} '
                     f'{html.escape(i18n.amount(c["needed"], c["unit"], lang))}</p>')
    parts.append(_releases(n, cid, lang))
    links = []
    if cid in n.erratum:
        links.append(f'<a href="{paper_pages.file_name("erratum", lang)}#{n.erratum[cid]}">'
                     f'{tr(lang, "勘误条目", "erratum entry")}</a>')
    where = n.examined.get(cid)
    if where is not None:
        links.append(f'<a href="{where.href(lang)}">{tr(lang, "报告", "report")} {where.notebook[:2]} '
                     f'({where.cell_id})</a>')
    if links:
        parts.append(f'<p>{tr(lang, "参见：", "See: ")}{" · ".join(links)}</p>')
    return f'<li id="n-{cid}" value="{number}">{"".join(parts)}</li>'


def _footnotes(paper: Paper, start: int, end: int) -> str:
    return "".join(f'<p class="footnote" id="fn-{m.group("note")}"><sup>{m.group("note")}</sup> '
                   f'{html.escape(m.group("body").strip())} <a href="#fnref-{m.group("note")}" aria-label="↩">↩</a></p>'
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
        chart = f'<img src="data:image/png;base64,{png}" width="{width}" alt="{html.escape(alt)}">'
        where = (f' <small><a href="{location.href(lang)}">{tr(lang, "重绘于报告", "rebuilt in report")} '
                 f'{location.notebook[:2]}</a></small>')
    return f'<figure id="figure-{block.number}">{chart}<figcaption>{inner}{where}</figcaption></figure>'


def _table(paper: Paper, block, caption: str, marks: list[Mark], lang: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(paper.text[s:e].strip())}</th>' for s, e in block.rows[0])
    body = []
    for row in block.rows[1:]:
        cells = []
        for i, (s, e) in enumerate(row):
            inner = markup(paper.text, s, e, marks, lang)
            cls = ' class="num"' if i >= 2 else ""
            cells.append(f"<td{cls}>{inner}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="paper-table" id="table-{block.number}"><caption>{caption}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


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
    audit_line = f"<p>{verdicts}{tr(lang, '：', ': ')}{html.escape(sums_text)}{tr(lang, '。', '.')}</p>"
    legend = (f'<table class="legend"><caption>{caption}'
              f'</caption><thead><tr><th>{tr(lang, "标注", "Highlight")}</th><th>{tr(lang, "论断", "Claims")}</th>'
              f'<th>{tr(lang, "含义", "Meaning")}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    problems = []
    smallest = diagnoses[diagnoses["smallest"]]
    for _, g in smallest.groupby("group", sort=True):
        figures = [f'{n.link(r.fact_id, lang)} ({html.escape(i18n.amount(r.printed, r.unit, lang))} → '
                   f'{html.escape(i18n.amount(r.needed, r.unit, lang))})' for r in g.itertuples()]
        if len(figures) > 1:
            problems.append(tr(lang, f"{'与'.join(figures)}互相矛盾：改其中任一个都能让所有路径成立，无法判定哪个印错",
                               f"{' and '.join(figures)} contradict each other: changing either one makes every "
                               "route hold, so which is misprinted cannot be told"))
        else:
            problems.append(tr(lang, f"诊断出的误印：{figures[0]}", f"diagnosed misprint: {figures[0]}"))
    for cid in statuses[statuses["flag"] == "contradicted"]["claim_id"]:
        c = n.claims[cid]
        printed = html.escape(i18n.amount(c["reported"], c["unit"], "zh"))
        problems.append(tr(lang, f"正式发布否定了论文的 {n.link(cid, 'zh')}（{printed}）",
                           f"a final release contradicts {n.link(cid, 'en')} "
                           f"({html.escape(i18n.amount(c['reported'], c['unit'], 'en'))})"))
    items = "".join(f"<li>{p}</li>" for p in problems)
    heading = tr(lang, "发现的独立问题", "Independent problems found")
    return f'{audit_line}{legend}<h2>{heading}</h2><ol class="problems">{items}</ol>'


NOTE_SCRIPT = """<script>
(function () {
  // A highlight's note opens on focus or click; Enter moves into it (its links can then be
  // tabbed through); Tab past its last link goes on to the next highlight; Escape closes it and
  // returns to the highlight.
  var pop = document.getElementById("tm-pop"), current = null, quiet = false;
  var highlights = Array.prototype.slice.call(document.querySelectorAll(".hl[id]"));
  function place(hl) {
    var r = hl.getBoundingClientRect(), h = pop.offsetHeight;
    var right = window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left, right)) + "px";
    var below = r.bottom + 6 + h <= window.innerHeight || r.top - 6 - h < 0;
    pop.style.top = (window.scrollY + (below ? r.bottom + 6 : r.top - 6 - h)) + "px";
  }
  function open(hl) {
    var note = document.getElementById("n-" + hl.dataset.claim);
    if (!note) return;
    pop.innerHTML = note.innerHTML;
    pop.hidden = false;
    if (current) current.setAttribute("aria-expanded", "false");
    current = document.getElementById("c-" + hl.dataset.claim);
    current.setAttribute("aria-expanded", "true");
    place(current);
  }
  function close() {
    pop.hidden = true;
    if (current) current.setAttribute("aria-expanded", "false");
  }
  function back() {  // to the highlight, without reopening its note
    quiet = true; if (current) current.focus({preventScroll: true}); quiet = false;
  }
  function links() { return pop.querySelectorAll("a[href]"); }
  document.addEventListener("focusin", function (e) {
    var hl = e.target.closest && e.target.closest(".hl[id]");
    if (hl && !quiet) open(hl);
  });
  document.addEventListener("click", function (e) {
    var hl = e.target.closest(".hl");
    if (hl) { var first = document.getElementById("c-" + hl.dataset.claim); first.focus(); open(first); return; }
    var a = e.target.closest("#tm-pop a[href^='#c-']");
    if (a) {
      e.preventDefault();
      var t = document.getElementById(a.getAttribute("href").slice(1));
      t.scrollIntoView({block: "center"}); t.focus();
      return;
    }
    if (!e.target.closest("#tm-pop")) close();
  });
  document.addEventListener("keydown", function (e) {
    var inPop = pop.contains(document.activeElement);
    if (e.key === "Escape" && !pop.hidden) { close(); back(); return; }
    if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches(".hl[id]")) {
      e.preventDefault(); open(e.target);
      if (links().length) links()[0].focus();
      return;
    }
    if (e.key === "Tab" && inPop) {
      var all = links(), first = all[0], last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); back(); }
      if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        var next = highlights[highlights.indexOf(current) + 1];
        if (next) next.focus(); else { close(); back(); }
      }
    }
  });
})();
</script>"""

PAPER_CSS = """.paper{line-height:2.3;font-size:1.05em}.paper p{max-width:40em}.abstract{color:#333}
.hl{border-bottom:2px solid transparent;padding-bottom:calc(var(--h,1) * 3px - 2px);cursor:pointer;border-radius:0}
.hl.d1{--h:1}.hl.d2{--h:2}.hl.d3{--h:3}.hl.d4{--h:4}.hl:focus{outline:3px solid #000;outline-offset:2px}
.hl[id][data-glyph]:not([data-glyph=""])::after{content:attr(data-glyph);font-size:.7em;vertical-align:super;
font-weight:700;margin-left:1px}
.h-consistent{background:rgba(0,114,178,.10);border-bottom:2px solid #0072B2}
.h-rounding{background:rgba(0,114,178,.10);border-bottom:2px dashed #0072B2}
.h-restated{border-bottom:2px dotted #0072B2}
.h-diagnosed{background:repeating-linear-gradient(45deg,rgba(213,94,0,.30) 0 3px,transparent 3px 6px);
border-bottom:4px double #D55E00}
.h-competing{background:repeating-linear-gradient(-45deg,rgba(230,159,0,.40) 0 3px,transparent 3px 6px);
border-bottom:4px double #A05A00}
.h-inconsistent{background:repeating-linear-gradient(0deg,rgba(213,94,0,.30) 0 2px,transparent 2px 5px);
border-bottom:3px solid #D55E00}
.h-ambiguous_wording{background:rgba(240,228,66,.45);border-bottom:2px dashed #6b5f00}
.h-undecidable{background:rgba(0,0,0,.06);border-bottom:2px dashed #555}
.h-primary{border-bottom:1px dotted #888}
.f-contradicted,.f-overturned_by_final{border-top:2px solid #CC79A7}
.f-disputed,.f-differs_from_preliminary{border-top:2px dashed #CC79A7}
.sw{padding:0 .3em;white-space:nowrap}
#tm-pop{position:absolute;z-index:10;max-width:36em;background:#fff;border:1px solid #555;box-shadow:0 4px 14px
rgba(0,0,0,.25);padding:.4em 1em;line-height:1.5;font-size:.95em}
#tm-pop p,#tm-pop li{max-width:none}.notes li{margin-bottom:1em;line-height:1.5}.notes code,#tm-pop code{
white-space:normal;font-size:.9em}.paper-table td.num{text-align:right}.chart-data{font-size:.9em}
.footnote{font-size:.9em;color:#333}figure img{max-width:100%;height:auto}figcaption{text-align:center}
.legend td{vertical-align:middle}
@media print{#tm-pop,.hl[id][data-glyph]::after{display:none}.paper{line-height:2}
.hl[id]::after{content:attr(data-n) !important;display:inline !important;font-size:.6em;vertical-align:super;
border:.5px solid #777;border-radius:2px;padding:0 1px;margin-left:1px}
.notes{break-before:page;font-size:.85em}.notes li{break-inside:avoid;margin-bottom:.6em}.notes li p{margin:.15em 0}
.notes ol.routes{margin:.15em 0}a{color:inherit}.hl,.sw{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
.notes ol{list-style:none;padding-left:0}.num{border:1px solid #777;border-radius:3px;padding:0 .3em;font-size:.9em}"""


def annotated_page(paper: Paper, marks: list[Mark], n: Notes, statuses: pd.DataFrame, diagnoses: pd.DataFrame,
                   figures: dict, lang: str, identity: str) -> str:
    """The whole annotated paper of ``lang``: summary, the paper, the notes."""
    numbered = sorted(marks, key=lambda m: m.number)
    name = html.escape(paper.path.name)
    built = tr(lang, f"由论文文本 <code>{name}</code>（SHA-256 <code>{paper.sha256}</code>）生成；"
                     f"核查所用的数据与代码：{html.escape(identity)}。",
               f"Built from the paper's text <code>{name}</code> (SHA-256 <code>{paper.sha256}</code>), "
               f"with the audit's {html.escape(identity)}.")
    how = tr(lang, "点击某处标注，或用 Tab 键移到它上面，即可打开它的注释；"
                   "按 Enter 进入注释，用 Tab 逐个经过其中的链接；"
                   "Esc 关闭注释并回到标注。注释中的编号链接跳到该数字在原文中的位置。"
                   "所有注释也按编号列在文末。论文正文保持中文原文。",
             "Click a highlight, or move to it with the Tab key, to open its note; Enter moves into the note, whose "
             "links Tab then goes through; Esc closes it and returns to the highlight. An id in a note jumps to "
             "where that figure is printed. Every note is also listed, numbered, at the end. The paper itself stays "
             "in Chinese.")
    body = (f'<h1>{html.escape(paper_pages.title("annotated_paper", lang))}</h1><p>{built}</p><p>{how}</p>'
            f'{summary_html(n, statuses, diagnoses, lang)}'
            f'<h2>{tr(lang, "论文全文", "The paper")}</h2>'
            f'<main class="paper" lang="zh">{paper_html(paper, marks, figures, lang)}</main>'
            f'<section class="notes"><h2>{tr(lang, "注释", "Notes")}</h2><ol>'
            + "".join(note_html(n, m.claim_id, m.number, lang) for m in numbered)
            + '</ol></section><div id="tm-pop" role="dialog" aria-live="polite" hidden></div>')
    return paper_pages.page("annotated_paper", lang, body, identity, PAPER_CSS, NOTE_SCRIPT)

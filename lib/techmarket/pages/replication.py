"""The replication report, in the form the AEA Data Editor uses: every exhibit of the paper
(Figure 1, Figure 2, Table 1) and every number and comparison printed in its text, each with the
program that reproduces it, the output where it appears, and a status (``claim_status``).

Nothing here is typed by hand: a number's status is :func:`claim_status.statuses`'s, an
exhibit's follows from the numbers it prints (``EXHIBIT_RULE``), and the paper's classification
from the exhibits and numbers (``CLASSIFICATION_RULE``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from techmarket.data import i18n
from techmarket.data.i18n import tr
from techmarket.pages import paper_pages
from techmarket.pages.claim_status import REASON_LABELS, REASONS, REPLICATION, REPLICATION_LABELS
from techmarket.pages.shell import scroll_box
from techmarket.pages.untrusted import escape

EXHIBITS = {"Figure 1": ("图1", "Figure 1", "Figure 1"), "Figure 2": ("图2", "Figure 2", "Figure 2 data"),
            "Table 1": ("表1", "Table 1", "Table 1")}  # exhibit -> (zh, en, the facts' locator)
COLUMNS = ["item", "kind", "section", "as_printed", "printed", "status", "reason", "values", "checkable",
           "recomputed", "discrepancy", "notebook", "cell_id", "route", "output"]
EXHIBIT_RULE = (("一件图表的状态由它印出的数字决定：一个数字也没有留下的，无法重现（只留下图题）；"
                 "任一数字有出入的，有出入；"
                 "其余按能核对的数字中最弱的状态；没有能核对的数字的，无法重现，理由同其数字。"),
                ("An exhibit's status follows from the numbers it prints: with no number left, not reproducible "
                 "(only a caption survives); if any number has a discrepancy, reproduced with a discrepancy; "
                 "otherwise the weakest status among its checkable numbers; with no checkable number, not "
                 "reproducible, for its numbers' reason."))
CLASSIFICATION_RULE = (("完全重现：所有图表都已重现（含四舍五入内），正文数字无出入。"
                        "完全重现但有小问题：所有图表都已重现，"
                        "但有正文数字有出入。部分重现：至少一件图表无法重现或有出入。无从核对的原始数字只计数，不影响分类。"),
                       ("Full: every exhibit reproduced (exactly or within rounding) and no number in the text with "
                        "a discrepancy. Full with minor issues: every exhibit reproduced, some numbers in the text "
                        "with a discrepancy. Partial: at least one exhibit not reproducible or reproduced only with "
                        "a discrepancy. Primary figures that nothing can check are counted but do not change the "
                        "classification."))
CLASSES = {"full": ("完全重现", "full"), "full_minor": ("完全重现，但有小问题", "full with minor issues"),
           "partial": ("部分重现", "partial")}


def _exhibit(name: str, values: pd.DataFrame, where) -> dict:
    checkable = values[values["status"] != "not_reproducible"]
    if values.empty:
        status, reason = "not_reproducible", "caption_only"
    elif (values["status"] == "discrepancy").any():
        status, reason = "discrepancy", ""
    elif checkable.empty:
        status, reason = "not_reproducible", values["reason"].mode().iloc[0]
    else:
        status = max(checkable["status"], key=REPLICATION.index)
        reason = ""
    return {"item": name, "kind": "exhibit", "section": "", "as_printed": "", "printed": "", "status": status,
            "reason": reason, "values": len(values), "checkable": len(checkable), "recomputed": "",
            "discrepancy": "; ".join(values[values["status"] == "discrepancy"]["item"]),
            **_where(where), "route": ""}


def _where(where) -> dict:
    """The program (notebook and cell) and the output (the English report's anchor)."""
    return {"notebook": where.notebook if where else "", "cell_id": where.cell_id if where else "",
            "output": where.href("en") if where else ""}


def replication_table(audit, statuses: pd.DataFrame, facts: pd.DataFrame, examined: dict) -> pd.DataFrame:
    """One row per exhibit, then one per claim, with its status, program and output."""
    st = statuses.set_index("claim_id")
    routes = audit.routes.groupby("claim_id")["formula_ids"].agg(" ; ".join)
    rows = []
    for c in audit.claims.itertuples():
        s = st.loc[c.claim_id]
        where = examined.get(c.claim_id)
        discrepancy = ""
        if s["replication"] == "discrepancy":
            discrepancy = c.detail if c.verdict != "primary" else c.external_detail
        rows.append({"item": c.claim_id, "kind": "number" if c.fact_id else "comparison", "section": c.section,
                     "as_printed": i18n.span_text(c.span), "printed": f"{c.reported} {c.unit}".strip(),
                     "status": s["replication"], "reason": s["reason"], "values": 1,
                     "checkable": int(s["replication"] != "not_reproducible"), "recomputed": c.recomputed,
                     "discrepancy": discrepancy, **_where(where), "route": routes.get(c.claim_id, "")})
    numbers = pd.DataFrame(rows, columns=COLUMNS)
    locator = dict(zip(facts["fact_id"], facts["locator"], strict=True))
    fact_of = dict(zip(audit.claims["claim_id"], audit.claims["fact_id"], strict=True))
    exhibits = []
    for name, (_, _, loc) in EXHIBITS.items():
        values = numbers[[locator.get(fact_of[i], "") == loc for i in numbers["item"]]]
        # where the figure is redrawn, else where the report examines its first value
        where = examined.get(name) or next((examined[i] for i in values["item"] if i in examined), None)
        exhibits.append(_exhibit(name, values, where))
    return pd.concat([pd.DataFrame(exhibits, columns=COLUMNS), numbers], ignore_index=True)


def classification(table: pd.DataFrame) -> str:
    """The paper's overall classification (a key of ``CLASSES``), by ``CLASSIFICATION_RULE``."""
    exhibits = table[table["kind"] == "exhibit"]["status"]
    text = table[table["kind"] != "exhibit"]["status"]
    if exhibits.isin(["not_reproducible", "discrepancy"]).any():
        return "partial"
    return "full_minor" if (text == "discrepancy").any() else "full"


def _status(row, lang: str) -> str:
    label = tr(lang, *REPLICATION_LABELS[row.status])
    if row.reason:
        label += tr(lang, "：", ": ") + tr(lang, *REASON_LABELS[row.reason])
    return f'<span class="st st-{row.status}">{escape(label)}</span>'


ITEMS_LABEL = ("每个项目的重现状态", "Every item's replication status")
COUNTS_CAPTION = ("正文数字与比较，按状态计数", "Numbers and comparisons in the text, by status")
HEADS = [("项目", "Item"), ("原文", "As printed"), ("状态", "Status"), ("重算", "Recomputed"), ("出入", "Discrepancy"),
         ("程序", "Program"), ("输出", "Output")]


def _row_html(r, lang: str) -> str:
    from techmarket.pages.report_locations import Location

    if r.kind == "exhibit":
        item = escape(tr(lang, *EXHIBITS[r.item][:2]))
        extra = tr(lang, f"（印出{r.values}个数字，{r.checkable}个可核对）",
                   f" ({r.values} values printed, {r.checkable} checkable)")
    else:
        item = f'<a href="{paper_pages.file_name("annotated_paper", lang)}#c-{r.item}">{r.item}</a>'
        extra = ""
    where = Location(r.notebook, r.cell_id) if r.notebook else None
    report = f'{tr(lang, "报告", "report")} {r.notebook[:2]}'
    output = f'<a href="{escape(where.href(lang))}">{report}</a>' if where else "—"
    program = f"<code>{paper_pages.audit_text(where.program(), lang)}</code>" if where else ""
    route = f"<code>{paper_pages.audit_text(r.route, lang)}</code>" if r.route else ""
    return (f'<tr class="k-{r.kind}"><th scope="row">{item}</th><td lang="zh">{escape(r.as_printed)}</td>'
            f"<td>{_status(r, lang)}{extra}</td><td class=\"num\">{escape(r.recomputed) or '—'}</td>"
            f"<td>{paper_pages.audit_text(r.discrepancy, lang) or '—'}</td>"
            f"<td>{'<br>'.join(x for x in (program, route) if x) or '—'}</td>"
            f"<td>{output}</td></tr>")


# written by `make faults` (benchmarks/faults_benchmark.py --write); beside the code, so that the build's
# cache (keyed on lib/) rebuilds this page when a new measurement is saved
FAULTS_TABLE = Path(__file__).with_name("faults_table.csv")
OUTCOMES = {"alone": ("单独定位", "located alone"),
            "competing": ("列于相互竞争的候选之中", "among competing candidates"),
            "cascade": ("连带误报", "cascade"), "wrong_blame": ("归咎错误", "wrong blame"),
            "stopped": ("审计中止", "audit stopped"), "undetected": ("未发现", "undetected")}
FAULT_ROWS = {"last_digit": ("末位数字差1", "last digit off by one"),
              "swap": ("相邻两位互换", "adjacent digits swapped"),
              "point_right": ("小数点右移一位", "decimal point one place right"),
              "point_left": ("小数点左移一位", "decimal point one place left"),
              "dropped_digit": ("漏排一位数字", "a digit dropped"),
              "word": ("汉字数字差1", "number in words off by one"),
              "all": ("合计", "all"), "Table 1": ("表1", "Table 1"), "Figure 2": ("图2数据", "Figure 2 data"),
              "pairs": ("不相关部分的两处误印", "two misprints in unrelated parts")}
TARGETS = {"cascades": ("连带误报", "cascades"), "wrong blames": ("归咎错误", "wrong blames"),
           "stopped audits": ("审计中止", "stopped audits"), "tracebacks": ("程序崩溃", "tracebacks"),
           "pairs with both figures named": ("两处都被指出的误印对", "pairs with both figures named"),
           "median candidate set": ("候选集大小的中位数", "median candidate set"),
           "sets larger than 3 that say why": ("多于3个候选且说明原因的", "sets larger than 3 that say why"),
           "wall time (s)": ("用时（秒）", "wall time (s)"),
           "CPU time per worker (s)": ("每个进程的处理器时间（秒）", "CPU time per worker (s)")}
TRUST_TEXT = (("把论文每个印出的数字逐一按排版常见的错误改动（数值、原文和论断表同时改），对每个副本运行同一审计，"
               "再抽取100对位于不相关部分的两处误印；下表是审计的结果，像statcheck的效度研究那样说明审计能被信任到什么程度。"),
              ("Every printed figure of the paper is misprinted the ways printers err (its value, its verbatim span "
               "and its claims row alike), one at a time, and each copy is audited; then 100 pairs of misprints in "
               "unrelated parts of the paper. The tables give what the audit made of them, as statcheck's validity "
               "study reports its sensitivity and specificity."))


UNREAD, STILL = "no route reads the figure", "every route that reads it still holds"  # the benchmark's reasons


GOALS = {"all detected": ("被发现的全部", "all detected"), "all": ("全部", "all")}


def _words(text: str, lang: str) -> str:
    """A target's value or goal in ``lang``: "13 of 13" → "13中13", "all" → "全部"."""
    m = re.fullmatch(r"(\d+) of (\d+)", text)
    if m:
        return tr(lang, f"{m.group(2)}中{m.group(1)}", text)
    return tr(lang, *GOALS[text]) if text in GOALS else text


def _fault_label(row: str, lang: str) -> str:
    if row in FAULT_ROWS:
        return tr(lang, *FAULT_ROWS[row])
    return tr(lang, f"第{row[1:]}节", row) if row.startswith("§") else row


def trust_html(lang: str, path=FAULTS_TABLE) -> str:
    """How far the audit can be trusted: the faults benchmark's last measured table (or that it
    has not been measured)."""
    try:
        t = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError):
        return f"<p>{tr(lang, '尚未测量。', 'Not measured yet (run make faults).')}</p>"
    head = "".join(f"<th>{tr(lang, *label)}</th>" for label in OUTCOMES.values())
    blocks = []
    captions = (("kind", ("按误印类型", "By kind of misprint"), ("误印类型", "misprint")),
                ("section", ("按论文部分", "By part of the paper"), ("论文部分", "part of the paper")),
                ("pairs", ("两处误印", "Two misprints at once"), ("误印", "misprints")))
    for part, caption, corner in captions:
        rows = "".join(f"<tr><th scope=\"row\">{escape(_fault_label(r.row, lang))}</th>"
                       + "".join(f'<td class="num">{getattr(r, o)}</td>' for o in OUTCOMES)
                       + f'<td class="num">{r.total}</td></tr>' for r in t[t["part"] == part].itertuples())
        blocks.append(scroll_box(f"<table><caption>{tr(lang, *caption)}</caption><thead><tr>"
                                 f"<th scope=\"col\">{tr(lang, *corner)}</th>{head}"
                                 f"<th>{tr(lang, '合计', 'total')}</th></tr></thead><tbody>{rows}</tbody></table>",
                                 tr(lang, *caption)))
    sizes = "，".join if lang == "zh" else ", ".join
    size_text = sizes(f"{r.row}: {r.total}" for r in t[t["part"] == "size"].itertuples())
    targets = "".join(f"<tr><th scope=\"row\">{tr(lang, *TARGETS.get(r.row, (r.row, r.row)))}</th>"
                      f'<td class="num">{escape(_words(r.value, lang))}</td>'
                      f"<td>{escape(_words(r.target, lang))}</td>"
                      f"<td>{'' if not r.target else tr(lang, '是', 'yes') if r.met == 'yes' else tr(lang, '否', 'no')}"
                      "</td></tr>"
                      for r in t[t["part"] == "target"].itertuples())
    missed = {r.row: r.total for r in t[t["part"] == "undetected"].itertuples()}
    missed_text = tr(lang, f"未发现的误印中，{missed.get(UNREAD, 0)}处没有任何路径读取该数字，"
                           f"{missed.get(STILL, 0)}处读取它的每条路径在误印后仍成立"
                           "（在四舍五入范围内，或比较的方向不变）。",
                     f"Of the undetected misprints, {missed.get(UNREAD, 0)} are of figures no route reads, and "
                     f"{missed.get(STILL, 0)} leave every route that reads the figure holding (within rounding, or "
                     f"on the same side of a comparison).")
    measured = next((r.measured for r in t[t["part"] == "target"].itertuples()), "")
    return (f"<h2>{tr(lang, '审计能被信任到什么程度', 'How far the audit can be trusted')}</h2>"
            f"<p>{tr(lang, *TRUST_TEXT)} {tr(lang, '测量日期：', 'Measured ')}"
            f"{escape(measured)}{tr(lang, '。', '.')}</p>"
            + "".join(blocks) + f"<p>{missed_text}</p>"
            + f"<p>{tr(lang, '候选集大小（被发现的单处误印）：', 'Candidate-set sizes (detected single misprints): ')}"
            f"{escape(size_text)}</p>"
            + scroll_box(f"<table><caption>{tr(lang, '目标', 'Targets')}</caption><thead><tr>"
                         f"<th scope=\"col\">{tr(lang, '指标', 'measure')}</th>"
                         f"<th>{tr(lang, '结果', 'value')}</th><th>{tr(lang, '目标', 'target')}</th>"
                         f"<th>{tr(lang, '达到', 'met')}</th></tr></thead><tbody>{targets}</tbody></table>",
                         tr(lang, "目标", "Targets")))


def replication_page(table: pd.DataFrame, lang: str, identity: str) -> str:
    """The replication report of ``lang``."""
    verdict = classification(table)
    counts = table[table["kind"] != "exhibit"].groupby(["status", "reason"]).size()
    counts = counts.sort_index(key=lambda level: level.map(lambda v: (REPLICATION + ("",) + REASONS).index(v)))
    count_rows = "".join(f"<tr><td>{_status(pd.Series({'status': s, 'reason': r}), lang)}</td>"
                         f'<td class="num">{n}</td></tr>' for (s, r), n in counts.items())
    body = (f"<h1>{escape(paper_pages.title('replication', lang))}</h1>"
            f"<p><b>{tr(lang, '论文的分类：', 'Classification of the paper: ')}{tr(lang, *CLASSES[verdict])}</b></p>"
            f"<p>{tr(lang, '判定规则：', 'Rule: ')}{tr(lang, *CLASSIFICATION_RULE)}</p>"
            f"<p>{tr(lang, '图表的状态：', 'Exhibits: ')}{tr(lang, *EXHIBIT_RULE)}</p>"
            + scroll_box(f"<table><caption>{tr(lang, *COUNTS_CAPTION)}</caption><tbody>{count_rows}</tbody></table>",
                         tr(lang, *COUNTS_CAPTION))
            + trust_html(lang) +
            f'<p><a href="replication.csv">replication.csv</a> · '
            f'{tr(lang, "同一张表，每行一个项目", "the same table, one row per item")}</p>'
            + scroll_box(f"<table class=\"rep\"><thead><tr>{''.join(f'<th>{tr(lang, *h)}</th>' for h in HEADS)}</tr>"
                         f"</thead><tbody>{''.join(_row_html(r, lang) for r in table.itertuples())}</tbody></table>",
                         tr(lang, *ITEMS_LABEL)))
    return paper_pages.page("replication", lang, body, identity)

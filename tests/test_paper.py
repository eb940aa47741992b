"""The facts table against the paper's text (read from ../shared/paper, which CI lays beside
the project; the package reads it only in the optional span check of `check-data`).

- every span is a verbatim substring of the paper and states the row's value;
- Table 1 and Figure 2's chart data, parsed from the text independently, match the rows;
- every number printed in the paper is covered by some fact's span, apart from the kinds of
  number listed in NOT_QUANTITIES (dates, citation marks, headings, labels).
"""
from __future__ import annotations

import re

import pytest

from techmarket.data.loaders import load_claims, load_facts
from techmarket.data.paper_checks import spans_not_in_paper, spans_not_stating_value, states_value

NUMBER_RE = re.compile(r"\d{1,3}(?: \d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")

TABLE1_START = "表1 2020年主要省市技术交易情况"
TABLE1_END = "4.3区域技术交易平台有待完善"
FIG2_START = " 技术合同成交额/GDP"
TABLE1_COLUMNS = {("rank", "turnover"): 0, ("level", "turnover"): 2,
                  ("share", "turnover"): 3, ("level", "turnover_to_gdp"): 4}


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def test_every_span_is_verbatim_in_the_paper(facts, paper_text):
    missing = [str(p) for p in spans_not_in_paper(facts, paper_text)]
    assert not missing, "spans not found verbatim in the paper (data/paper/facts.csv):\n" + "\n".join(missing)


def test_every_span_states_its_value(facts):
    bad = [str(p) for p in spans_not_stating_value(facts)]
    assert not bad, "span does not print the value (data/paper/facts.csv):\n" + "\n".join(bad)


def test_span_checks_name_the_line_the_column_and_the_fact(facts):
    wrong = facts.copy()
    wrong.loc[wrong.fact_id == "S2.1-03", "value"] = "3465.9"
    [problem] = spans_not_stating_value(wrong)
    assert (problem.line, problem.column, problem.ident) == (8, "span", "S2.1-03") and "3465.9" in problem.rule
    assert str(problem).startswith("line 8 (S2.1-03), column 'span': ")
    [problem] = spans_not_in_paper(facts[facts.fact_id == "S2.1-03"], "some other text")
    assert (problem.line, problem.column, problem.ident) == (8, "span", "S2.1-03")
    assert str(problem).startswith("line 8 (S2.1-03), column 'span': span: not found verbatim in the paper")


def test_states_value_rejects_a_wrong_number():
    assert states_value("合同成交额3 465.92亿元", "3465.92", "level")
    assert not states_value("合同成交额3 465.92亿元", "3465.9", "level")
    assert not states_value("合同成交额3 465.92亿元", "465.92", "level")
    assert states_value("由全省第七跃居全省第三", "7", "rank")
    assert not states_value("由全省第七跃居全省第三", "5", "rank")


def _table1_rows(paper_text: str) -> dict[str, list[str]]:
    block = paper_text[paper_text.index(TABLE1_START) + len(TABLE1_START):paper_text.index(TABLE1_END)]
    rows = {}
    for chunk in block.split("\n\n"):
        cells = [c.strip() for c in chunk.strip("\n").split("\n")]
        if len(cells) == 5 and cells[1] != "地区":
            rows[cells[1]] = cells
    return rows


def test_table1_parsed_from_text_matches_every_row(facts, paper_text):
    rows = _table1_rows(paper_text)
    assert list(rows) == ["全国", "北京", "广东", "江苏", "山东", "上海", "陕西", "湖北", "浙江", "四川", "天津"]
    t1 = facts[facts.locator == "Table 1"]
    seen = set()
    for r in t1.itertuples():
        col = TABLE1_COLUMNS[(r.measure, r.indicator)]
        cell = rows[r.geo][col]
        assert cell == r.span, (r.fact_id, cell, r.span)
        assert re.sub(r"[ %]", "", cell) == r.value, (r.fact_id, cell, r.value)
        seen.add((r.geo, col))
    cells = {(g, c) for g, row in rows.items() for c in (0, 2, 3, 4) if row[c]}
    assert cells == seen, f"Table 1 cells without a fact: {sorted(cells - seen)}"


def test_figure2_chart_data_matches_rows(facts, paper_text):
    tail = paper_text[paper_text.index(FIG2_START):]
    tokens = [t.strip() for t in re.split(r"[\t\n]", tail) if t.strip()]
    years = [int(t) for t in tokens[1:6]]
    gdp_series = dict(zip(years, tokens[6:11], strict=True))
    assert years == [2016, 2017, 2018, 2019, 2020]
    assert tokens[11:14] == ["技术合同成交额/R", "&", "D经费"]
    rd_first = tokens[14]
    f2 = facts[facts.locator == "Figure 2 data"]
    got_gdp = {int(r.year): r.value for r in f2.itertuples() if r.indicator == "turnover_to_gdp"}
    got_rd = {int(r.year): r.value for r in f2.itertuples() if r.indicator == "turnover_to_rd"}
    assert got_gdp == gdp_series
    assert got_rd == {2016: rd_first}
    assert len(tokens) == 15, "the R&D series has more points than the one recorded"


# --- coverage: every number printed in the paper ---------------------------------------------
NOT_QUANTITIES = {
    "dates": r"(?<![\d.])(19[89]\d|20[0-3]\d)(?=年|-|～)|(?<=[-～])(19[89]\d|20[0-3]\d)(?=年)",
    "citation, bookmark and footnote marks": r"\[[^\]]*\]",
    "section headings": r"(?m)^\s*\d(\.\d)?(?=\s?[\u4e00-\u9fff])",
    "figure and table labels": r"[图表]\s*\d+",
    "technology names (5G)": r"\d+G(?![A-Za-z])",
}


def _blank(text: str, pattern: str) -> str:
    return re.sub(pattern, lambda m: " " * len(m.group(0)), text)


def uncovered_numbers(paper_text: str, spans: set[str]) -> list[str]:
    text = paper_text
    # Table 1 and the chart data are matched cell by cell above
    t0, t1 = text.index(TABLE1_START), text.index(TABLE1_END)
    text = text[:t0] + " " * (t1 - t0) + text[t1:]
    f0 = text.index(FIG2_START)
    text = text[:f0] + " " * (len(text) - f0)
    for pattern in NOT_QUANTITIES.values():
        text = _blank(text, pattern)
    covered = [False] * len(text)
    for span in spans:
        start = paper_text.find(span)
        while start != -1:
            covered[start:start + len(span)] = [True] * len(span)
            start = paper_text.find(span, start + 1)
    out = []
    for m in NUMBER_RE.finditer(text):
        if not all(covered[m.start():m.end()]):
            out.append(f"{m.group(0)!r} in …{paper_text[max(0, m.start() - 15):m.end() + 10]}…")
    return out


def text_spans(facts) -> set[str]:
    """Spans outside Table 1 (whose cell spans, such as '3', are matched by position above)."""
    return set(facts.loc[facts.locator != "Table 1", "span"])


def test_every_number_in_the_paper_is_a_fact(facts, paper_text):
    missing = uncovered_numbers(paper_text, text_spans(facts))
    assert not missing, "numbers printed in the paper but not in data/paper/facts.csv:\n" + "\n".join(missing)


def test_coverage_check_notices_a_dropped_fact(facts, paper_text):
    spans = text_spans(facts) - {"陆续开展3次考核评价"}
    missing = uncovered_numbers(paper_text, spans)
    assert len(missing) == 1 and missing[0].startswith("'3'")


COMPARATIVE_WORDS = ("首次", "最大", "最高", "最多", "首位", "第一", "第二", "第三", "第六", "第七", "其次", "居首",
                     "领先", "超过", "超越", "突破", "高于", "低于", "落后", "之后", "优于", "逐年", "不断", "一体",
                     "三足", "三甲", "双轮", "双区", "一家独大", "率先", "前列", "更少", "多数", "不到")
NOT_COMPARATIVE = {  # (word, the text around it): why no claim is registered
    ("第三", "等第三方机构"): "third party (第三方), not an ordinal",
    ("一体", "“一平台、一中心、一体系”"): "一体系 is a system's name, not a count",
    ("一体", "服务于一体的"): "integrated (集…于一体), not a count",
    ("双区", "推动“双区”建设"): "the two zones again, named at their first mention (C-59)",
    ("前列", "不少还是走在全国前列"): "no rank, number or comparison figure is stated for the policies",
    ("更少", "发展路径研究更少"): "about the research literature, not the market",
}


def test_every_comparative_statement_is_registered(paper_text):
    """Every comparative word of the paper (superlatives, ordinals, 首次, 超过, directions of change,
    counts of named items) lies inside the span of a registered claim, or is listed above with the
    reason it is not a comparison of quantities."""
    covered = [False] * len(paper_text)
    for span in load_claims()["span"]:
        start = paper_text.find(span)
        while start != -1:
            covered[start:start + len(span)] = [True] * len(span)
            start = paper_text.find(span, start + 1)
    missing, excused = [], set()
    for word in COMPARATIVE_WORDS:
        for m in re.finditer(word, paper_text):
            if all(covered[m.start():m.end()]):
                continue
            around = paper_text[max(0, m.start() - 12):m.end() + 12]
            reason = [k for k in NOT_COMPARATIVE if k[0] == word and k[1] in around]
            if reason:
                excused.update(reason)
            else:
                missing.append(f"{word}: …{around}…")
    assert not missing, "comparative statements without a claim in data/paper/claims.csv:\n" + "\n".join(missing)
    assert excused == set(NOT_COMPARATIVE)  # every excuse is still needed

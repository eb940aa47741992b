"""The views of the paper as a whole (#12): the annotated paper, the replication report, the erratum.

Unit tests of the parts (the paper's blocks, locating spans, nesting highlights, substituting a
value), then checks of the built pages against what ``make verify`` writes (claims_audit.csv),
each derived here independently of the code that made the page: the highlight's text and section
are read back from the page, the verdicts from the audit's CSV, the spans from data/.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from techmarket.cli.main import main
from techmarket.data.errors import InputError
from techmarket.data.i18n import span_text
from techmarket.data.paths import CLAIMS_CSV, FACTS_CSV, NOTEBOOKS_DIR, REPORTS_DIR, SHARED_PAPER
from techmarket.pages.annotated_paper import Mark, markup
from techmarket.pages.erratum import value_position
from techmarket.pages.paper_text import Paper, SpanNotFound, locate, parse, read_paper, sentence_around

MINI = ("  摘要：短文。\n  Abstract: short.\n1研究背景\n全国成交额2.83万亿元，增长10%。\n"
        "2 概况[footnoteRef:1] [1:  本节数据来自统计。]\n2.1规模\n"
        "[bookmark: _Toc1]广东成交额3 465.92亿元，是2016年4.39倍。\n"
        "图 1  成交额\n表1 2020年\n\t序号\n\t地区\n\t成交额（亿元）\n\n"
        "\t1\n\t北京\n\t6 316.16 \n\n\t2\n\t广东\n\t3 465.92 \n\n"
        "2.2贡献\n广东成交额3 465.92亿元。\n 技术合同成交额/GDP\t\n2016\t2017\t0.98\t1.06\n")


def mini_paper(text: str = MINI) -> Paper:
    return Paper(Path("mini.txt"), text, "0" * 64, parse(text))


def test_blocks_in_reading_order():
    p = mini_paper()
    kinds = [(b.kind, b.number or b.lang, b.section) for b in p.blocks]
    assert kinds == [("abstract", "zh", ""), ("abstract", "en", ""), ("heading", "1", "1"), ("paragraph", "zh", "1"),
                     ("heading", "2", "2"), ("heading", "2.1", "2.1"), ("paragraph", "zh", "2.1"),
                     ("caption", "1", "2.1"), ("caption", "1", "2.1"), ("table", "1", "2.1"),
                     ("heading", "2.2", "2.2"), ("paragraph", "zh", "2.2"), ("chart_data", "zh", "2.2"),
                     ("chart_data", "zh", "2.2")]
    table = p.blocks[9]
    assert [[p.text[s:e].strip() for s, e in row] for row in table.rows] == [
        ["序号", "地区", "成交额（亿元）"], ["1", "北京", "6 316.16"], ["2", "广东", "3 465.92"]]
    assert p.visible(p.blocks[6].start, p.blocks[6].end) == "广东成交额3 465.92亿元，是2016年4.39倍。"


def _claims(rows: list[tuple[str, str, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    claims = pd.DataFrame(rows, columns=["claim_id", "fact_id", "section", "span"])
    facts = pd.DataFrame({"fact_id": ["T1-01", "F2-01"], "locator": ["Table 1", "Figure 2 data"],
                          "geo": ["广东", "广东"]})
    return claims, facts


def test_locate_uses_the_claims_section_the_table_row_and_the_chart_data():
    p = mini_paper()
    claims, facts = _claims([("A", "", "2.1", "成交额3 465.92亿元"), ("B", "", "2.2", "成交额3 465.92亿元"),
                             ("T1-01", "T1-01", "4.2", "3 465.92"), ("F2-01", "F2-01", "2.2", "0.98\t1.06")])
    found = locate(p, claims, facts).set_index("claim_id")
    starts = {cid: int(found.loc[cid, "start"]) for cid in found.index}
    assert starts["A"] == MINI.index("成交额3 465.92亿元，是")
    assert starts["B"] == MINI.rindex("成交额3 465.92亿元")
    assert starts["T1-01"] == MINI.index("\t3 465.92 \n") + 1  # in 广东's row, not the text's first 3 465.92
    assert MINI[starts["F2-01"]:starts["F2-01"] + 9] == "0.98\t1.06"


@pytest.mark.parametrize(("section", "span", "says"), [
    ("2.1", "成交额9 999亿元", "not found verbatim in §2.1"),
    ("1", "成交额3 465.92亿元", "not found verbatim in §1"),  # printed, but in another section
    ("2.1", "3 465.92", "printed 2 times"),  # twice in the section (text and Table 1 excluded: once) …
])
def test_a_span_not_where_the_registry_says_stops_with_the_claim(section, span, says):
    text = MINI.replace("是2016年4.39倍", "是2016年3 465.92倍") if says == "printed 2 times" else MINI
    claims, facts = _claims([("S9-99", "", section, span)])
    with pytest.raises(SpanNotFound, match=rf"claim S9-99: .*{re.escape(says)}"):
        locate(mini_paper(text), claims, facts)


def test_read_paper_refuses_a_file_without_headings(tmp_path):
    (tmp_path / "x.txt").write_text("not the paper\n", encoding="utf-8")
    with pytest.raises(InputError, match="no numbered heading"):
        read_paper(tmp_path / "x.txt")


class Highlights(HTMLParser):
    """The visible text of a page and, for each highlight, where it starts and its text (pieces
    joined); the section heading (``id="s-N"``) and table row each highlight stands in."""

    def __init__(self, root_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.text, self.stack, self.marks, self.section, self.row = [], [], {}, "", []
        self.first_ids: list[str] = []
        self.in_hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "sup", "button"):  # a highlight's button is not the paper's text
            self.in_hidden += 1
        if tag in ("h2", "h3") and (a.get("id") or "").startswith("s-"):
            self.section = a["id"][2:]
        if tag == "tr":
            self.row = []
        if tag == "span" and "hl" in (a.get("class") or "").split():
            cid = a["data-claim"]
            if "id" in a:
                assert a["id"] == f"c-{cid}"
                self.first_ids.append(cid)
                self.marks[cid] = {"start": len("".join(self.text)), "text": [], "classes": a["class"].split(),
                                   "section": self.section, "row": self.row, "n": a.get("data-n")}
            self.stack.append(cid)
        elif tag == "span":
            self.stack.append(None)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "sup", "button"):
            self.in_hidden -= 1
        if tag == "span":
            self.stack.pop()

    def handle_data(self, data):
        if self.in_hidden:
            return
        self.text.append(data)
        self.row.append(data)
        for cid in {c for c in self.stack if c}:
            self.marks[cid]["text"].append(data)


def test_crossing_and_nested_spans_stay_well_formed():
    text = "abcdefgh"
    marks = [Mark("A", 0, 4, "consistent", "", 1), Mark("B", 2, 6, "primary", "", 2),
             Mark("C", 2, 3, "diagnosed", "contradicted", 3), Mark("D", 2, 3, "rounding", "", 4)]
    page = markup(text, 0, len(text), marks, "en")
    assert page.count("<span") == page.count("</span>")
    parsed = Highlights()
    parsed.feed(f"<p>{page}</p>")
    assert {c: "".join(m["text"]) for c, m in parsed.marks.items()} == {"A": "abcd", "B": "cdef", "C": "c", "D": "c"}
    assert parsed.first_ids == ["A", "B", "C", "D"]
    assert len(re.findall(r'<span[^>]*data-claim="B"', page)) == 2 and page.count('data-part="2"') == 1  # B continues
    assert "f-contradicted" in page and 'data-glyph="✗!"' in page
    # each highlight's first piece ends with the one button that opens its note (B's ends where A closes)
    assert re.findall(r'id="b-(\w)"', page) == ["D", "C", "B", "A"] and page.count("<button") == 4
    assert re.search(r'>d<button[^>]*id="b-B"[^>]*>.*?</button></span><button[^>]*id="b-A"', page)
    assert "tabindex" not in page and "role=" not in page  # the highlights themselves are not interactive


def test_value_position_and_sentences():
    span = "技术交易额2 652.07亿元，是2016年3.36倍"
    assert value_position(span, "3.36") == (span.index("3.36"), span.index("3.36") + 4)
    assert value_position("成交额3 465.92亿元", "3465.92") == (3, 11)
    assert value_position("由2.52%增加至2.52%", "2.52") is None  # twice: no place to correct
    p = mini_paper()
    s, e = sentence_around(p, MINI.index("4.39"), MINI.index("4.39") + 4)
    assert p.visible(s, e).strip() == "广东成交额3 465.92亿元，是2016年4.39倍。"


def test_annotate_stops_naming_the_claim_when_a_span_is_altered(tmp_path, capsys, paper_text):
    text = paper_text
    altered = tmp_path / "paper.txt"
    altered.write_text(text.replace("年均增长36.36%", "年均增长36.63%"), encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in REPORTS_DIR.glob("*.*")}
    assert main(["annotate", "--paper", str(altered)]) == 1
    err = capsys.readouterr().err
    assert "claim S2.1-08" in err and "not found verbatim in §2.1" in err and "nothing was written" in err
    assert {p: p.stat().st_mtime_ns for p in REPORTS_DIR.glob("*.*")} == before


def test_annotate_refuses_a_missing_or_undecodable_file(tmp_path, capsys):
    assert main(["annotate", "--paper", str(tmp_path / "nope.txt")]) == 1
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "gb.txt").write_bytes("1研究背景\n技术市场".encode("gb18030"))
    assert main(["annotate", "--paper", str(tmp_path / "gb.txt")]) == 1
    assert "expected UTF-8" in capsys.readouterr().err


# --- the built pages -------------------------------------------------------------------------------

HIGHLIGHT_OF = {"consistent": {"consistent", "rounding", "restated"}, "inconsistent": {"diagnosed", "competing",
                                                                                      "inconsistent"},
                "ambiguous_wording": {"ambiguous_wording"}, "undecidable": {"undecidable"}, "primary": {"primary"}}
FLAGGED = {"contradicted", "disputed", "overturned_by_final", "differs_from_preliminary"}


@pytest.fixture(scope="module")
def built(built_reports, paper_text):  # the annotated paper is built when the text is beside the project
    reports = built_reports.reports_dir
    audit = pd.read_csv(reports / "claims_audit.csv", dtype=str, keep_default_na=False).set_index("claim_id")
    return reports, audit


@pytest.fixture(scope="module", params=["annotated_paper.html", "annotated_paper.zh.html"])
def annotated(built, request):
    reports, audit = built
    page = (reports / request.param).read_text(encoding="utf-8")
    main_part = re.search(r'<section class="paper" lang="zh"[^>]*>(.*?)</section>', page, re.S).group(1)
    parsed = Highlights()
    parsed.feed(main_part)
    return page, parsed, audit


def test_every_claim_is_highlighted_once_with_its_span_in_its_section(annotated):
    page, parsed, audit = annotated
    claims = pd.read_csv(CLAIMS_CSV, dtype=str, keep_default_na=False).set_index("claim_id")
    facts = pd.read_csv(FACTS_CSV, dtype=str, keep_default_na=False).set_index("fact_id")
    assert sorted(parsed.first_ids) == sorted(claims.index)  # each exactly once: ids are unique in the list
    assert len(parsed.first_ids) == len(set(parsed.first_ids))
    visible = "".join(parsed.text)
    for cid, c in claims.iterrows():
        m = parsed.marks[cid]
        shown = span_text(c["span"])
        assert "".join(m["text"]) == shown, cid
        assert visible[m["start"]:m["start"] + len(shown)] == shown, cid
        locator = facts.loc[c["fact_id"], "locator"] if c["fact_id"] else ""
        if locator == "Table 1":
            assert facts.loc[c["fact_id"], "geo"] in [t.strip() for t in m["row"]], cid  # in its area's row
        elif locator != "Figure 2 data":
            assert m["section"] == c["section"], (cid, m["section"])


def test_each_highlight_shows_the_verdict_verify_gives(annotated):
    page, parsed, audit = annotated
    for cid, m in parsed.marks.items():
        kinds = {c[2:] for c in m["classes"] if c.startswith("h-")}
        flags = {c[2:] for c in m["classes"] if c.startswith("f-")}
        row = audit.loc[cid]
        assert len(kinds) == 1 and kinds <= HIGHLIGHT_OF[row["verdict"]], (cid, kinds, row["verdict"])
        assert ("restated" in kinds) == (row["restated"] == "True"), cid
        assert flags == ({row["external_verdict"]} & FLAGGED), cid
        if row["verdict"] == "inconsistent" and row["needed"]:
            assert kinds & {"diagnosed", "competing"}, cid


def test_every_note_link_resolves_on_the_page_or_to_a_file(annotated, built):
    reports, _ = built
    page, parsed, audit = annotated
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    inputs = re.findall(r'<a class="in" href="#([^"]+)"', page)
    assert inputs and all(i in ids and i.startswith("c-") for i in inputs)
    assert set(inputs) <= {f"c-{c}" for c in parsed.first_ids}
    for n in re.findall(r'<li id="n-([^"]+)" value="(\d+)"', page):
        assert parsed.marks[n[0]]["n"] == n[1]  # the endnote's number is the highlight's
    for file, anchor in re.findall(r'href="([^"#:]+)(#[^"]*)?"', page):
        assert (reports / file).is_file(), file
        if anchor and file.endswith(".html"):
            assert f'id="{anchor[1:]}"' in (reports / file).read_text(encoding="utf-8"), file + anchor


def test_the_header_counts_match_verify_and_names_the_text(annotated):
    page, parsed, audit = annotated
    assert SHARED_PAPER.name in page and re.search(r"SHA-256 <code>[0-9a-f]{64}</code>", page)
    counted = dict(re.findall(r'<span class="sw h-(\w+)">[^<]*</span></td><td class="num">(\d+)</td>', page))
    total = {v: sum(int(counted[k]) for k in ks) for v, ks in HIGHLIGHT_OF.items()}
    assert total == {v: int((audit["verdict"] == v).sum()) for v in HIGHLIGHT_OF}
    # independent problems: one line per diagnosis group, linking each figure to its highlight
    problems = re.search(r'<ol class="problems">(.*?)</ol>', page, re.S).group(1)
    for cid in audit.index[(audit["verdict"] == "inconsistent") & (audit["needed"] != "")]:
        assert f'href="#c-{cid}"' in problems, cid


def test_figures_and_table1_are_in_place(annotated):
    page, parsed, audit = annotated
    for n in ("1", "2"):
        fig = re.search(rf'<figure id="figure-{n}">(.*?)</figure>', page, re.S).group(1)
        assert '<img src="data:image/png;base64,' in fig and 'alt="' in fig
    table = re.search(r'<table class="paper-table" id="table-1">.*?</table>', page, re.S).group(0)
    assert table.count("<tr>") == 12 and table.count('id="c-T1-') == 43


@pytest.fixture(scope="module")
def replication(built):
    reports, audit = built
    return pd.read_csv(reports / "replication.csv", dtype=str, keep_default_na=False), audit


def test_the_replication_report_lists_every_exhibit_and_claim_with_its_status(replication):
    table, audit = replication
    assert list(table[table["kind"] == "exhibit"]["item"]) == ["Figure 1", "Figure 2", "Table 1"]
    assert sorted(table[table["kind"] != "exhibit"]["item"]) == sorted(audit.index)
    rows = table.set_index("item")
    for cid, a in audit.iterrows():
        r = rows.loc[cid]
        if a["verdict"] in ("inconsistent", "ambiguous_wording"):
            assert r["status"] == "discrepancy" and r["discrepancy"], cid
        elif a["verdict"] == "consistent":
            assert r["status"] in ("reproduced", "within_rounding"), cid
            assert (r["status"] == "within_rounding") == (a["rounding_only"] == "True" and a["restated"] != "True")
        elif a["verdict"] == "primary" and a["external_verdict"] == "not_covered":
            assert r["status"] == "not_reproducible" and r["reason"] in ("primary", "data_unpublished"), cid
        assert r["notebook"] and r["output"].endswith(f"{r['notebook']}.html#cell-id={r['cell_id']}"), cid
    # Figure 1 survives only as a caption; no other exhibit is unreproducible
    assert rows.loc["Figure 1", ["status", "reason"]].tolist() == ["not_reproducible", "caption_only"]
    assert rows.loc["Figure 2", "values"] == "6" and rows.loc["Table 1", "values"] == "43"


def test_each_output_cell_exists_in_its_notebook(replication):
    import json

    table, _ = replication
    cells = {nb.stem: {c.get("id") for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]}
             for nb in NOTEBOOKS_DIR.glob("*.ipynb")}
    for r in table[table["notebook"] != ""].itertuples():
        assert r.cell_id in cells[r.notebook], (r.item, r.notebook, r.cell_id)


def test_classification_rule():
    from techmarket.pages.replication import classification

    def t(exhibits, numbers):
        return pd.DataFrame({"kind": ["exhibit"] * len(exhibits) + ["number"] * len(numbers),
                             "status": exhibits + numbers})
    assert classification(t(["reproduced", "within_rounding"], ["reproduced", "not_reproducible"])) == "full"
    assert classification(t(["reproduced"], ["discrepancy"])) == "full_minor"
    assert classification(t(["reproduced", "not_reproducible"], ["reproduced"])) == "partial"
    assert classification(t(["discrepancy"], [])) == "partial"


def test_the_replication_page_states_the_classification_and_rule(built):
    reports, _ = built
    page = (reports / "replication.html").read_text(encoding="utf-8")
    assert "Classification of the paper: partial" in page and "Full with minor issues:" in page


def test_the_erratum_corrects_each_diagnosis_and_each_superseded_figure(built):
    reports, audit = built
    page = (reports / "erratum.html").read_text(encoding="utf-8")
    claims = pd.read_csv(CLAIMS_CSV, dtype=str, keep_default_na=False).set_index("claim_id")
    for cid in audit.index[(audit["verdict"] == "inconsistent") & (audit["needed"] != "")]:
        needed = audit.loc[cid, "needed"]
        assert f"<del>{claims.loc[cid, 'reported']}</del><ins>{needed}</ins>" in page, cid
    for cid in audit.index[audit["external_verdict"] == "contradicted"]:
        assert f'id="e-{cid}"' in page
    # the final R&D figure restates the ratio turnover/R&D that C-01 rests on
    assert "<del>108.31</del><ins>99.60</ins>" in page and "3479.9" in page
    entry = re.search(r'<section class="entry" id="e-S2.2-10">(.*?)</section>', page, re.S).group(1)
    assert re.search(r'C-01</a></th>.*?no longer holds', entry, re.S)
    annotated = reports / "annotated_paper.html"
    if annotated.is_file():
        assert 'href="erratum.html#e-S2.2-10"' in annotated.read_text(encoding="utf-8")

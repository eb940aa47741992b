"""The constraint model of the whole paper, and what its diagnosis names when a printed figure of
``data/`` is misprinted the way printers err.

Each case alters one printed figure in a copy of ``data/`` (its value, its span and its claim row
alike) and audits the copy. What the audit must name is worked out by hand from the paper's
printed figures, in the comments; nothing is copied from the code's output.
"""
from __future__ import annotations

import shutil
from fractions import Fraction as F
from pathlib import Path

import pytest

from techmarket.audit.model import partitions
from techmarket.audit.run import run_audit
from techmarket.audit.verdict_rule import can_hold, within_whole
from techmarket.data.loaders import data_files, load_claims, load_external, load_facts
from techmarket.data.metrics import Interval
from techmarket.data.paths import DATA_DIR

from conftest import read_rows, set_cell, write_rows


def misprinted(tmp_path: Path, values: dict[str, str]) -> Path:
    """A copy of ``data/`` with each fact printed otherwise: value, span and claim row alike."""
    root = tmp_path / "data"
    shutil.copytree(DATA_DIR, root)
    facts, claims = read_rows(root / "paper" / "facts.csv"), read_rows(root / "paper" / "claims.csv")
    span_col = facts[0].index("span")
    for fid, new in values.items():
        row = next(r for r in facts if r[0] == fid)
        old, span = row[facts[0].index("value")], row[span_col]
        assert old in span, fid  # the span prints the value as the table does
        for table in (facts, claims):
            set_cell(table, fid, "value" if table is facts else "reported", new)
            set_cell(table, fid, "span", span.replace(old, new))
    write_rows(root / "paper" / "facts.csv", facts)
    write_rows(root / "paper" / "claims.csv", claims)
    return root


def audit_of(root: Path):
    files = data_files(root)
    facts = load_facts(files.facts, datapackage=files.datapackage)
    external = load_external(files.external, datapackage=files.datapackage)
    return run_audit(load_claims(files.claims, facts=facts, datapackage=files.datapackage), facts, external)


def problems(result) -> list[set[str]]:
    """Each group's suspects in its smallest diagnoses."""
    d = result.diagnoses[result.diagnoses.smallest]
    return [set(g.suspect) for _, g in d.groupby("group")]


def flagged(result) -> set[str]:
    return set(result.claims[result.claims.verdict == "inconsistent"].claim_id)


PAPER_OWN = {"S2.1-07", "S2.1-08", "S2.2-12"}  # the paper's own problems (test_audit.py)


# --- the rule, read as constraints -----------------------------------------------------------------
def test_a_comparison_can_hold_when_some_value_lies_on_its_side():
    more = can_hold("order", "> 0")
    assert more(Interval.point(0), Interval(-1, 1))  # undecided within rounding: not a failure
    assert not more(Interval.point(0), Interval(-2, 0))  # never above 0
    less = can_hold("threshold", "< 100")
    assert less(Interval.point(100), Interval(99, 101)) and not less(Interval.point(100), Interval(100, 101))


def test_a_rank_can_hold_when_the_route_allows_it_and_zengzhang_either_reading():
    assert can_hold("rank", "2")(Interval.point(2), Interval(1, 3))
    assert not can_hold("rank", "6")(Interval.point(6), Interval(7, 7))
    grew = can_hold("growth_multiple", "7.79")  # ratio 8.79 read as "grew 7.79 times" (X+1)
    assert grew(Interval.printed("7.79"), Interval(F(879, 100), F(879, 100)))


def test_shares_of_one_whole_stay_within_100():
    assert within_whole(Interval.printed("52.57") + Interval.printed("27.13") + Interval.printed("16.88"), False)
    # 62.57 + 27.13 + 16.88 = 106.58 > 100
    assert not within_whole(Interval.printed("62.57") + Interval.printed("27.13") + Interval.printed("16.88"), False)
    # a complete partition must reach 100: 52.57 + 27.13 + 16.88 + 1.00 = 97.58
    four = sum((Interval.printed(v) for v in ("27.13", "16.88", "1.00")), Interval.printed("52.57"))
    assert not within_whole(four, True) and within_whole(four, False)


def test_the_partitions_of_the_paper():
    found = {parts: complete for _, parts, complete in partitions(load_facts())}
    # §2.3: services 52.57 %, development 27.13 %, transfer 16.88 % of 2020 turnover; consulting is not printed
    assert found[("S2.3-03", "S2.3-09", "S2.3-12")] is False
    # Table 1: the ten provinces' shares of the national turnover, each once: Guangdong's and Beijing's,
    # printed first in §4.2 (S4.2-03, S4.2-06), are not counted again from the table
    t1 = next(p for p in found if "T1-18" in p)
    assert len(t1) == 10 and {"S4.2-03", "S4.2-06"} <= set(t1)


# --- misprints of the paper, audited -------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline_result():
    return audit_of(DATA_DIR)


def test_a_figure_no_route_computes_is_a_suspect(tmp_path, baseline_result):
    """S2.4-07 24.96 → 42.96: the urban-construction share would exceed electronic information's 40.86 %,
    so "electronic information is the largest field" (C-30) and the order 40.86 > 24.96 > 11.69 (C-36)
    fail; both read S2.4-07, which no route computes. One problem, named; the comparisons explained."""
    r = audit_of(misprinted(tmp_path, {"S2.4-07": "42.96"}))
    new = [p for p in problems(r) if not p & PAPER_OWN]
    assert new == [{"S2.4-07"}]
    assert flagged(r) == PAPER_OWN | {"S2.4-07"}
    by_id = r.claims.set_index("claim_id")
    for cid in ("C-30", "C-36"):
        assert by_id.loc[cid, "verdict"] == "consistent" and "S2.4-07" in by_id.loc[cid, "detail"], cid


def test_a_share_past_100_is_an_audit_finding_not_bad_data(tmp_path, capsys):
    """S2.3-09 27.13 → 271.3: three contract types' shares add up to 340.75 %; the data load, and the
    audit names the figure (its route, 940.34 / 3465.92 = 27.13 %, says so too)."""
    from techmarket.cli.main import main

    root = misprinted(tmp_path, {"S2.3-09": "271.3"})
    code = main(["verify", "--data-dir", str(root)])
    out = capsys.readouterr().out
    assert code == 1  # the verdicts differ from the paper's snapshot; nothing stopped
    # at the precision the misprint prints (one decimal): 940.34 / 3465.92 * 100 = 27.131 → 27.1
    assert "the figure at fault: S2.3-09 271.3 % → 27.1\n" in out


def test_a_table_share_past_100_names_its_row(tmp_path):
    """T1-18 6.92 → 69.2: Table 1's shares would add up to more than 100 %; the share is also its
    province's turnover over the national one, so the row is named alone."""
    r = audit_of(misprinted(tmp_path, {"T1-18": "69.2"}))
    assert [p for p in problems(r) if not p & PAPER_OWN] == [{"T1-18"}]
    assert flagged(r) == PAPER_OWN | {"T1-18"}


def test_a_level_behind_a_derived_value_does_not_cascade(tmp_path):
    """S2.3-08 3.39 → 33.9: the 2016 development level derived from it (940.34 / 33.9 = 27.7 亿元)
    feeds the 2016 share (S2.3-10) and the comparison of 2016 levels (C-06); those routes read it
    through the derivation, so they are explained, not flagged."""
    r = audit_of(misprinted(tmp_path, {"S2.3-08": "33.9"}))
    new = set().union(*[p for p in problems(r) if not p & PAPER_OWN])
    assert "S2.3-08" in new and len(new) <= 2
    assert flagged(r) - PAPER_OWN <= new
    assert r.claims.set_index("claim_id").loc["C-06", "verdict"] != "inconsistent"


def test_two_misprints_in_unrelated_parts_are_two_problems(tmp_path):
    r = audit_of(misprinted(tmp_path, {"S2.4-07": "42.96", "T1-18": "69.2"}))
    new = [p for p in problems(r) if not p & PAPER_OWN]
    assert sorted(map(sorted, new)) == [["S2.4-07"], ["T1-18"]]
    assert flagged(r) == PAPER_OWN | {"S2.4-07", "T1-18"}


def test_competing_diagnoses_say_what_would_decide(baseline_result):
    """3.36× against 36.36 % a year: the 2016 technology transaction value (2652.07 / 3.36 = 789.3, or
    2652.07 / 1.3636⁴ = 767.0) would decide, and nothing else the paper prints reads either figure."""
    d = baseline_result.diagnoses.set_index("suspect")
    assert d.loc["S2.1-07", "competing"] and d.loc["S2.1-07", "decider"].startswith("D-")
    assert "technology transaction value" in d.loc["S2.1-07", "decider_text"].lower()
    assert "only the routes that fail read these figures" in d.loc["S2.1-07", "why_undecided"]
    assert d.loc["S2.2-12", "decider"] == "" and not d.loc["S2.2-12", "competing"]


def test_the_loader_accepts_shares_past_100(tmp_path):
    facts = read_rows(DATA_DIR / "paper" / "facts.csv")
    set_cell(facts, "S2.3-03", "value", "62.57")  # 62.57 + 27.13 + 16.88 = 106.58
    set_cell(facts, "S2.3-03", "span", "占全省成交总额62.57%")  # misprinted alike, as a printer would
    path = write_rows(tmp_path / "facts.csv", facts)
    assert load_facts(path).set_index("fact_id").loc["S2.3-03", "value"] == "62.57"

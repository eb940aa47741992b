"""Loaders: the real tables load and type correctly; corrupted copies fail with the exact
file, line, column and rule."""
from __future__ import annotations

import math

import pytest

from techmarket.data.errors import DataValidationError
from techmarket.data.loaders import load_external, load_facts
from techmarket.data.paths import FACTS_CSV

from conftest import set_cell


# --- the real tables ------------------------------------------------------------------------
def test_facts_load_with_types_and_printed_bounds():
    f = load_facts()
    assert f["fact_id"].is_unique
    assert str(f["year"].dtype) == "Int64"
    row = f.set_index("fact_id").loc["S2.2-13"]  # 由2016年的38.80% ...
    assert row["value"] == "38.80" and row["decimals"] == 2
    assert row["lo"] == pytest.approx(38.795) and row["hi"] == pytest.approx(38.805)
    assert row["line"] == 30  # header is line 1


def test_facts_units_converted_in_code():
    f = load_facts().set_index("fact_id")
    assert f.loc["S1-02", "value_canonical"] == pytest.approx(28300.0)  # 2.83万亿元
    assert f.loc["S1-02", "unit_canonical"] == "亿元"
    assert f.loc["S1-01", "value_canonical"] == pytest.approx(549400.0)  # 54.94万项
    assert f.loc["S2.1-09", "value_canonical"] == pytest.approx(0.045195)  # 451.95万元


def test_qualifiers_become_one_sided_bounds():
    f = load_facts().set_index("fact_id")
    assert f.loc["S3.3-03", "lo"] == 1300 and math.isinf(f.loc["S3.3-03", "hi"])  # 1 300余家
    assert f.loc["S3.3-06", "hi"] == 600 and math.isinf(f.loc["S3.3-06", "lo"])  # 最高600万元


def test_external_loads_with_ids_and_canonical_values():
    e = load_external()
    assert len(e) == 134 and e["ext_id"].is_unique
    gdp17 = e[(e.series == "gdp") & (e.geo == "广东") & (e.year == 2017)].iloc[0]
    assert gdp17["value_text"] == "8.99" and gdp17["value_canonical"] == pytest.approx(89900.0)
    usd = e[e.unit == "billion USD"]
    assert len(usd) == 1 and usd["value_canonical"].isna().all() and not usd["convertible"].any()


def test_loaders_do_not_write(tmp_path):
    before = FACTS_CSV.read_bytes()
    load_facts()
    assert FACTS_CSV.read_bytes() == before


# --- corrupted copies ------------------------------------------------------------------------
def problems_of(path, loader=load_facts):
    with pytest.raises(DataValidationError) as info:
        loader(path)
    err = info.value
    assert str(path) in str(err) and "nothing was loaded" in str(err)
    return err


def assert_problem(err, line, column, rule_part):
    hits = [p for p in err.problems if p.line == line and p.column == column and rule_part in p.rule]
    assert hits, f"no problem at line {line}, column {column!r} with {rule_part!r}; got:\n{err}"
    assert f"line {line}" in str(err)


def test_unknown_unit(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-03", "unit", "亿圆"))
    err = problems_of(path)
    assert_problem(err, 8, "unit", "enum: expected one of")
    assert "亿圆" in str(err)


def test_value_with_thousands_separator(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-03", "value", "3,465.92"))
    assert_problem(problems_of(path), 8, "value", "pattern")


def test_year_out_of_range(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-03", "year", "2030"))
    assert_problem(problems_of(path), 8, "year", "range: expected at most 2020")


def test_year_not_a_whole_number(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-03", "year", "2020年"))
    err = problems_of(path)
    assert_problem(err, 8, "year", "type: expected a whole number")
    assert not [p for p in err.problems if p.column == "year" and "range" in p.rule]


def test_duplicate_fact_id(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-04", "fact_id", "S2.1-03"))
    err = problems_of(path)
    assert_problem(err, 8, "fact_id", "unique")
    assert_problem(err, 9, "fact_id", "unique")


def test_duplicate_statement_key(facts_copy):
    def edit(rows):
        # S2.2-06 (3.13% in 2020) becomes a second 2016 row with the same key as S2.2-05
        set_cell(rows, "S2.2-06", "year", "2016")
    err = problems_of(facts_copy(edit))
    hits = [p for p in err.problems if p.column is None and "combination" in p.rule]
    assert {p.line for p in hits} == {22, 23}


def test_missing_span(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S4.2-05", "span", ""))
    assert_problem(problems_of(path), 102, "span", "required")


def test_negative_level(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.5-08", "value", "-69.53"))
    err = problems_of(path)
    hits = [p for p in err.problems if p.line == 60 and p.column == "value" and "non-negative" in p.rule]
    assert hits, str(err)


def test_negative_change_is_allowed(facts_copy):
    # S2.3-10 is stored as -7.99 (降低了7.99个百分点) and loads
    f = load_facts(facts_copy(lambda rows: None))
    assert f.set_index("fact_id").loc["S2.3-10", "value_num"] == -7.99


def test_unit_must_fit_measure(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-04", "unit", "%"))  # a multiple in %
    err = problems_of(path)
    assert any(p.line == 9 and "unit: must fit the measure" in p.rule for p in err.problems), str(err)


def test_base_year_after_year(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-04", "base_year", "2020"))
    err = problems_of(path)
    assert any(p.line == 9 and "earlier than year" in p.rule for p in err.problems), str(err)


def test_missing_column(facts_copy):
    path = facts_copy(lambda rows: [r.pop() for r in rows])  # drop 'note'
    err = problems_of(path)
    assert err.problems[0].line == 1 and "missing ['note']" in str(err)


def test_unexpected_column(facts_copy):
    path = facts_copy(lambda rows: [r.append("x") for r in rows])
    err = problems_of(path)
    assert err.problems[0].line == 1 and "unexpected ['x']" in str(err)


def test_stray_whitespace(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.1-03", "geo", "广东 "))
    assert_problem(problems_of(path), 8, "geo", "whitespace")


def test_every_problem_is_reported_at_once(facts_copy):
    def edit(rows):
        set_cell(rows, "S2.1-03", "unit", "亿圆")
        set_cell(rows, "S4.2-05", "span", "")
    err = problems_of(facts_copy(edit))
    assert {p.line for p in err.problems} >= {8, 102}


def test_not_utf8(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_bytes(FACTS_CSV.read_text(encoding="utf-8").encode("gb18030"))
    err = problems_of(path)
    assert "encoding: expected UTF-8" in str(err)


def test_missing_file(tmp_path):
    err = problems_of(tmp_path / "nope.csv")
    assert "file not found" in str(err)


# --- external table --------------------------------------------------------------------------
def test_external_negative_value(external_copy):
    def edit(rows):
        rows[5][rows[0].index("value")] = "-1"
    err = problems_of(external_copy(edit), load_external)
    assert_problem(err, 6, "value", "range: expected at least 0")


def test_external_unknown_qualifier_and_series(external_copy):
    def edit(rows):
        rows[2][rows[0].index("qualifier")] = "final"
        rows[3][rows[0].index("series")] = "turnovr"
    err = problems_of(external_copy(edit), load_external)
    assert_problem(err, 3, "qualifier", "enum")
    assert_problem(err, 4, "series", "enum")


def test_external_year_not_a_number(external_copy):
    def edit(rows):
        rows[10][rows[0].index("year")] = "二〇二〇"
    assert_problem(problems_of(external_copy(edit), load_external), 11, "year", "type")


def test_external_unknown_unit(external_copy):
    def edit(rows):
        rows[7][rows[0].index("unit")] = "million CNY"
    assert_problem(problems_of(external_copy(edit), load_external), 8, "unit", "enum")

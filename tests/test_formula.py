"""The formula language: every reference form parsed, everything outside the language refused with
the formula quoted, interval arithmetic checked by hand, references resolved against the data."""
import csv
from fractions import Fraction as F

import pytest

from techmarket.audit.derive import derived_values
from techmarket.audit.formula import FormulaError, parse, parse_reference, spelled
from techmarket.audit.sources import Sources
from techmarket.data.loaders import load_external, load_facts
from techmarket.data.metrics import Interval
from techmarket.data.paths import FACTS_CSV

P = Interval.printed


@pytest.fixture(scope="module")
def tables():
    return load_facts(), load_external()


@pytest.fixture(scope="module")
def sources(tables):
    return Sources(*tables, derived_values(*tables))


def raises(text, fragment, values=None):
    with pytest.raises(FormulaError) as err:
        parse(text).evaluate(values or {})
    assert f"formula {text!r}" in str(err.value) and fragment in str(err.value), str(err.value)


# --- parsing ---------------------------------------------------------------------------------
REL = (("series", "gdp"), ("geo", "广东"), ("year", "2018"))


@pytest.mark.parametrize("text, kind, key, where, unit", [
    ("S2.1-03", "fact", ("S2.1-03",), (), ""),
    ("T1:江苏|turnover", "table1", ("江苏", "turnover"), (), ""),
    ("EXT:gdp|广东|2018", "release", (), REL, ""),
    ("EXT:gdp|广东|2018|unit=万亿元", "release", (), REL + (("unit", "万亿元"),), ""),
    ("EXT:gdp|广东|2018|qualifier=exact", "release", (), REL + (("qualifier", "exact"),), ""),
    ("EXT:gdp|广东|2018|publisher^=新浪 in 亿元", "release", (), REL + (("publisher^", "新浪"),), "亿元"),
    ("D:turnover|广东|2018", "derived", ("turnover", "广东", "2018"), (), ""),
    ("D:turnover|广东|2016|技术服务|share", "derived", ("turnover", "广东", "2016", "技术服务", "share"), (), ""),
    ("D:turnover|广东|2016|技术服务", "derived", ("turnover", "广东", "2016", "技术服务"), (), ""),
    ("years", "years", (), (), ""),
    ("years:S2.1-05", "years", ("S2.1-05",), (), ""),
    ("S2.1-03 in 万元", "fact", ("S2.1-03",), (), "万元"),
])
def test_each_reference_form_parses(text, kind, key, where, unit):
    r = parse_reference(text)
    assert (r.text, r.kind, r.key, r.where, r.unit) == (text, kind, key, where, unit)


@pytest.mark.parametrize("text, fragment", [
    ("{S2.1-03} +", "does not parse"),
    ("sqrt({S2.1-03})", "'sqrt' is neither a function of the language"),
    ("minof({S2.1-03}, key=1)", "'key' is neither a function of the language"),
    ("minof({S2.1-03}, **{S2.1-04})", "minof takes no keyword arguments"),
    ("{S2.1-03}.real", "'real' is neither a function of the language"),
    ("x + 1", "'x' is neither a function of the language"),
    ("'abc' + {S2.1-03}", "'abc' is not a number"),
    ("'3' + {S2.1-03}", "'3' is not a number"),
    ("True", "'True' is neither a function of the language"),
    ("1e400", "a number is too large to be finite"),
    ("{years in 年}", "a number of years has no unit to convert"),
    ("{S2.1-03} % 2", "Mod is not in the language"),
    ("{S2.1-03} // 2", "FloorDiv is not in the language"),
    ("{S2.1-03} ** 0.5", "only whole-number powers"),
    ("cagr(1, 2)", "cagr takes 3 argument(s), got 2"),
    ("first_if_over_half(60, 40)", "first_if_over_half takes 1 argument(s), got 2"),
    ("{T1:江苏}", "T1:province|column"),
    ("{T1:江苏|colour}", "T1:province|column"),
    ("{EXT:gdp|广东}", "EXT:series|area|year"),
    ("{EXT:gdp|广东|2018|colour=red}", "'colour=red' is not unit=…"),
    ("{Q:foo}", "unknown reference type 'Q'"),
    ("{hello}", "neither a fact id"),
    ("{years:xyz}", "years:… names a fact id"),
    ("_0 + 1", "'_0' is neither a function of the language"),  # no reference: _0 is a bare name
])
def test_outside_the_language_is_refused_with_the_formula_quoted(text, fragment):
    raises(text, fragment)


@pytest.mark.parametrize("text", ["{S2.1-03} + _0", "2{S2.1-03}", "{S2.1-03}{S2.1-04}"])
def test_text_around_a_reference_cannot_alias_its_placeholder(text):
    # '{S2.1-03} + _0' would read the fact twice; '2{S2.1-03}' becomes the literal 2_0 = 20
    with pytest.raises(FormulaError):
        parse(text)


# --- evaluation by hand ----------------------------------------------------------------------
A, B = Interval(1, 2), Interval(3, 5)


@pytest.mark.parametrize("text, lo, hi", [
    ("{A-01} + {B-01}", 4, 7),  # 1+3 .. 2+5
    ("{A-01} - {B-01}", -4, -1),  # 1-5 .. 2-3
    ("{A-01} * {B-01}", 3, 10),  # 1*3 .. 2*5
    ("{A-01} / {B-01}", F(1, 5), F(2, 3)),  # 1/5 .. 2/3
    ("-{A-01}", -2, -1),
    ("{A-01} ** 3 + 1", 2, 9),  # 1^3+1 .. 2^3+1
    ("minof({A-01}, {B-01}, 4)", 1, 2),  # min of lows 1,3,4; min of highs 2,5,4
    ("maxof({A-01}, {B-01}, 4)", 4, 5),  # max of lows 1,3,4; max of highs 2,5,4
])
def test_interval_arithmetic_by_hand(text, lo, hi):
    r = parse(text).evaluate({0: A, 1: B})
    assert (r.lo, r.hi) == (F(lo), F(hi))


def test_half_open_printed_values_stay_open_where_an_open_end_enters():
    # 3465.92 / 4.39: [3465.915, 3465.925) / [4.385, 4.395) -> (3465.915/4.395, 3465.925/4.385)
    r = parse("{S2.1-03} / {S2.1-04}").evaluate({0: P("3465.92"), 1: P("4.39")})
    assert (r.lo, r.hi) == (F("3465.915") / F("4.395"), F("3465.925") / F("4.385"))
    assert not r.lo_closed and not r.hi_closed


def test_rank_counts_who_is_surely_and_who_may_be_above():
    # x = [5, 6]: [7, 8] is surely above (7 > 6); [5.5, 9] may be (9 > 5); [1, 2] never -> ranks 2..3
    r = parse("rank({X-01}, {X-02}, {X-03}, {X-04})").evaluate(
        {0: Interval(5, 6), 1: Interval(7, 8), 2: Interval(1, 2), 3: Interval("5.5", 9)})
    assert (r.lo, r.hi) == (2, 3)


def test_first_if_over_half():
    assert parse("first_if_over_half({S-01})").evaluate({0: P("50.01")}) == Interval.point(1)  # lo 50.005 > 50
    r = parse("first_if_over_half({S-01})").evaluate({0: P("50.00")})  # lo 49.995: may be under half
    assert r.lo == 1 and r.hi > 1


def test_cagr_bounds_bracket_the_roots_of_the_printed_multiple():
    # 4.39 is [4.385, 4.395): cagr over 4 years = ((4.385)^(1/4) - 1)*100 .. ((4.395)^(1/4) - 1)*100
    r = parse("cagr(1, {S2.1-04}, 4)").evaluate({0: P("4.39")})
    assert (r.lo / 100 + 1) ** 4 <= F("4.385") and (r.hi / 100 + 1) ** 4 >= F("4.395")  # outward, exactly
    assert float(r.lo) == pytest.approx((4.385 ** 0.25 - 1) * 100, abs=1e-9)
    assert float(r.hi) == pytest.approx((4.395 ** 0.25 - 1) * 100, abs=1e-9)


def test_division_by_an_interval_containing_zero_is_a_formula_error():
    raises("{A-01} / ({B-01} - 4)", "divides by an interval that contains 0", {0: A, 1: B})  # [3,5]-4 = [-1,1]


@pytest.mark.parametrize("text", ["cagr(-1, 4, 4)", "cagr(1, 2, 1.5)", "{A-01} ** {B-01}"])
def test_every_evaluation_error_is_a_formula_error_quoting_the_formula(text):
    raises(text, "", {0: A, 1: Interval("1.5", "1.5")})


# --- resolution against the data ------------------------------------------------------------
def test_a_fact_by_id(sources):
    assert [r.kind for r in parse("{S2.1-03} / {T1:广东|share} * {years}").refs] == ["fact", "table1", "years"]
    fig = sources.resolve(parse_reference("S2.1-03"))  # facts.csv: S2.1-03, 3465.92 亿元, §2.1
    assert fig.ident == "S2.1-03" and fig.interval == P("3465.92") and fig.point == Interval.point("3465.92")
    assert [(i.ident, i.kind, i.origin, i.printed) for i in fig.inputs] == [
        ("S2.1-03", "fact", "paper §2.1", "3465.92 亿元")]


def table1_id(geo, indicator, measure):
    with open(FACTS_CSV, encoding="utf-8") as fh:
        ids = [r["fact_id"] for r in csv.DictReader(fh)
               if (r["locator"], r["geo"], r["indicator"], r["measure"]) == ("Table 1", geo, indicator, measure)]
    assert len(ids) == 1
    return ids[0]


@pytest.mark.parametrize("column, indicator, measure, interval", [
    ("rank", "turnover", "rank", Interval.point(3)),  # 3 位: a whole count, exact
    ("turnover", "turnover", "level", P("2335.81")),
    ("share", "turnover", "share", P("8.27")),
    ("turnover_to_gdp", "turnover_to_gdp", "level", P("2.27")),
])
def test_a_table1_cell_is_the_fact_in_that_row_and_column(sources, column, indicator, measure, interval):
    ref = parse_reference(f"T1:江苏|{column}")
    assert sources.fact_id(ref) == table1_id("江苏", indicator, measure)
    fig = sources.resolve(ref)
    assert fig.interval == interval and fig.inputs[0].origin == "paper Table 1"


def test_unknown_ids_and_rows_are_refused(sources):
    for text, fragment in [("{S9.9-99}", "no fact S9.9-99"), ("{T1:火星|turnover}", "Table 1 has no row 火星")]:
        with pytest.raises(FormulaError, match=fragment):
            sources.evaluate(text)


def test_an_ambiguous_release_names_its_candidates_and_how_to_narrow(sources):
    # official_releases.csv lines 78 and 79: 广东 GDP 2020 as 110760.94 亿元 and as 11.076 万亿元
    with pytest.raises(FormulaError) as err:
        sources.evaluate("{EXT:gdp|广东|2020}")
    assert all(s in str(err.value) for s in ("EXT-078", "EXT-079", "publisher^=", "formula '{EXT:gdp|广东|2020}'"))
    for narrowed, ident in [("publisher^=世界经济网", "EXT-078"), ("unit=万亿元", "EXT-079"),
                            ("qualifier=exact", "EXT-078")]:
        assert sources.release_id(parse_reference(f"EXT:gdp|广东|2020|{narrowed}")) == ident
    # lines 73 and 74 agree in every field but the publisher
    assert sources.release_id(parse_reference("EXT:gdp|广东|2016|publisher^=文汇网")) == "EXT-074"


def test_unit_conversion_is_exact(sources):
    fig = sources.resolve(parse_reference("S2.1-03 in 万元"))  # 1 亿元 = 10 000 万元
    assert (fig.interval.lo, fig.interval.hi) == (F("34659150"), F("34659250"))  # [3465.915, 3465.925) * 10^4
    assert fig.label == "S2.1-03 3465.92 亿元 → 万元"
    ev = sources.evaluate("{EXT:gdp|广东|2018 in 亿元}")  # line 76: 9.73 万亿元
    assert (ev.interval.lo, ev.interval.hi) == (F(97250), F(97350))


def test_years_is_year_minus_base_year(sources):
    # facts.csv S2.1-05: year 2020, base_year 2016 -> 4; S2.1-03 has no base_year
    assert sources.evaluate("{years}", own_fact="S2.1-05").interval == Interval.point(4)
    assert sources.evaluate("{years:S2.1-05}").interval == Interval.point(4)
    ev = sources.evaluate("(1 + {S2.1-05} / 100) ** {years}", own_fact="S2.1-05")  # 44.73 % over 4 years
    assert (ev.interval.lo, ev.interval.hi) == (F("1.44725") ** 4, F("1.44735") ** 4)
    with pytest.raises(FormulaError, match="S2.1-03 has no year and base year"):
        sources.evaluate("{years}", own_fact="S2.1-03")
    with pytest.raises(FormulaError, match="the claim has no year and base year"):
        sources.evaluate("{years}")


def test_a_derived_value_and_its_lineage(sources, tables):
    # D:turnover|广东|2018 = F2-03 (1.43 %) / 100 * 9.73 万亿元: [0.01425 * 97250, 0.01435 * 97350)
    ev = sources.evaluate("{D:turnover|广东|2018}")
    assert (ev.interval.lo, ev.interval.hi) == (F("0.01425") * 97250, F("0.01435") * 97350)
    assert [i.ident for i in ev.inputs] == ["F2-03", "EXT-076"] and ev.facts == {"F2-03"}
    # several routes to 广东 2016: the first, 3465.92 / 4.39, is read
    ev = sources.evaluate("{D:turnover|广东|2016}")
    assert (ev.interval.lo, ev.interval.hi) == (F("3465.915") / F("4.395"), F("3465.925") / F("4.385"))
    ev = sources.evaluate("{D:turnover|广东|2020|技术咨询|share}")  # 100 - 52.57 - 27.13 - 16.88 (S2.3-03/09/12)
    assert (ev.interval.lo, ev.interval.hi) == (100 - F("52.575") - F("27.135") - F("16.885"), F("3.435"))
    with pytest.raises(FormulaError, match="cannot read another derived value"):
        Sources(*tables).evaluate("{D:turnover|广东|2018}")


def test_a_derived_value_by_category_defaults_to_its_level(sources):
    # D-16 = 1822.07 亿元 / 11 倍 (S2.3-01 / S2.3-02) -> [1822.065 / 11.5, 1822.075 / 10.5)
    ev = sources.evaluate("{D:turnover|广东|2016|技术服务}")
    assert (ev.interval.lo, ev.interval.hi) == (F("1822.065") / F("11.5"), F("1822.075") / F("10.5"))


def test_evaluation_keeps_lineage_as_data(sources):
    # 2020 turnover / 2020 GDP * 100: [3465.915 / 110760.945, 3465.925 / 110760.935) * 100
    ev = sources.evaluate("{S2.1-03} / {EXT:gdp|广东|2020|publisher^=世界经济网} * 100"
                          " + 0 * {T1:广东|turnover} + 0 * {S2.1-03}")
    assert ev.interval.lo == F("3465.915") / F("110760.945") * 100
    assert ev.interval.hi == F("3465.925") / F("110760.935") * 100
    assert ev.point == pytest.approx(3465.92 / 110760.94 * 100, rel=1e-12)
    assert [i.ident for i in ev.inputs] == ["S2.1-03", "EXT-078", "T1-09"]  # S2.1-03 once
    assert [i.origin for i in ev.inputs][0::2] == ["paper §2.1", "paper Table 1"]
    assert ev.inputs[1].origin.startswith("世界经济网 shijiejingji.cn (quoting 广东省2020年统计公报)")
    assert ev.facts == {"S2.1-03", "T1-09"}


def test_ids_text_and_spelled(sources):
    f = parse("{T1:广东|turnover} / (1 + {S2.1-05} / 100) ** {years}"
              " - {EXT:gdp|广东|2020|unit=亿元 in 万亿元}")
    assert sources.ids_text(f, own_fact="S2.1-05") == "T1-09 / (1 + S2.1-05 / 100) ** 4 - EXT-078 in 万亿元"
    f2 = parse("{D:turnover|广东|2018} / {S2.1-03 in 万元}")
    assert sources.ids_text(f2) == "{D:turnover|广东|2018} / S2.1-03 in 万元"  # a derived value keeps its name
    labels = ["T1-09 3465.92 亿元", "S2.1-05 44.73 %", "4", "EXT-078"]
    assert spelled(f, labels) == "⟨T1-09 3465.92 亿元⟩ / (1 + ⟨S2.1-05 44.73 %⟩ / 100) ** 4 - ⟨EXT-078⟩"
    ev = sources.evaluate(f, own_fact="S2.1-05")
    assert [g.label if g else None for g in ev.figures] == [
        "T1-09 3465.92 亿元", "S2.1-05 44.73 %", None, "EXT-078 110760.94 亿元 → 万亿元"]

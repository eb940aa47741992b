"""Derived values: hand-computed bounds, lineage kept, selectors strict, bounds refused."""
from fractions import Fraction as F

import pandas as pd
import pytest

from techmarket.derive import (
    Derivation,
    DerivationError,
    compare_routes,
    derivations,
    derived_values,
    evaluate,
    ext,
    fact,
)
from techmarket.i18n import Bilingual
from techmarket.loaders import load_external, load_facts

R = Bilingual(zh="路径", en="route")


@pytest.fixture(scope="module")
def tables():
    return load_facts(), load_external()


@pytest.fixture(scope="module")
def derived(tables):
    return derived_values(*tables)


def row(derived, **where):
    mask = pd.Series(True, index=derived.index)
    for k, v in where.items():
        mask &= derived[k] == v
    assert mask.sum() == 1, where
    return derived[mask].iloc[0]


def test_2016_turnover_from_the_multiple_by_hand(derived):
    r = row(derived, indicator="turnover", geo="广东", year=2016, category="", measure="level", route_no=1)
    assert r["interval"].lo == F("3465.915") / F("4.395")
    assert r["interval"].hi == F("3465.925") / F("4.385")
    assert r["inputs"] == "S2.1-03;S2.1-04"
    assert r["formula"] == "S2.1-03 / S2.1-04"


def test_shenzhen_2020_from_three_city_share_by_hand(derived):
    r = row(derived, indicator="turnover", geo="深圳", year=2020)
    # smallest: 97.005% of 3465.915 − 2256.535 − 69.535; largest: 97.015% of 3465.925 − 2256.525 − 69.525
    assert r["interval"].lo == F("0.97005") * F("3465.915") - F("2256.535") - F("69.535")
    assert r["interval"].hi == F("0.97015") * F("3465.925") - F("2256.525") - F("69.525")
    assert 1036.0 < r["value"] < 1036.5


def test_figure1_bars_come_from_figure2_ratio_and_official_gdp(derived):
    r = row(derived, indicator="turnover", geo="广东", year=2017)
    # 1.06% (±0.005) of 8.99万亿元 (±0.005万亿元)
    assert r["interval"].lo == F("0.01055") * F("89850")
    assert r["interval"].hi == F("0.01065") * F("89950")
    assert r["preliminary_input"]  # the GDP figure is rounded
    assert "zuozong.com" in r["origins"] and "paper Figure 2 data" in r["origins"]


def test_every_derived_row_keeps_the_origins_of_its_inputs(derived, tables):
    facts, external = tables
    locators = dict(zip(facts["fact_id"], facts["locator"], strict=True))
    publishers = dict(zip(external["ext_id"], external["publisher"], strict=True))
    for r in derived.itertuples():
        for ident in r.inputs.split(";"):
            origin = f"paper {locators[ident]}" if ident in locators else publishers[ident]
            assert origin in r.origins, (r.derived_id, ident)


def test_lineage_survives_concatenation(derived):
    both = pd.concat([derived.assign(kind="derived"), derived.head(0)], ignore_index=True)
    assert (both["origins"].str.len() > 0).all() and (both["inputs"].str.len() > 0).all()


def test_several_routes_are_kept_and_compared(derived):
    routes = derived[(derived.indicator == "turnover") & (derived.geo == "广东") & (derived.year == 2016)
                     & (derived.category == "")]
    assert len(routes) == 5
    cmp = compare_routes(derived).set_index(["indicator", "geo", "year", "category", "measure"])
    assert cmp.loc[("turnover", "广东", 2016, "", "level"), "routes"] == 5
    # 3.36× and 36.36% a year cannot both describe 技术交易额: 2652.07/3.36 ≈ 789 vs 2652.07/1.3636^4 ≈ 767
    assert not cmp.loc[("tech_transaction_value", "广东", 2016, "", "level"), "routes_agree"]
    assert cmp.loc[("turnover", "清远", 2016, "", "level"), "routes_agree"]


def test_selector_must_match_exactly_one_row(tables):
    facts, external = tables
    none = Derivation("x", "广东", 2016, "亿元", R, {"a": fact("turnover", "广东", 2015)}, lambda a: a)
    with pytest.raises(DerivationError, match="matches 0 rows"):
        evaluate(none, facts, external)
    many = Derivation("x", "广东", 2020, "亿元", R, {"a": fact("turnover", "广东", 2020)}, lambda a: a)
    with pytest.raises(DerivationError, match="matches 3 rows"):  # §2.1, §4.2 and Table 1
        evaluate(many, facts, external)
    two_sources = Derivation("x", "广东", 2019, "亿元", R, {"a": ext("rd_expenditure", "广东", 2019)}, lambda a: a)
    with pytest.raises(DerivationError, match="matches 4 rows"):
        evaluate(two_sources, facts, external)


def test_bounds_cannot_enter_a_derivation(tables):
    facts, external = tables
    d = Derivation("x", "全国", 2020, "家", R,
                   {"a": fact("contract_registration_bodies", "全国", 2020)}, lambda a: a)
    with pytest.raises(DerivationError, match="lower bound"):
        evaluate(d, facts, external)


def test_unknown_selector_key_is_refused():
    with pytest.raises(TypeError):
        fact("turnover", "广东", 2020, colour="red")


def test_all_derivations_evaluate_and_ids_are_stable(derived):
    assert len(derived) == len(derivations())
    assert list(derived["derived_id"]) == [f"D-{i:02d}" for i in range(1, len(derived) + 1)]
    assert (derived["lo"] <= derived["hi"]).all()


def test_route_sentences_take_their_numbers_from_the_inputs(tables, derived):
    import re

    # in the templates, only years and the constants of the formulas themselves are written out
    allowed = {"1", "4", "100", "2016", "2017", "2018", "2019", "2020"}
    for d in derivations():
        for text in (d.route.en, d.route.zh):
            template = re.sub(r"\{\w+\}|(?:Figure |Table |图|表)\d+", "", text)  # inputs; the paper's exhibits
            typed = set(re.findall(r"\d+(?:\.\d+)?", template)) - allowed
            assert not typed, f"{text!r} types {typed}; name the input instead"
            assert set(re.findall(r"\{(\w+)\}", text)) <= set(d.inputs), text
        assert set(re.findall(r"\{(\w+)\}", d.route.en)) == set(re.findall(r"\{(\w+)\}", d.route.zh)), d.route
    # filled from the rows: the stated multiple and CAGR as the paper prints them, in both languages
    gd16 = derived[(derived.indicator == "turnover") & (derived.geo == "广东") & (derived.year == 2016)]
    assert "2020 turnover ÷ stated multiple 2020/2016 (4.39倍)" in set(gd16.route)
    assert "2020年成交额 ÷ 论文所述2020/2016年倍数（4.39倍）" in set(gd16.route_zh)
    assert "2020 turnover ÷ (1 + stated CAGR)^4 (44.73%)" in set(gd16.route)
    facts, external = tables
    wrong = Derivation("x", "广东", 2020, "亿元", Bilingual(zh="两倍 {b}", en="twice {b}"),
                       {"a": fact("turnover", "广东", 2020, locator="§2.1")}, lambda a: a * 2)
    with pytest.raises(DerivationError, match="not one of its inputs"):
        evaluate(wrong, facts, external)
    with pytest.raises(TypeError, match="both languages"):
        Derivation("x", "广东", 2020, "亿元", "English only", {}, lambda: 0)

"""Derived values: hand-computed bounds, lineage kept as data, references strict, bounds refused."""
from fractions import Fraction as F

import pandas as pd
import pytest

from techmarket.audit.derivations import DERIVATIONS, Derivation
from techmarket.audit.derive import DerivationError, compare_routes, derived_values, evaluate
from techmarket.audit.sources import Sources
from techmarket.data.i18n import Bilingual
from techmarket.data.loaders import load_external, load_facts

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
    assert r["inputs"] == ("S2.1-03", "S2.1-04")
    assert r["formula"] == "{S2.1-03} / {S2.1-04}"
    assert r["formula_ids"] == "S2.1-03 / S2.1-04"
    assert [(i.ident, i.kind, i.origin, i.printed) for i in r["lineage"]] == [
        ("S2.1-03", "fact", "paper §2.1", "3465.92 亿元"), ("S2.1-04", "fact", "paper §2.1", "4.39 倍")]


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
    assert any("zuozong.com" in o for o in r["origins"]) and "paper Figure 2 data" in r["origins"]
    assert r["formula_ids"] == "F2-02 / 100 * EXT-075 in 亿元"  # the release found by series, area and year


def test_every_derived_row_keeps_the_origins_of_its_inputs(derived, tables):
    facts, external = tables
    locators = dict(zip(facts["fact_id"], facts["locator"], strict=True))
    publishers = dict(zip(external["ext_id"], external["publisher"], strict=True))
    for r in derived.itertuples():
        for ident in r.inputs:
            origin = f"paper {locators[ident]}" if ident in locators else publishers[ident]
            assert any(o.startswith(origin) for o in r.origins), (r.derived_id, ident)


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


def _d(formula: str, route: Bilingual = R, year: int = 2020) -> Derivation:
    return Derivation("x", "广东", year, "亿元", route, formula)


def test_references_must_name_exactly_one_figure(tables):
    sources = Sources(*tables)
    with pytest.raises(DerivationError, match=r"no fact S9.9-99"):
        evaluate(_d("{S9.9-99}"), sources)
    with pytest.raises(DerivationError, match=r"selects 4 official releases \(EXT-103, EXT-105, EXT-106, EXT-107\)"):
        evaluate(_d("{EXT:rd_expenditure|广东|2019}"), sources)
    with pytest.raises(DerivationError, match="selects 0 official releases"):
        evaluate(_d("{EXT:rd_expenditure|广东|2009}"), sources)
    with pytest.raises(DerivationError, match="cannot read another derived value"):
        evaluate(_d("{D:turnover|广东|2018}"), sources)


def test_bounds_cannot_enter_a_derivation(tables):
    facts, external = tables
    bound = facts[facts.qualifier == "lower_bound"].iloc[0]["fact_id"]
    with pytest.raises(DerivationError, match=f"{bound} is only a bound"):
        evaluate(_d("{" + bound + "}"), Sources(facts, external))


def test_all_derivations_evaluate_and_ids_are_stable(derived):
    assert len(derived) == len(DERIVATIONS)
    assert list(derived["derived_id"]) == [f"D-{i:02d}" for i in range(1, len(derived) + 1)]
    assert (derived["lo"] <= derived["hi"]).all()


def test_route_sentences_take_their_numbers_from_the_inputs(tables, derived):
    import re

    from techmarket.audit.formula import REF

    # in the templates, only years and the constants of the formulas themselves are written out
    allowed = {"1", "4", "100", "2016", "2017", "2018", "2019", "2020"}
    for d in DERIVATIONS:
        for text in (d.route.en, d.route.zh):
            template = re.sub(r"\{[^{}]+\}|(?:Figure |Table |图|表)\d+", "", text)  # inputs; the paper's exhibits
            typed = set(re.findall(r"\d+(?:\.\d+)?", template)) - allowed
            assert not typed, f"{text!r} types {typed}; name the input instead"
            assert set(REF.findall(text)) <= set(REF.findall(d.formula)), text  # quotes only what it reads
        assert set(REF.findall(d.route.en)) == set(REF.findall(d.route.zh)), d.route
    # filled from the rows: the stated multiple and CAGR as the paper prints them, in both languages
    gd16 = derived[(derived.indicator == "turnover") & (derived.geo == "广东") & (derived.year == 2016)]
    assert "2020 turnover ÷ stated multiple 2020/2016 (4.39×)" in set(gd16.route)  # units in English: ×
    assert "2020年成交额 ÷ 论文所述2020/2016年倍数（4.39倍）" in set(gd16.route_zh)
    assert "2020 turnover ÷ (1 + stated CAGR)^4 (44.73%)" in set(gd16.route)
    wrong = _d("{S2.1-03} * 2", Bilingual(zh="两倍 {S2.1-04}", en="twice {S2.1-04}"))
    with pytest.raises(DerivationError, match=r"quotes \{S2.1-04\}, which its formula does not read"):
        evaluate(wrong, Sources(*tables))
    with pytest.raises(TypeError, match="both languages"):
        Derivation("x", "广东", 2020, "亿元", "English only", "{S2.1-03}")

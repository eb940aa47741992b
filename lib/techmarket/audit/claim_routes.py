"""The catalogue of independent routes to each checkable claim of the paper, written in the
package's formula language (:mod:`techmarket.audit.formula`): ``{S2.1-03}`` a printed fact,
``{T1:江苏|turnover}`` a cell of Table 1, ``{EXT:gdp|广东|2018}`` an official release,
``{D:turnover|广东|2018}`` a derived value, ``{years}`` the claim's year minus its base year.

``ROUTES`` is keyed by claim id; ``TABLE1_ROUTES`` by Table 1 cell (province, column), and
:func:`routes` resolves those cells to their claim ids. A route may not use the claim's own fact,
directly or through a derived value's lineage: the audit refuses such a route. Claims without a
route are primary figures of the paper.
"""
from __future__ import annotations

from techmarket.audit.derivations import RD_EXT, TABLE1_GEOS

T20 = "{S2.1-03}"  # Guangdong turnover 2020 (亿元)
T16 = "({S2.1-03} / {S2.1-04})"  # Guangdong turnover 2016 through §2.1's multiple
PROVINCES = TABLE1_GEOS[1:]  # Table 1's rows below the national total, in the table's order
NATION = "{T1:全国|turnover}"  # Table 1, the national total


def cell(geo: str, column: str) -> str:
    """A reference to one cell of Table 1."""
    return f"{{T1:{geo}|{column}}}"


def rank_among(column: str, geo: str) -> str:
    """The ranks ``geo`` can take among Table 1's provinces by ``column``."""
    others = ", ".join(cell(g, column) for g in PROVINCES if g != geo)
    return f"rank({cell(geo, column)}, {others})"


ROUTES: dict[str, list[str]] = {
    # §1 national totals
    "S1-02": ["{T1:全国|turnover in 万亿元}"],
    # §2.1 scale
    "S2.1-02": ["{S2.1-03 in 万元} / {S2.1-10}"],
    "S2.1-03": ["{S2.2-06} / 100 * {S2.2-02}", "{S2.2-14} / 100 * {S2.2-10}", "{S4.2-03} / 100 * " + NATION],
    "S2.1-04": ["(1 + {S2.1-05} / 100) ** {years}",
                T20 + " / ({S2.2-05} / 100 * {S2.2-01})",
                T20 + " / ({S2.2-13} / 100 * {S2.2-09})",
                T20 + " / ({S2.4-02} / ({S2.4-05} / 100))"],
    "S2.1-05": ["cagr(1, {S2.1-04}, {years})", "cagr({S2.2-05} / 100 * {S2.2-01}, " + T20 + ", {years})"],
    "S2.1-07": ["(1 + {S2.1-08} / 100) ** {years}"],
    "S2.1-08": ["cagr(1, {S2.1-07}, {years})"],
    "S2.1-10": ["{S2.1-03 in 万元} / {S2.1-02}"],
    "S2.1-12": [rank_among("turnover", "广东")],
    # §2.2 economic contribution
    "S2.2-01": ["{S2.2-09} / ({S2.2-11} / 100)"],
    "S2.2-02": [T20 + " / ({S2.2-06} / 100)", "{S2.2-10} / ({S2.2-12} / 100)"],
    "S2.2-04": ["{S4.2-11}"],
    "S2.2-05": [T16 + " / {S2.2-01} * 100", "{F2-01}"],
    "S2.2-06": [T20 + " / {S2.2-02} * 100", "{F2-05}", "{T1:广东|turnover_to_gdp}"],
    "S2.2-07": ["{S2.2-06} - {S2.2-05}", "{F2-05} - {F2-01}"],
    "S2.2-08": ["{T1:全国|turnover_to_gdp}"],
    "S2.2-09": ["{S2.2-11} / 100 * {S2.2-01}", T16 + " / ({S2.2-13} / 100)"],
    "S2.2-10": [T20 + " / ({S2.2-14} / 100)", "{S2.2-12} / 100 * {S2.2-02}"],
    "S2.2-11": ["{S2.2-09} / {S2.2-01} * 100"],
    "S2.2-12": ["{S2.2-10} / {S2.2-02} * 100"],
    "S2.2-13": [T16 + " / {S2.2-09} * 100", "{F2-06}"],
    "S2.2-14": [T20 + " / {S2.2-10} * 100"],
    "S2.2-15": ["{S2.2-14} / {S2.2-13}"],
    "C-01": [T20 + " / {S2.2-10} * 100"],
    "C-02": ["maxof({F2-06}, {D:turnover_to_rd|广东|2017}, "
             "{D:turnover_to_rd|广东|2018}, {D:turnover_to_rd|广东|2019})"],
    "C-03": ["{S2.2-06} - {S2.2-08}"],
    "C-04": [f"minof({RD_EXT[2017]} - {{S2.2-09}}, {RD_EXT[2018]} - {RD_EXT[2017]}, "
             f"{RD_EXT[2019]} - {RD_EXT[2018]}, {{S2.2-10}} - {RD_EXT[2019]})"],
    # §2.3 contract types
    "S2.3-01": ["{S2.3-03} / 100 * " + T20],
    "S2.3-02": ["{S2.3-03} / ({S2.3-03} - {S2.3-04}) * {S2.1-04}"],
    "S2.3-03": ["{S2.3-01} / " + T20 + " * 100"],
    "S2.3-04": ["{S2.3-03} - ({S2.3-01} / {S2.3-02}) / " + T16 + " * 100"],
    "S2.3-05": ["rank({S2.3-03}, {S2.3-09}, {S2.3-12}, 100 - {S2.3-03} - {S2.3-09} - {S2.3-12})"],
    "S2.3-06": ["rank({S2.3-09}, {S2.3-03}, {S2.3-12}, 100 - {S2.3-03} - {S2.3-09} - {S2.3-12})"],
    "S2.3-07": ["{S2.3-09} / 100 * " + T20],
    "S2.3-08": ["{S2.3-09} / ({S2.3-09} - {S2.3-10}) * {S2.1-04}"],
    "S2.3-09": ["{S2.3-07} / " + T20 + " * 100"],
    "S2.3-10": ["{S2.3-09} - ({S2.3-07} / {S2.3-08}) / " + T16 + " * 100"],
    "C-05": ["{S2.3-01} - {S2.3-07}"],
    "C-06": ["{S2.3-01} / {S2.3-02} - {S2.3-07} / {S2.3-08}"],
    # §2.4 technology fields
    "S2.4-02": ["{S2.4-05} / 100 * " + T16],
    "S2.4-03": ["{S2.4-06} / 100 * " + T20],
    "S2.4-04": ["cagr({S2.4-02}, {S2.4-03}, {years})"],
    "S2.4-05": ["{S2.4-02} / " + T16 + " * 100"],
    "S2.4-06": ["{S2.4-03} / " + T20 + " * 100"],
    # §2.5 cities
    "S2.5-02": ["{S2.5-05} / 100 * " + T20],
    "S2.5-03": ["{S2.5-02} / {S2.5-01}"],
    "S2.5-04": ["{S2.5-02}"],
    "S2.5-05": ["{S2.5-02} / " + T20 + " * 100"],
    "S2.5-07": ["first_if_over_half(minof({EXT:turnover|广州|2018} / {D:turnover|广东|2018} * 100, "
                "{EXT:turnover|广州|2019} / {D:turnover|广东|2019} * 100, {S2.5-02} / " + T20 + " * 100))"],
    "S2.5-14": ["{S2.5-15} / (1 + {S2.5-16} / 100)"],
    "S2.5-15": ["{S2.5-14} * (1 + {S2.5-16} / 100)"],
    "S2.5-16": ["({S2.5-15} / {S2.5-14} - 1) * 100"],
    "S2.5-18": ["1 + {S2.5-19} / 100"],
    "S2.5-19": ["({S2.5-18} - 1) * 100"],
    # §3-§4 institutions
    "S4.2-01": ["{S2.1-03}", "{T1:广东|turnover}"],
    "S4.2-02": [rank_among("turnover", "广东")],
    "S4.2-03": [T20 + " / " + NATION + " * 100", "{T1:广东|share}"],
    "S4.2-04": [rank_among("turnover", "北京")],
    "S4.2-05": ["{T1:北京|turnover}"],
    "S4.2-06": ["{S4.2-05} / " + NATION + " * 100", "{T1:北京|share}"],
    "S4.2-07": ["{S4.2-05} / " + T20],
    "S4.2-08": ["{S2.2-06}", "{T1:广东|turnover_to_gdp}"],
    "S4.2-09": [rank_among("turnover_to_gdp", "广东")],
    "S4.2-11": ["{S2.2-04}"],
    "S4.2-14": ["({S4.2-15} + {S4.2-17}) / " + T20 + " * 100", "{S4.2-16} + {S4.2-18}"],
    "S4.2-16": ["{S4.2-15} / " + T20 + " * 100"],
    "S4.2-18": ["{S4.2-17} / " + T20 + " * 100"],
    "S4.3-01": ["{S3.2-01}"],
    "S3.2-01": ["{S4.3-01}"],
    "S4.3-02": ["{items:S4.3-02}"],  # "仅有2家，分别是…": the two exchanges it names
    "S2.2-03": ["{S4.2-10}"],
    "S4.2-10": ["{S2.2-03}"],
    "S3.3-01": ["{S4.4-01}"],
    "S4.4-01": ["{S3.3-01}"],
    "S4.4-03": ["{S4.4-02} / {S4.4-01} * 100"],
    "S4.4-02": ["{S4.4-25}", "{S4.4-03} / 100 * {S4.4-01}"],
    "S4.4-25": ["{S4.4-02}"],
    "S4.4-06": ["{S4.4-07} + {S4.4-08} + {S4.4-09} + {S4.4-10} + {S4.4-11}"],
    "S4.4-19": ["{S4.4-18} / " + T20 + " * 100"],
    "C-08": ["minof(" + ", ".join(cell(g, "turnover_to_gdp") for g in ("北京", "天津", "陕西", "上海", "湖北"))
             + ") - " + cell("广东", "turnover_to_gdp")],
    "C-09": ["minof({S4.4-04} - {S4.4-05}, {S4.4-05} - {S4.4-02})"],
    "C-10": ["{S4.2-05} - " + T20],
    # Figure 2's chart data against the text
    "F2-01": ["{S2.2-05}"],
    "F2-05": ["{S2.2-06}"],
    "F2-06": ["{S2.2-13}"],
}


# The comparisons the text makes (superlatives, ordinals, 首次, 超过, directions of change, orders of
# lists, counts of named items): C-11 onwards, in the order of the paper.
COMPARISONS: dict[str, list[str]] = {
    "C-11": ["{S1-02 in 亿元} - {EXT:turnover|全国|2019|publisher^=科技部火炬中心}",
             "{S1-01 in 项} - {EXT:contracts|全国|2019|publisher^=科技部火炬中心}"],
    "C-12": ["{S2.1-03} - {S2.2-05} / 100 * {S2.2-01}"],
    "C-13": ["minof({D:turnover|广东|2017} - {D:turnover|广东|2016}, "
             "{D:turnover|广东|2018} - {D:turnover|广东|2017}, {D:turnover|广东|2019} - {D:turnover|广东|2018}, "
             "{S2.1-03} - {D:turnover|广东|2019})"],
    "C-14": ["{S2.1-03 in 万元} / {S2.1-02} - {S2.1-09}"],
    "C-15": ["{S2.1-03} / {S2.2-02} * 100 - {S2.1-03} / {S2.1-04} / {S2.2-01} * 100",
             "{F2-05} - {F2-01}"],
    "C-16": ["{S2.2-02} - {S2.2-01}"],
    "C-17": ["minof({F2-02} - {F2-01}, {F2-03} - {F2-02}, {F2-04} - {F2-03}, {F2-05} - {F2-04})"],
    "C-18": ["minof({F2-02} - {F2-01}, {F2-03} - {F2-02}, {F2-04} - {F2-03}, {F2-05} - {F2-04})"],
    "C-19": ["{S2.2-10} / {S2.2-02} * 100 - {S2.2-09} / {S2.2-01} * 100",
             "{S2.2-12} - {S2.2-11}"],
    "C-20": ["{S2.1-03} / {S2.2-10} * 100 - {S2.2-13}"],
    "C-23": ["{S2.3-01} / {S2.1-03} * 100 - {S2.3-01} / {S2.3-02} / ({S2.1-03} / {S2.1-04}) * 100"],
    "C-24": ["100 - {S2.3-03} - {S2.3-09} - {S2.3-12}"],
    "C-26": ["{S2.3-12} - {S2.3-11}"],
    "C-27": ["minof({D:turnover|广东|2016|技术开发|share}, "
             "{S2.3-11}) - maxof({D:turnover|广东|2016|技术服务|share}, {D:turnover|广东|2016|技术咨询|share})"],
    "C-28": ["minof({S2.3-03} - {S2.3-09}, {S2.3-09} - {S2.3-12}, "
             "{S2.3-12} - (100 - {S2.3-03} - {S2.3-09} - {S2.3-12}))"],
    "C-30": ["first_if_over_half({S2.4-05})",
             "rank({S2.4-06}, {S2.4-07}, {S2.4-08}, 100 - {S2.4-06} - {S2.4-07} - {S2.4-08})"],
    "C-33": ["{S2.4-03} - {S2.4-02}",
             "{S2.4-06} / 100 * {S2.1-03} - {S2.4-05} / 100 * {S2.1-03} / {S2.1-04}"],
    "C-34": ["{S2.4-03} / {S2.1-03} * 100 - {S2.4-02} / ({S2.1-03} / {S2.1-04}) * 100",
             "{S2.4-06} - {S2.4-05}"],
    "C-35": ["{S2.4-02} / ({S2.1-03} / {S2.1-04}) * 100"],
    "C-36": ["minof({S2.4-06} - {S2.4-07}, {S2.4-07} - {S2.4-08})"],
    "C-37": ["{items:C-37}"],
    "C-38": ["rank({D:turnover|深圳|2020}, {S2.5-02}, {S2.5-08}, {S2.1-03} * (1 - {S2.5-13} / 100))"],
    "C-39": ["{items:C-39}"],
    "C-40": ["{S2.5-02} - {S2.5-01}",
             "{S2.5-05} / 100 * {S2.1-03} - {S2.5-01}"],
    "C-41": ["{items:C-41}"],
    "C-43": ["rank({S2.5-16}, {S2.5-09}, {S2.5-19}, ({S2.5-02} / {S2.5-01} - 1) * 100)",
             "rank(({S2.5-15} / {S2.5-14} - 1) * 100, {S2.5-09}, ({S2.5-18} - 1) * 100, "
             "({S2.5-02} / {S2.5-01} - 1) * 100)"],
    "C-45": ["rank({S2.5-19}, {S2.5-16}, {S2.5-09}, ({S2.5-02} / {S2.5-01} - 1) * 100)",
             "rank(({S2.5-18} - 1) * 100, ({S2.5-15} / {S2.5-14} - 1) * 100, {S2.5-09}, "
             "({S2.5-02} / {S2.5-01} - 1) * 100)"],
    "C-46": ["maxof({T1:江苏|rank}, {T1:湖北|rank}, {T1:陕西|rank}, {T1:四川|rank}, {T1:北京|rank}, {T1:上海|rank})"],
    "C-49": ["{items:C-49}"],
    "C-52": ["minof({T1:北京|turnover_to_gdp} - {T1:天津|turnover_to_gdp}, "
             "{T1:天津|turnover_to_gdp} - {T1:陕西|turnover_to_gdp}, "
             "{T1:陕西|turnover_to_gdp} - {T1:上海|turnover_to_gdp}, "
             "{T1:上海|turnover_to_gdp} - {T1:湖北|turnover_to_gdp})"],
    "C-53": ["1 + {items:C-53}"],
    "C-54": ["{S4.4-05} - {S4.4-02}",
             "{S4.4-12} + {S4.4-13} + {S4.4-14} + {S4.4-15} + {S4.4-16} - {S4.4-06}"],
    "C-55": ["minof({S4.4-12} - {S4.4-07}, {S4.4-13} - {S4.4-08}, {S4.4-10} + {S4.4-11} - {S4.4-15} - {S4.4-16})"],
    "C-59": ["{items:C-59}"],
}
ROUTES.update(COMPARISONS)

# Table 1, by cell: each share from the turnover column, each 序号 from the turnover ranking, and the
# cells the text restates.
TABLE1_ROUTES: dict[tuple[str, str], list[str]] = {
    ("全国", "turnover"): ["{S1-02 in 亿元}"],
    ("全国", "share"): [NATION + " / " + NATION + " * 100"],
    ("全国", "turnover_to_gdp"): ["{S2.2-08}"],
    ("广东", "turnover"): ["{S2.1-03}"],
    ("北京", "turnover"): ["{S4.2-05}"],
    ("广东", "turnover_to_gdp"): ["{S2.2-06}"],
    **{(g, "share"): [f"{cell(g, 'turnover')} / {NATION} * 100"] for g in PROVINCES},
    **{(g, "rank"): [rank_among("turnover", g)] for g in PROVINCES},
}


def routes(sources) -> dict[str, list[str]]:
    """Every claim's routes, by claim id (Table 1 cells resolved to their facts' ids)."""
    from techmarket.audit.formula import parse_reference

    out = dict(ROUTES)
    for (geo, column), formulas in TABLE1_ROUTES.items():
        out[sources.fact_id(parse_reference(f"T1:{geo}|{column}"))] = formulas
    return out
